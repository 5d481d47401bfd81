"""A voice message as phrases: which translated sentences it says, and the values in them.

compose() gives text. A language Twilio cannot speak is played from recordings instead, so
the phone needs to know what the text is made of: each `{% trans %}` sentence (a phrase,
known by its Swedish msgid and, for plurals, the form), and each value in it as a value
(a date, a time, a number, an amount, a language, a list) rather than as words. The same
templates render in a phrase environment whose gettext and filters leave a reference in
the output instead of text; the references are read back into `Phrase` and `Value` items.

A phrase's translation is split at its variables: the fixed pieces are what an interpreter
records, said in the language's own order with the values between them.
"""

import contextvars
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import jinja2

from app.casework import catalog as domain_catalog
from app.words.compose import parse_rows
from app.words.i18n import Catalog, Formatter, catalogs
from app.words.languages import SOURCE_LANGUAGE, Language, get_language

REF_START, REF_END = "\x02", "\x03"
_REF = re.compile("\x02(\\d+)\x03")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_LEADING = " .,;:!?)»”'\u060c\u061b\u061f\u1362\u1363\u1364\u1366"  # Arabic, Ge'ez too


@dataclass(frozen=True)
class Value:
    """A value in a phrase: what it is (`kind`), the value itself, and how the text
    channels write it (`text`). Kinds: date, date_year, time, weekday, number, money,
    language, list (items are references to phrases)."""

    kind: str
    value: object
    text: str


