"""The language registry, read from locales/languages.toml: the one place that says which
languages Tydligt speaks, how to write, send and speak them, and what clients may text."""

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

GSM7 = "GSM-7"
UCS2 = "UCS-2"
SOURCE_LANGUAGE = "sv"
REGISTRY_FILE = Path(__file__).resolve().parents[2] / "locales" / "languages.toml"
# What a client's text may ask for; every language names its words for each in the registry.
# "cancel" may mean the meeting or every text, so it is asked about, never acted on.
INTENTS = ("help", "yes", "no", "stop", "start", "cancel", "call", "language")
# What voice_date and voice_time may hold: the parts of the value, and recorded words.
VOICE_PARTS: tuple[tuple[str, frozenset[str], frozenset[str]], ...] = (
    ("voice_date", frozenset({"weekday", "day", "month"}), frozenset()),
    ("voice_time", frozenset({"hour", "minute"}), frozenset({"and", "minutes"})),
)


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
    # Weekday names Monday..Sunday in the form dates need, where Babel's data falls short.
    weekday_names: tuple[str, ...] | None = None
    # How recorded phrases say a date and a clock time (app/voice/speech.py): the parts in
    # order; other names are single recorded words (app/voice/names.py WORDS).
    voice_date: tuple[str, ...] = ("weekday", "day", "month")
    voice_time: tuple[str, ...] = ("hour", "minute")
    # Whether numbers join their parts with "and" (Somali "shan kun iyo afar boqol").
    voice_number_and: bool = False
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)
    # Words around a keyword that leave its meaning alone ("tack", "شكرا"): "Ja tack!" is JA.
    polite: tuple[str, ...] = field(default=(), hash=False, compare=False)
    # How other languages name this one, where Babel has no name (by their codes).
    names: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def bcp47(self) -> str:
        """The BCP 47 tag for HTML lang attributes and the browser's voices: our code, or,
        where the locale names the language by another code (Dari, "prs", is fa_AF),
        the locale's tag, which browsers and screen readers know ("fa-AF")."""
        locale_language = self.babel_locale.split("_")[0]
        return self.code if locale_language == self.code else self.babel_locale.replace("_", "-")

    @property
    def has_voice(self) -> bool:
        """Whether Twilio can speak this language."""
        return bool(self.say_voice and self.say_language)


class RegistryError(ValueError):
    """locales/languages.toml is not as the registry needs it; the message says where."""


@cache
def load_registry(path: Path = REGISTRY_FILE) -> tuple[Language, ...]:
    """Read and check the registry (once per process)."""
    with path.open("rb") as fh:
        entries = tomllib.load(fh).get("language", [])
    languages = []
    for entry in entries:
        code = entry.get("code", "?")
        keywords = dict(entry.pop("keywords", {}))
        polite = keywords.pop("polite", [])
        missing = [intent for intent in INTENTS if not keywords.get(intent)]
        if missing:
            raise RegistryError(f"{path.name}: '{code}' has no keywords for {', '.join(missing)}")
        unknown = sorted(set(keywords) - set(INTENTS))
        if unknown:
            raise RegistryError(f"{path.name}: '{code}' has unknown keywords {', '.join(unknown)}")
        if entry.get("direction") not in ("ltr", "rtl"):
            raise RegistryError(f"{path.name}: '{code}' direction must be ltr or rtl")
        if entry.get("sms_encoding") not in (GSM7, UCS2):
            raise RegistryError(f"{path.name}: '{code}' sms_encoding must be {GSM7} or {UCS2}")
        if "weekday_names" in entry:
            if len(entry["weekday_names"]) != 7:
                raise RegistryError(f"{path.name}: '{code}' weekday_names needs 7 names")
            entry["weekday_names"] = tuple(entry["weekday_names"])
        _voice_parts(entry, f"{path.name}: '{code}'")
        # A key written under [language.names] by mistake would be taken as a name.
        odd_names = [
            key for key, name in entry.get("names", {}).items() if not isinstance(name, str)
        ]
        if odd_names:
            raise RegistryError(
                f"{path.name}: '{code}' names must be texts; {', '.join(odd_names)} is not "
                "(a setting written after [language.names]?)"
            )
        try:
            language = Language(
                **entry,
                keywords={intent: tuple(keywords[intent]) for intent in INTENTS},
                polite=tuple(polite),
            )
        except TypeError as exc:
            raise RegistryError(f"{path.name}: '{code}': {exc}") from exc
        languages.append(language)
    if not languages or languages[0].code != SOURCE_LANGUAGE:
        raise RegistryError(f"{path.name}: Swedish ('{SOURCE_LANGUAGE}') must come first")
    return tuple(languages)


def _voice_parts(entry: dict, where: str) -> None:
    """Check and freeze how recorded phrases say dates and times."""
    for name, parts, words in VOICE_PARTS:
        if name in entry:
            entry[name] = tuple(entry[name])
            odd = [part for part in entry[name] if part not in parts | words]
            if odd or not parts <= set(entry[name]):
                raise RegistryError(
                    f"{where} {name} needs each of {sorted(parts)}, "
                    f"and only the words {sorted(words)} besides"
                )


def languages() -> tuple[Language, ...]:
    """Every supported language, Swedish first, in registry order."""
    return load_registry()


def language_codes() -> tuple[str, ...]:
    """Codes of every supported language, Swedish first."""
    return tuple(language.code for language in languages())


def get_language(code: str | None) -> Language:
    """The language for a code; unknown or empty codes give Swedish."""
    wanted = (code or "").strip().lower()
    for language in languages():
        if language.code == wanted:
            return language
    return languages()[0]


def is_supported(code: str | None) -> bool:
    """Whether a code names a supported language."""
    return (code or "").strip().lower() in language_codes()
