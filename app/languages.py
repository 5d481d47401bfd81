"""The language registry: the one place that says which languages Tydligt speaks.

Adding a language is one entry here plus a catalog in locales/<code>/ (see README).
"""

from dataclasses import dataclass

GSM7 = "GSM-7"
UCS2 = "UCS-2"


@dataclass(frozen=True)
class Language:
    """A language clients can choose, and how to write, send and speak it."""

    code: str  # our code, also the folder in locales/
    babel_locale: str  # the locale Babel formats dates and numbers with
    native_name: str  # the name in the language itself, as clients choose it
    english_name: str
    direction: str  # "ltr" or "rtl"
    sms_encoding: str  # GSM7 or UCS2: what its messages normally need
    say_voice: str | None = None  # Twilio <Say> voice, if Twilio has one
    say_language: str | None = None  # Twilio <Say> language tag
    time_pattern: str | None = None  # Babel pattern for clock times; None: the locale's short


SOURCE_LANGUAGE = "sv"

LANGUAGES: tuple[Language, ...] = (
    Language("sv", "sv_SE", "Svenska", "Swedish", "ltr", GSM7, "Polly.Astrid", "sv-SE", "H.mm"),
    Language("en", "en_GB", "English", "English", "ltr", GSM7, "Polly.Amy", "en-GB", "HH:mm"),
)

_BY_CODE = {language.code: language for language in LANGUAGES}


def language_codes() -> tuple[str, ...]:
    """Codes of every supported language, Swedish first."""
    return tuple(_BY_CODE)


def get_language(code: str | None) -> Language:
    """The language for a code; unknown or empty codes give Swedish."""
    return _BY_CODE.get((code or "").strip().lower(), _BY_CODE[SOURCE_LANGUAGE])


def is_supported(code: str | None) -> bool:
    """Whether a code names a supported language."""
    return (code or "").strip().lower() in _BY_CODE
