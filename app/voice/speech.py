"""What a voice message says, as segments a call can play: a recording, or words for a
text-to-speech voice.

The one rule for every call (the phone menu and reminder calls):
- A language with no recordings is said by its Twilio voice, row by row, as composed.
- Where recordings exist, each phrase whose pieces are all recorded is played, with its
  values between the pieces (dates, times, numbers, amounts and languages from recordings
  too). A recording wins over text-to-speech for the same phrase, so a unit may record its
  own Swedish greeting.
- A phrase or value still unrecorded is said by the language's voice where Twilio has one.
  Where it has none, the message cannot be said: `NotRecorded` names what is missing and
  the caller gets today's way instead (app/calls/), and staff see which.
- Names, street addresses and other Swedish words from the records are said by the
  Swedish voice, since they are Swedish words; a unit's name may be recorded.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from app.voice import inventory, names
from app.voice.phrases import Phrase, PhraseRow, Value, render_phrases, text_of
from app.voice.recordings import store, url
from app.words.compose import compose
from app.words.languages import SOURCE_LANGUAGE, Language, get_language

_PHONE = re.compile(r"^\+?\d[\d \-]{4,}\d$")
_SPACES = re.compile("[\u00a0\u202f]")  # no-break spaces in amounts: said as spaces


@dataclass(frozen=True)
class Say:
    """Words for a text-to-speech voice."""

    text: str
    language: Language


@dataclass(frozen=True)
class Play:
    """A recording, by its language and file."""

    code: str
    path: Path


Segment = Say | Play
Spoken = tuple[tuple[Segment, ...], ...]  # rows, each a few segments


class NotRecorded(LookupError):
    """A message in a language with no voice lacks recordings: which, and for what."""

    def __init__(self, code: str, kind: str, missing: tuple[str, ...]) -> None:
        super().__init__(f"{kind} in {code}: {len(missing)} recording(s) missing")
        self.code, self.kind, self.missing = code, kind, missing


def number_names(value: int | Decimal, joined: bool) -> list[str]:
    """The recordings that say a number: 0–99 whole, then hundreds, thousands, millions,
    big parts first (as every language here says them); decimals digit by digit."""
    if isinstance(value, Decimal) and value != int(value):
        whole, _, decimals = f"{value:f}".rstrip("0").partition(".")
        return (
            number_names(int(whole), joined) + ["point"] + [names.number(int(d)) for d in decimals]
        )
    n = int(value)
    if n < 0:
        return ["minus"] + number_names(-n, joined)
    if n < 100:
        return [names.number(n)]
    join = ["and"] if joined else []
    for size, said in ((10**6, "million"), (1000, "thousand")):
        if n >= size:
            big, rest = divmod(n, size)
            return (
                number_names(big, joined)
                + [said]
                + (join + number_names(rest, joined) if rest else [])
            )
    big, rest = divmod(n, 100)
    return [names.hundreds(big)] + (join + number_names(rest, joined) if rest else [])


def value_names(value: Value, language: Language) -> list[str]:
    """The recordings that say a value (not a list: its items are phrases)."""
    joined = language.voice_number_and
    if value.kind in ("date", "date_year"):
        day = value.value
        if not isinstance(day, date):
            raise ValueError(f"A {value.kind} without a date")
        parts = {
            "weekday": [names.weekday(day.weekday())],
            "day": [names.day(day.day)],
            "month": [names.month(day.month)],
        }
        said = [name for part in language.voice_date for name in parts.get(part, [part])]
        return said + (number_names(day.year, joined) if value.kind == "date_year" else [])
    if value.kind == "time":
        hour, minute = (int(part) for part in str(value.value).split(":"))
        if minute == 0:
            return number_names(hour, joined)
        times = {"hour": number_names(hour, joined), "minute": number_names(minute, joined)}
        return [name for part in language.voice_time for name in times.get(part, [part])]
    if value.kind == "weekday":
        return [names.weekday(int(str(value.value)))]
    if value.kind == "number":
        return number_names(Decimal(str(value.value)), joined)
    if value.kind == "money":
        amount = Decimal(str(value.value))
        kronor, ore = int(amount), int((amount - int(amount)) * 100)
        said = number_names(kronor, joined) + ["kronor"]
        return said + (["and"] + number_names(ore, joined) + ["ore"] if ore else [])
    if value.kind == "language":
        return [names.language(str(value.value))]
    raise ValueError(f"No recordings say a {value.kind}")


@dataclass
class _Speaker:
    """Turns one message's phrases into segments, noting what is not recorded."""

    language: Language
    files: dict[str, Path]
    aliases: dict[str, str] = field(default_factory=dict)  # inventory.aliases
    missing: list[str] = field(default_factory=list)
    untranslated: bool = False

    @property
    def swedish(self) -> Language:
        return get_language(SOURCE_LANGUAGE)

    def played(self, wanted: list[str]) -> list[Segment] | None:
        wanted = [self.aliases.get(name, name) for name in wanted]
        found = [self.files.get(name) for name in wanted]
        if all(found):
            return [Play(self.language.code, path) for path in found if path]
        self.missing += [name for name, path in zip(wanted, found, strict=True) if not path]
        return None

    def item(self, item: object, variable: str = "") -> list[Segment]:
        if isinstance(item, Phrase):
            return self.phrase(item)
        if isinstance(item, Value):
            return self.value(item)
        if isinstance(item, bool) or item is None:
            return []
        if isinstance(item, int | float | Decimal):  # a count or a key given as a number
            return self.value(Value("number", item, str(item)))
        text = str(item)
        if not any(ch.isalnum() for ch in text):  # punctuation: a voice pauses, a recording has
            return [Say(text, self.language)] if self.language.has_voice else []
        if _PHONE.match(text.strip()):
            digits = [names.number(int(d)) for d in text if d.isdigit()]
            return self.played(digits) or [Say(text, self.language)]
        if variable == "sender":  # the unit's name, recorded in the language or said in Swedish
            recorded = self.files.get(names.unit(text))
            if recorded:
                return [Play(self.language.code, recorded)]
        return [Say(text, self.swedish)]

    def phrase(self, phrase: Phrase) -> list[Segment]:
        if not phrase.translated and self.language.code != SOURCE_LANGUAGE:
            self.untranslated = True
            self.missing.append(f"translation: {phrase.msgid[:60]}")
            return [Say(text_of(phrase), self.swedish)]
        pieces = phrase.pieces()
        wanted = [
            names.piece_name(phrase.msgid, phrase.form, part[0], part[1])
            for part in pieces
            if isinstance(part, tuple)
        ]
        heard = self.played(wanted)
        if heard is None and self.language.has_voice:
            return [Say(text_of(phrase), self.language)]
        segments: list[Segment] = []
        recorded = iter(heard or [])
        for part in pieces:
            if isinstance(part, tuple):
                segments += [next(recorded)] if heard else []
            else:
                segments += self.item(phrase.values.get(part), part)
        return segments

    def value(self, value: Value) -> list[Segment]:
        if value.kind == "list":
            items = [self.item(item) for item in value.value]  # type: ignore[attr-defined]
            joiner = self.played(["and"]) if len(items) > 1 else []
            if joiner is None and self.language.has_voice:
                return [Say(value.text, self.language)]
            segments: list[Segment] = []
            for position, said in enumerate(items):
                if position and position == len(items) - 1:
                    segments += joiner or []
                segments += said
            return segments
        heard = self.played(value_names(value, self.language))
        if heard is None:
            return [Say(value.text, self.language)]
        return heard


