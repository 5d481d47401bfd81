"""Reading what a client texted: a keyword, a number, or free text that a person reads.

A text changes something (yes, no, stop, start, cancel, call, language, help, a menu number)
only when the WHOLE message is that keyword: "Ja", "ja tack!", "«JA» 👍" and "Ja, jag kommer"
are yes; "Nej då, jag kommer" ("no worries, I'm coming") and "Ja men kan vi byta tid?" are
free text. Around the keyword the reader allows any case, punctuation of every script,
brackets, quotes and emoji, missing accents ('hjalp'), letters typed on another keyboard
(ي/ی, ك/ک, ة/ه, tatweel), a letter held down ('jaaa'), digits of any script and the polite
words of the client's language, Swedish and English ("tack", "شكرا", "kiitos").

Keywords come from the registry (locales/languages.toml) and are looked up in the client's
language first, then Swedish, then English: a Finnish client's "ja" is the Swedish yes,
while a Swedish client's "ei" or "ha" is nobody's keyword. When in doubt, a person reads it.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from app.models import Intent
from app.sms.digits import ethiopic_numerals, normalise_digits
from app.words.languages import Language, get_language, languages

_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
_QUESTION_MARKS = frozenset("?؟¿")
# An apostrophe joins a word ("I'll", Somali "ka'a"); any other non-letter separates words.
_APOSTROPHES = str.maketrans(dict.fromkeys("'’ʼ`´", None))
_LONG_RUN = re.compile(r"([^\W\d_])\1{2,}")  # letters only: "100" stays
# Hamza above and below tell Arabic words apart (ابدأ "start", أبدا "never"): kept.
_HAMZA = frozenset("\u0654\u0655")
# One form of Arabic-script letters that people type either way: Arabic and Persian
# keyboards (ي/ی, ى/ی, ك/ک), ta marbuta written as ha (مساعدة/مساعده), and tatweel.
_ARABIC_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ـ": None})
# A menu number is one or two digits; longer numbers are phone numbers, years or amounts.
_MENU_NUMBER = re.compile(r"[0-9]{1,2}")
# Intents a question mark turns into a question: "Ja?" is "what is it?", "نعم؟" is "pardon?".
_NOT_AS_QUESTION = frozenset({"yes", "no", "stop", "start", "cancel"})
# Signs that say the opposite of the word they come with: "Ja 👎" or "Nej 👍" is unclear.
_CONTRADICTING = {"yes": frozenset("👎❌✖☹🙁😞😢"), "no": frozenset("👍👌✅✔☑")}
_CLASH = "?"  # words that mean two different things
_MAX_WORDS = 12  # longer texts are never a keyword: a person reads them


@dataclass(frozen=True)
class Reading:
    """What a text means: an intent, and the number if it was one."""

    # help, yes, no, stop, start, cancel, call, language, number, empty or free_text
    intent: Intent
    number: int | None = None


def clean(body: str | None) -> str:
    """The text without control, invisible and direction characters, for reading."""
    return _CONTROL.sub("", body or "").strip()


# Joiners are part of what was written: Persian's zero-width non-joiner (می‌خواهم) and the
# joiner inside emoji sequences. Only reading ignores them; a stored text keeps them.
_UNSAFE_TO_STORE = re.compile(_CONTROL.pattern.replace(r"\u200b-\u200f", r"\u200b\u200e\u200f"))


def as_stored(body: str | None) -> str:
    """The text as staff will read it: without control and direction-override characters
    (which could make a text look like something else), with its joiners."""
    return _UNSAFE_TO_STORE.sub("", body or "").strip()


def fold(text: str) -> str:
    """Case-fold, drop accents and marks (but not hamza), Western digits, one form of
    Arabic-script letters: 'Hjälp!' -> 'hjalp!', 'كمك' -> 'کمک', 'شكراً' -> 'شکرا'."""
    decomposed = unicodedata.normalize("NFKD", normalise_digits(text).casefold())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch in _HAMZA)
    # Hamza rejoins its letter (ا + ٔ = أ); one left over (after ه, the Persian ezafe) goes.
    composed = unicodedata.normalize("NFC", kept)
    return "".join(ch for ch in composed if not unicodedata.combining(ch)).translate(
        _ARABIC_LETTERS
    )


def words(text: str | None) -> list[str]:
    """The folded words of a text, without punctuation, symbols or emoji, a letter held
    down written once: 'Ja!!👍(tack)' -> ['ja', 'tack'], 'jaaa' -> ['ja']."""
    folded = fold(ethiopic_numerals(clean(text).translate(_APOSTROPHES)))
    spaced = "".join(ch if ch.isalnum() else " " for ch in folded)
    return _LONG_RUN.sub(r"\1", spaced).split()


@cache
def _vocabulary(code: str) -> tuple[dict[tuple[str, ...], str], frozenset[tuple[str, ...]], int]:
    """Keyword phrases (as words) with their intent, in the order the reader looks them up
    for a client of this language, the polite phrases around them, and the longest phrase."""
    chain = [get_language(code), get_language("sv"), get_language("en")]
    phrases: dict[tuple[str, ...], str] = {}
    for language in chain:
        for intent, keywords in language.keywords.items():
            for keyword in keywords:
                phrases.setdefault(tuple(words(keyword)), intent)
    polite = frozenset(tuple(words(word)) for language in chain for word in language.polite)
    return phrases, polite, max(len(phrase) for phrase in [*phrases, *polite])


def _intent_of(tokens: list[str], code: str) -> str | None:
    """The one intent the words spell out, every word belonging to a keyword of that intent
    or to a polite phrase; None when they spell out nothing or two different things."""
    phrases, polite, longest = _vocabulary(code)
    # found[i]: what the first i words can mean; "" for only polite words so far.
    found: list[set[str]] = [set() for _ in range(len(tokens) + 1)]
    found[0].add("")
    for start in range(len(tokens)):
        if not found[start]:
            continue
        for end in range(start + 1, min(len(tokens), start + longest) + 1):
            phrase = tuple(tokens[start:end])
            if phrase in polite:
                found[end] |= found[start]
            intent = phrases.get(phrase) or _number_intent(phrase)
            if intent:
                found[end] |= {_together(so_far, intent) for so_far in found[start]}
    # A phrase beats its words read one by one: "ei käy" is no, though "käy" alone is yes.
    meanings = found[-1] - {"", _CLASH}
    return meanings.pop() if len(meanings) == 1 else None


def _together(so_far: str, intent: str) -> str:
    """What words meaning so_far and then intent mean together: the same keyword again
    ("nej nej"), or a clash ("ja nej", "1 2")."""
    if so_far == "" or (so_far == intent and not intent.startswith("number ")):
        return intent
    return _CLASH


def _number_intent(phrase: tuple[str, ...]) -> str | None:
    if len(phrase) == 1 and _MENU_NUMBER.fullmatch(phrase[0]):
        return f"number {int(phrase[0])}"
    return None


def read(body: str | None, language: Language | None = None) -> Reading:
    """Read a text in the sender's language (Swedish and English are always understood)."""
    text = clean(body)
    if not text:
        return Reading(Intent.EMPTY)
    if all(ch in _QUESTION_MARKS or ch.isspace() for ch in text):
        return Reading(Intent.HELP)
    tokens = words(text)
    if not tokens or len(tokens) > _MAX_WORDS:
        return Reading(Intent.FREE_TEXT)
    intent = _intent_of(tokens, (language or languages()[0]).code)
    if intent is None:
        return Reading(Intent.FREE_TEXT)
    if intent in _NOT_AS_QUESTION and _QUESTION_MARKS & set(text):
        return Reading(Intent.FREE_TEXT)
    if _CONTRADICTING.get(intent, frozenset()) & set(text):
        return Reading(Intent.FREE_TEXT)
    if intent.startswith("number "):
        return Reading(Intent.NUMBER, int(intent.removeprefix("number ")))
    return Reading(Intent(intent))
