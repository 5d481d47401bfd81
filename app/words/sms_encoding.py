"""How an SMS text is encoded and how many segments it costs."""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from app.words.languages import GSM7, UCS2

# GSM 03.38 basic character set (one septet each) and extension table (escape + one septet).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")

# Characters that look harmless but would force UCS-2, and their GSM-7 stand-ins.
TYPOGRAPHIC = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u2007": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u200b": "",
    "\u2022": "-",
    "\u00b7": "-",
}


@dataclass(frozen=True)
class SmsSize:
    """The encoding a text needs, its length in encoding units and its segment count."""

    encoding: str
    units: int
    segments: int


_GSM_ALL = GSM_BASIC | GSM_EXTENSION
_TYPOGRAPHIC_TABLE = str.maketrans(TYPOGRAPHIC)
# Most texts have none: a search in C finds that faster than translate() looks up each
# character (compose normalises every row of every GSM-7 message). The same for a
# character outside GSM-7 and for the extension table's, which count twice.
_ANY_TYPOGRAPHIC = re.compile("[" + "".join(TYPOGRAPHIC) + "]")
_NOT_GSM = re.compile("[^" + re.escape("".join(sorted(_GSM_ALL))) + "]")
_EXTENDED = re.compile("[" + re.escape("".join(sorted(GSM_EXTENSION))) + "]")


def normalise_for_gsm(text: str) -> str:
    """Replace typographic characters by GSM-7 ones, so a GSM language stays GSM-7."""
    text = unicodedata.normalize("NFC", text)
    return text.translate(_TYPOGRAPHIC_TABLE) if _ANY_TYPOGRAPHIC.search(text) else text


def is_gsm7(text: str) -> bool:
    """Whether every character fits the GSM-7 alphabet (with its extension table)."""
    return _NOT_GSM.search(text) is None


def _segments(units: list[int], single: int, multi: int) -> int:
    """Count segments, never splitting a unit (an escaped character or a surrogate pair)."""
    total = sum(units)
    if total <= single:
        return 1 if total else 0
    segments, used = 1, 0
    for size in units:
        if used + size > multi:
            segments, used = segments + 1, 0
        used += size
    return segments


# compose() measures the same text several times (to choose what to leave out, to split it,
# for each part and for the whole): a few recent answers are kept.
@lru_cache(maxsize=256)
def measure(text: str) -> SmsSize:
    """Encoding, length and segments of a text as a phone network will count them."""
    if is_gsm7(text):
        encoding, single, multi, wide = GSM7, 160, 153, GSM_EXTENSION
        total = len(text) + len(_EXTENDED.findall(text))
    else:
        encoding, single, multi, wide = UCS2, 70, 67, None
        total = len(text.encode("utf-16-le")) // 2  # a character beyond U+FFFF takes two
    if total <= single:  # one segment (or none): no need to look at each character
        return SmsSize(encoding, total, 1 if total else 0)
    if total == len(text):  # every character one unit: none can straddle two segments
        return SmsSize(encoding, total, -(-total // multi))
    if wide is None:
        units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    else:
        units = [2 if ch in wide else 1 for ch in text]
    return SmsSize(encoding, total, _segments(units, single, multi))


def segments_for(text: str) -> int:
    """Shortcut: the number of segments a text costs."""
    return measure(text).segments
