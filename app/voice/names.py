"""What each recording is called: a phrase piece after its Swedish text, a value after
what it is. The one place that names recordings: playing, the recording script, the admin
page and the check all ask here."""

import hashlib
import re
import unicodedata

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_PLACEHOLDER = re.compile(r"%\(\w+\)s")
SLUG_WORDS = 4


def slug(text: str, words: int = SLUG_WORDS) -> str:
    """'Du ska träffa {person}' -> 'du-ska-traffa': ASCII, lower case, a few words."""
    text = _PLACEHOLDER.sub(" ", text)
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    parts = [part for part in _NOT_SLUG.split(folded) if part]
    return "-".join(parts[:words]) or "phrase"


def piece_name(msgid: str, form: int, index: int, piece: str) -> str:
    """The recording of one fixed piece of a translated phrase. The Swedish msgid, the
    plural form, the piece's place and its words all go into the name: change any of them
    and it is a recording still to be made."""
    digest = hashlib.sha1(
        "\x1f".join((msgid, str(form), str(index), piece)).encode(), usedforsecurity=False
    ).hexdigest()[:8]
    return f"{slug(msgid)}-{digest}"


def worded(base: str, text: str) -> str:
    """A value's recording whose words differ by language (a weekday, a month, a language's
    name, a single word): its name carries the words, so a corrected translation is a
    recording still to make and the old words are never played ('weekday-1-3fa2c1')."""
    digest = hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:6]
    return f"{base}-{digest}"


def weekday(index: int) -> str:
    """Monday is 0: 'weekday-1'."""
    return f"weekday-{index + 1}"


def month(number: int) -> str:
    return f"month-{number}"


def day(number: int) -> str:
    """A day of the month as dates say it (an ordinal in some languages)."""
    return f"day-{number}"


def number(value: int) -> str:
    """0 to 99, each recorded whole."""
    return f"number-{value}"


def hundreds(value: int) -> str:
    """100, 200 … 900, each recorded whole ('hundred-4' is 400)."""
    return f"hundred-{value}"


def language(code: str) -> str:
    return f"language-{code}"


def unit(name: str) -> str:
    """A unit's name said in the language; without it the Swedish voice says the name."""
    return f"unit-{slug(name, 8)}"


# Single words the values are built with: the word itself is in
# messages/catalog/voice_words.toml (translated like every client word); here, where it is said.
WORDS = {  # in Swedish, for the recording script
    "and": "mellan delarna i ett tal (5 000 och 400) och före det sista i en uppräkning",
    "thousand": "efter ett antal tusen (5 tusen)",
    "million": "efter ett antal miljoner",
    "point": "decimaltecknet, sagt (2 komma 5)",
    "minutes": "efter minuterna i ett klockslag (14 och 30 minuter)",
    "kronor": "efter ett belopp (400 kronor)",
    "ore": "efter ett beloppets ören (och 50 öre)",
}