@dataclass(frozen=True)
class Phrase:
    """One translated sentence (or catalog text) with the values it was given."""

    msgid: str  # the Swedish source text: the phrase's name in every language
    form: int  # the plural form used (0 for a sentence without plurals)
    text: str  # the translation, with %(name)s where each value goes
    values: dict = field(hash=False, compare=False)
    translated: bool = True  # False: no translation, the Swedish was used

    def pieces(self) -> list[tuple[int, str] | str]:
        """The translation in speaking order: (index, fixed text) for each piece to be
        recorded (one with letters in it), and the variable names between them."""
        parts: list[tuple[int, str] | str] = []
        chunks = _PLACEHOLDER.split(self.text.replace("%%", "%"))
        for position, chunk in enumerate(chunks):
            if position % 2:
                parts.append(chunk)
            elif any(ch.isalpha() for ch in chunk):
                # Punctuation before the first word belongs to what came before it.
                parts.append((position // 2, chunk.strip().lstrip(_LEADING)))
        return parts


Item = Phrase | Value | str  # str: text outside any phrase (a name, an address)


@dataclass(frozen=True)
class PhraseRow:
    """One row of a voice message: its pictogram key and what it says, in order."""

    picture: str
    items: tuple[Item, ...]


_tokens: contextvars.ContextVar[list | None] = contextvars.ContextVar("tokens", default=None)


def _keep(token: Phrase | Value) -> str:
    tokens = _tokens.get()
    if tokens is None:
        raise RuntimeError("A phrase environment renders only inside render_phrases()")
    tokens.append(token)
    return f"{REF_START}{len(tokens) - 1}{REF_END}"


def _token(ref: str) -> Phrase | Value | None:
    match = _REF.fullmatch(ref.strip()) if isinstance(ref, str) else None
    tokens = _tokens.get()
    return tokens[int(match.group(1))] if match and tokens is not None else None


def text_of(item: object) -> str:
    """How the text channels would write an item, a reference or a plain value."""
    if isinstance(item, Phrase):
        values = {name: text_of(value) for name, value in item.values.items()}
        return item.text % values
    if isinstance(item, Value):
        return item.text
    if isinstance(item, str):
        tokens = _tokens.get() or []
        return _REF.sub(lambda m: text_of(tokens[int(m.group(1))]), item)
    return str(item)


class _Waiting(str):
    """What gettext gives in a phrase environment: the translation, waiting for its values
    (Jinja's new-style gettext always applies `%` to it, with or without values)."""

    msgid: str
    form: int
    translated: bool

    def __new__(cls, text: str, msgid: str, form: int, translated: bool) -> "_Waiting":
        made = super().__new__(cls, text)
        made.msgid, made.form, made.translated = msgid, form, translated
        return made

    def __mod__(self, values: object) -> str:
        found = dict(values) if isinstance(values, dict) else {}
        resolved = {name: _token(value) or value for name, value in found.items()}
        return _keep(Phrase(self.msgid, self.form, str(self), resolved, self.translated))


def _phrase_gettext(catalog: Catalog):
    def gettext(msgid: str) -> _Waiting:
        if catalog.language.code == SOURCE_LANGUAGE:
            return _Waiting(msgid, msgid, 0, True)
        text = catalog.messages.get(msgid)
        return _Waiting(text or msgid, msgid, 0, bool(text))

    def ngettext(singular: str, plural: str, n: int) -> _Waiting:
        if catalog.language.code == SOURCE_LANGUAGE:
            form = 0 if n == 1 else 1
            return _Waiting(singular if n == 1 else plural, singular, form, True)
        forms = catalog.plurals.get(singular)
        if forms and all(forms):
            rule = catalog.plural_rule
            index = min(rule(n) if callable(rule) else int(n != 1), len(forms) - 1)
            return _Waiting(forms[index], singular, index, True)
        return _Waiting(singular if n == 1 else plural, singular, 0 if n == 1 else 1, False)

    return gettext, ngettext


def _day(value: date | datetime, formatter: Formatter) -> date:
    return formatter.local(value).date() if isinstance(value, datetime) else value


def _office_time(text: str) -> str:
    """'9' or '8.30' (app/casework/contacts.py) as 'HH:MM'."""
    hour, _, minute = str(text).partition(".")
    return f"{int(hour):02d}:{int(minute or 0):02d}"


def _phrase_environment(code: str) -> jinja2.Environment:
    """The message templates of one language, rendering references instead of text."""
    store = catalogs()
    built = store.__dict__.setdefault("phrase_environments", {})
    if code in built:
        return built[code]
    language = get_language(code)
    env = store._environment(language)  # its own: the filters and gettext below differ
    catalog = store.catalogs[language.code]
    gettext, ngettext = _phrase_gettext(catalog)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    formatter = Formatter(language, store.timezone)

    def day(value):
        kind = "date" if formatter.day(value) == formatter.weekday_date(value) else "date_year"
        return _keep(Value(kind, _day(value, formatter), formatter.day(value)))

    env.filters.update(
        weekday_date=lambda v: _keep(Value("date", _day(v, formatter), formatter.weekday_date(v))),
        weekday_date_year=lambda v: _keep(
            Value("date_year", _day(v, formatter), formatter.weekday_date_year(v))
        ),
        day=day,
        weekday_name=lambda i: _keep(Value("weekday", int(i), formatter.weekday_name(i))),
        language_name=lambda c: _keep(Value("language", c, formatter.language_name(c))),
        clock=lambda v: _keep(
            Value("time", formatter.local(v).strftime("%H:%M"), formatter.clock(v))
        ),
        office_time=lambda text: _keep(Value("time", _office_time(text), text)),
        number=lambda n: _keep(Value("number", n, formatter.number(n))),
        money=lambda n: _keep(Value("money", n, formatter.money(n))),
        join=lambda items: _keep(
            Value(
                "list",
                tuple(_token(i) or i for i in items),
                formatter.join([text_of(i) for i in items]),
            )
        ),
        upper_first=lambda s: s if _REF.search(s) else Formatter.upper_first(s),
    )
    catalog_dir = store.messages_dir / "catalog"

    def catalog_text(name: str, key: str, field_name: str) -> str:
        msgid = domain_catalog.entry(catalog_dir, name, key)[field_name]
        return gettext(msgid) % {}

    def catalog_list(name: str, keys: list[str], field_name: str) -> list[str]:
        return [catalog_text(name, key, field_name) for key in keys]

    env.globals.update(catalog_text=catalog_text, catalog_list=catalog_list)
    built[code] = env
    return env


def _items(text: str, tokens: list) -> Iterator[Item]:
    position = 0
    for match in _REF.finditer(text):
        before = text[position : match.start()].strip()
        if before:  # a name, or a full stop a voice pauses at
            yield before
        yield tokens[int(match.group(1))]
        position = match.end()
    after = text[position:].strip()
    if after:
        yield after


def render_phrases(kind: str, facts: dict, language: Language) -> tuple[PhraseRow, ...]:
    """The voice message of a kind, for these facts, as rows of phrases and values."""
    token = _tokens.set([])
    try:
        env = _phrase_environment(language.code)
        output = env.get_template(f"{kind}.j2").render(
            **facts, channel="voice", pictures_first=False
        )
        tokens = _tokens.get() or []
        rows = parse_rows(output, f"{kind}.j2")
        return tuple(PhraseRow(row.picture, tuple(_items(row.text, tokens))) for row in rows)
    finally:
        _tokens.reset(token)
