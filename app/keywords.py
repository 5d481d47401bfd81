"""Reading what a client texted: a keyword, a number, or free text.

Tolerant by design: any case, punctuation and spaces around, missing diacritics ('hjalp'),
Western, Arabic-Indic and Persian digits, and a keyword followed by other words
('ja jag kommer'). Keywords come from the registry, in the client's language first, then
Swedish and English.
"""

import re
import unicodedata
from dataclasses import dataclass

from app.digits import normalise_digits
from app.languages import Language, get_language

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
_SPLIT = re.compile(r"[\s,.;:!?¿¡،؛؟]+")


def clean(body: str) -> str:
    """The text without control and direction characters (kept as the client wrote it)."""
    return _CONTROL.sub("", body or "").strip()


# One form of Arabic-script letters that people type either way: Arabic and Persian
# keyboards (ي/ی, ك/ک), and ta marbuta written as ha (مساعدة/مساعده).
_ARABIC_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ـ": None})


def fold(text: str) -> str:
    """Case-fold, drop accents and marks, Western digits, one form of Arabic-script letters:
    'Hjälp!' -> 'hjalp!', 'كمك' -> 'کمک'."""
    decomposed = unicodedata.normalize("NFKD", normalise_digits(text).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(
        _ARABIC_LETTERS
    )


@dataclass(frozen=True)
class Reading:
    """What a text means: an intent, and the number if it was one."""

    intent: str  # help, yes, no, stop, start, call, language, number, empty or free_text
    number: int | None = None


def read(body: str, language: Language | None = None) -> Reading:
    """Read a text in the sender's language (Swedish and English are always understood)."""
    text = clean(body)
    if not text:
        return Reading("empty")
    if text.strip() in ("?", "؟"):
        return Reading("help")
    words = [w for w in _SPLIT.split(fold(text)) if w]
    if not words:
        return Reading("free_text")
    first = _EDGE.sub("", words[0]) or words[0]
    if first.isdigit() and first.isascii():
        return (
            Reading("number", int(first))
            if len(words) == 1 or len(first) <= 2
            else Reading("free_text")
        )
    languages = [language or get_language("sv"), get_language("sv"), get_language("en")]
    whole = " ".join(_EDGE.sub("", w) or w for w in words)
    for candidate in languages:
        for intent, keywords in candidate.keywords.items():
            folded_keywords = {fold(k) for k in keywords}
            if first not in folded_keywords and whole not in folded_keywords:
                continue
            # Opting out of everything takes the keyword alone (as Twilio's own STOP does):
            # "Cancel my appointment" must reach a person, not switch off every message.
            if intent == "stop" and whole not in folded_keywords:
                return Reading("free_text")
            return Reading(intent)
    return Reading("free_text")