def _merged(segments: list[Segment]) -> tuple[Segment, ...]:
    merged: list[Segment] = []
    for segment in segments:
        last = merged[-1] if merged else None
        if isinstance(segment, Say) and isinstance(last, Say) and last.language == segment.language:
            space = " " if any(ch.isalnum() for ch in segment.text) else ""
            merged[-1] = Say(f"{last.text}{space}{segment.text}", last.language)
        else:
            merged.append(segment)
    return tuple(merged)


def said_by_voice(kind: str, facts: dict, language: Language) -> Spoken:
    """The message as its Twilio voice says it, row by row (as composed). Given in Swedish
    for a missing translation, the Swedish is said by the Swedish voice."""
    composition = compose(kind, facts, language.code, "voice")
    rows = composition.rows
    if composition.fallback:  # the Swedish rows, then the interpreter line in the language
        swedish = get_language(SOURCE_LANGUAGE)
        return tuple((Say(row.text, swedish),) for row in rows[:-1]) + (
            (Say(rows[-1].text, language),),
        )
    return tuple((Say(row.text, language),) for row in rows)


def plan_rows(
    kind: str, facts: dict, language: Language
) -> tuple[tuple[PhraseRow, ...], _Speaker, Spoken]:
    """The phrases of a message and how they would be said with the recordings there are."""
    speaker = _Speaker(language, store().files(language.code), inventory.aliases(language.code))
    rows = render_phrases(kind, facts, language)
    spoken = tuple(
        _merged([segment for item in row.items for segment in speaker.item(item)]) for row in rows
    )
    return rows, speaker, spoken


def speak(kind: str, facts: dict, language: Language) -> Spoken:
    """What a call says for a message kind: see the module's rule."""
    if not store().has_any(language.code):
        if language.has_voice:
            return said_by_voice(kind, facts, language)
        raise NotRecorded(language.code, kind, ("(no recordings)",))
    _, speaker, spoken = plan_rows(kind, facts, language)
    if language.has_voice:
        return said_by_voice(kind, facts, language) if speaker.untranslated else spoken
    if speaker.missing:
        raise NotRecorded(language.code, kind, tuple(dict.fromkeys(speaker.missing)))
    return spoken


def can_speak(code: str) -> bool:
    """Whether calls can be in this language at all: a Twilio voice, or recordings."""
    return get_language(code).has_voice or store().has_any(code)


def emit(target, row: tuple[Segment, ...]) -> None:
    """Add one row's segments to a TwiML verb (a response or a gather)."""
    for segment in row:
        if isinstance(segment, Play):
            target.play(url(segment.code, segment.path))
        elif segment.language.has_voice:
            language = segment.language
            text = _SPACES.sub(" ", segment.text)
            target.say(text, voice=language.say_voice, language=language.say_language)
        else:
            target.say(_SPACES.sub(" ", segment.text))


def how_said(rows: Spoken, language: Language) -> str:
    """'voice' (text-to-speech only), 'recordings' (played, names said in Swedish) or
    'mixed' (a language with a voice and some of its phrases recorded)."""
    segments = [segment for row in rows for segment in row]
    played = any(isinstance(segment, Play) for segment in segments)
    if not played:
        return "voice"
    said = any(isinstance(s, Say) and s.language == language for s in segments)
    return "mixed" if said and language.has_voice else "recordings"
