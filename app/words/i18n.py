"""Message catalogs: one Jinja environment per language, with its gettext and formatters.

Swedish is the source language: the msgids in messages/*.j2 are the Swedish texts.
A string missing in another language falls back to Swedish; composing records the miss
(see app/words/compose.py) so the fallback rule can add an interpreter line and tell staff.
"""

import contextvars
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
from babel import Locale
from babel.dates import format_date, format_time, get_day_names
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal
from flask import Flask, current_app

from app.casework import catalog as domain_catalog
from app.words.compiled_templates import SharedBytecodeCache
from app.words.languages import SOURCE_LANGUAGE, Language, get_language, languages
from app.words.message_environment import MessageEnvironment
from app.words.po_reads import translated_entries

log = logging.getLogger(__name__)

ROW_START = "\x1e"  # marks the start of a row in rendered template output
ROW_PICTURE_END = "\x1f"  # ends the row's pictogram key
ROW_OPTIONAL = "\x1d"  # between the pictogram key and the row's drop priority


def row(text: str, picture: str, optional: int = 0) -> str:
    """The `row` filter: `{% filter row("clock") %}...{% endfilter %}` marks its text as
    one row with that pictogram key, `optional=N` as an extra an SMS over its budget may
    leave out (messages/_rows.j2 says which). compose.parse_rows reads the marks. A filter
    block, not a macro with a caller: the rows are most of what a template does."""
    mark = f"{ROW_OPTIONAL}{optional}" if optional else ""
    return f"{ROW_START}{picture}{mark}{ROW_PICTURE_END}{text}"


_misses: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("misses", default=None)


@dataclass
class Catalog:
    """The translations of one language: msgid (Swedish) -> text, plus plural forms."""

    language: Language
    messages: dict[str, str] = field(default_factory=dict)
    plurals: dict[str, tuple[str, ...]] = field(default_factory=dict)
    plural_rule: object = None
    # Which file (and version of it) the words were read from; None for Swedish, whose
    # words are the msgids. What is worked out from a catalog may be kept by this key.
    version: tuple | None = None

    def gettext(self, msgid: str) -> str:
        """The translation, or the Swedish msgid (recorded as a miss) when there is none."""
        if self.language.code == SOURCE_LANGUAGE:
            return msgid
        text = self.messages.get(msgid)
        if text:
            return text
        _record_miss(msgid)
        return msgid

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Plural-aware translation with the same fallback as gettext."""
        if self.language.code != SOURCE_LANGUAGE:
            forms = self.plurals.get(singular)
            if forms and all(forms):
                index = self.plural_rule(n) if callable(self.plural_rule) else int(n != 1)
                return forms[min(index, len(forms) - 1)]
            _record_miss(singular)
        return singular if n == 1 else plural


def _record_miss(msgid: str) -> None:
    misses = _misses.get()
    if misses is not None:
        misses.append(msgid)


def collect_misses() -> contextvars.Token:
    """Start recording fallbacks in this context; read them with misses(), stop with reset."""
    return _misses.set([])


def recorded_misses() -> list[str]:
    """The msgids that fell back to Swedish since collect_misses()."""
    return list(_misses.get() or [])


def stop_collecting(token: contextvars.Token) -> None:
    """Stop recording fallbacks."""
    _misses.reset(token)


def load_catalog(locales_dir: Path, language: Language) -> Catalog:
    """Read locales/<code>/LC_MESSAGES/messages.po (the PO file itself: nothing to compile).

    What is read is kept for the process, keyed by the file's version (every app built in
    one process reads the same catalogs: the test suite builds thousands); each catalog
    gets its own copies of the dicts, so no app can change another's words."""
    catalog = Catalog(language)
    path = locales_dir / language.code / "LC_MESSAGES" / "messages.po"
    if language.code == SOURCE_LANGUAGE or not path.exists():
        return catalog
    stat = path.stat()
    catalog.version = (str(path), stat.st_mtime_ns, stat.st_size)
    messages, plurals, plural_rule = _read_catalog(
        str(path), language.babel_locale, catalog.version[1:]
    )
    catalog.plural_rule = plural_rule
    catalog.messages = dict(messages)
    catalog.plurals = dict(plurals)
    return catalog


@lru_cache(maxsize=64)
def _read_catalog(
    path: str, locale: str, _version: tuple[int, int]
) -> tuple[dict[str, str], dict[str, tuple[str, ...]], object]:
    """A PO file's translations, plural forms and plural rule (a function of n)."""
    po = translated_entries(Path(path), locale)
    plurals = {msgids[0]: forms for msgids, forms in po.plurals}
    return dict(po.singulars), plurals, po.plural_expr and _plural_function(po.plural_expr)


def _plural_function(expr: str):
    """Turn a gettext plural expression into a function of n."""
    from gettext import c2py

    return c2py(expr)


# Babel works out a pattern afresh on each call; a sweep formats the same few days and
# times for thousands of messages.
@lru_cache(maxsize=4096)
def _format_date(day: date, pattern: str, locale: str) -> str:
    return format_date(day, pattern, locale=locale)


@lru_cache(maxsize=4096)
def _format_time(moment: datetime, pattern: str, locale: str) -> str:
    return format_time(moment, pattern, locale=locale)


@lru_cache(maxsize=64)
def _day_names(locale: str) -> tuple[str, ...]:
    names = get_day_names("wide", locale=locale)
    return tuple(names[index] for index in range(7))


@lru_cache(maxsize=1024)
def _format_list(items: tuple[str, ...], locale: str) -> str:
    return format_list(list(items), locale=locale)


class Formatter:
    """Locale-aware dates, times, numbers and money for one language."""

    def __init__(self, language: Language, timezone: str) -> None:
        self.language = language
        self.tz = ZoneInfo(timezone)

    def local(self, value: datetime) -> datetime:
        """A datetime in the unit's time zone."""
        return value.astimezone(self.tz)

    def _weekday_date(self, value: date | datetime, pattern: str) -> str:
        day = self.local(value).date() if isinstance(value, datetime) else value
        locale = self.language.babel_locale
        names = self.language.weekday_names
        if names:  # the registry's own weekday forms, where Babel's data falls short
            return f"{names[day.weekday()]} {_format_date(day, pattern, locale)}"
        return _format_date(day, f"EEEE {pattern}", locale)

    def weekday_date(self, value: date | datetime) -> str:
        """'tisdag 4 mars': weekday and month by name, as easy-read asks."""
        return self._weekday_date(value, "d MMMM")

    def weekday_date_year(self, value: date | datetime) -> str:
        """'tisdag 4 mars 2025', for dates that may be in another year."""
        return self._weekday_date(value, "d MMMM y")

    def day(self, value: date | datetime) -> str:
        """'tisdag 4 mars', with the year only when it is not this year."""
        day = self.local(value).date() if isinstance(value, datetime) else value
        if day.year == datetime.now(self.tz).year:
            return self.weekday_date(day)
        return self.weekday_date_year(day)

    def weekday_name(self, index: int) -> str:
        """The name of a weekday, Monday being 0: 'måndag'."""
        if self.language.weekday_names:
            return self.language.weekday_names[index]
        return _day_names(self.language.babel_locale)[index]

    @staticmethod
    def upper_first(text: str) -> str:
        """The first letter in upper case, the rest as it is (unlike Jinja's capitalize)."""
        return text[:1].upper() + text[1:]

    def language_name(self, code: str) -> str:
        """A language's name in this language: 'arabiska' in Swedish."""
        other = get_language(code)
        if self.language.code in other.names:
            return other.names[self.language.code]
        return (
            Locale.parse(other.babel_locale).get_language_name(self.language.babel_locale) or code
        )

    def clock(self, value: datetime) -> str:
        """The clock time in the language's usual form ('14.00' in Swedish)."""
        pattern = self.language.time_pattern or "short"
        return _format_time(self.local(value), pattern, self.language.babel_locale)

    @staticmethod
    def office_time(value: str) -> str:
        """An office-hours clock time as the unit's settings give it ('9', '8.30'): written
        as it is; said from recordings as a clock time (app/voice/phrases.py)."""
        return value

    def number(self, value: float) -> str:
        """A number with the language's decimal sign."""
        return format_decimal(value, locale=self.language.babel_locale)

    def join(self, items: list[str]) -> str:
        """'a, b och c': a list in the language's own way."""
        return _format_list(tuple(items), self.language.babel_locale) if items else ""

    def money(self, amount: float, currency: str = "SEK") -> str:
        """An amount with the currency named in words ('5 400 svenska kronor'), no öre
        when there are none: easier to read than 'SEK' or 'kr'."""
        pattern = "#,##0" if float(amount).is_integer() else "#,##0.00"
        return format_currency(
            amount,
            currency,
            format=pattern,
            locale=self.language.babel_locale,
            format_type="name",
            currency_digits=False,
        )


class MessageCatalogs:
    """Per-language Jinja environments over messages/, built once at start-up."""

    def __init__(
        self,
        messages_dir: Path,
        locales_dir: Path,
        timezone: str,
        pages_dir: Path | None = None,
        *,
        auto_reload: bool = False,
    ) -> None:
        self.messages_dir = messages_dir
        self.auto_reload = auto_reload
        self.locales_dir = locales_dir
        self.timezone = timezone
        self.catalogs = {lang.code: load_catalog(locales_dir, lang) for lang in languages()}
        self._environments = {lang.code: self._environment(lang) for lang in languages()}
        # Pages are HTML: escaped, and able to use the message templates' macros too.
        self._pages = {
            lang.code: self._environment(lang, extra_dir=pages_dir, autoescape=True)
            for lang in languages()
        }

    def _environment(
        self, language: Language, extra_dir: Path | None = None, autoescape: bool = False
    ) -> jinja2.Environment:
        folders = [extra_dir, self.messages_dir] if extra_dir else [self.messages_dir]
        env = MessageEnvironment(
            loader=jinja2.FileSystemLoader(folders),
            extensions=["jinja2.ext.i18n"],
            autoescape=autoescape,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=self.auto_reload,  # else each render looks at the files' dates
            bytecode_cache=SharedBytecodeCache("pages" if autoescape else "messages"),
        )
        env.policies["ext.i18n.trimmed"] = True
        catalog = self.catalogs[language.code]
        env.install_translations(catalog.gettext, catalog.ngettext)
        formatter = Formatter(language, self.timezone)
        env.filters.update(
            weekday_date=formatter.weekday_date,
            weekday_date_year=formatter.weekday_date_year,
            day=formatter.day,
            weekday_name=formatter.weekday_name,
            language_name=formatter.language_name,
            clock=formatter.clock,
            office_time=formatter.office_time,
            number=formatter.number,
            money=formatter.money,
            join=formatter.join,
            upper_first=formatter.upper_first,
            row=row,
        )
        catalog_dir = self.messages_dir / "catalog"

        def catalog_text(name: str, key: str, field: str) -> str:
            return catalog.gettext(domain_catalog.entry(catalog_dir, name, key)[field])

        def catalog_list(name: str, keys: list[str], field: str) -> list[str]:
            return [catalog_text(name, key, field) for key in keys]

        env.globals.update(
            lang=language.code,
            catalog_list=catalog_list,
            direction=language.direction,
            catalog_text=catalog_text,
        )
        return env

    def environment(self, code: str) -> jinja2.Environment:
        """The environment for a language (Swedish for unknown codes)."""
        found = self._environments.get(code)  # compose() asks by the language's own code
        return found if found is not None else self._environments[get_language(code).code]

    def page_environment(self, code: str) -> jinja2.Environment:
        """The HTML environment for a language's pages (autoescaped)."""
        return self._pages[get_language(code).code]

    def gettext(self, code: str, msgid: str) -> str:
        """One string in a language (falls back to Swedish, recorded as a miss)."""
        return self.catalogs[get_language(code).code].gettext(msgid)

    def formatter(self, code: str) -> Formatter:
        """A formatter for a language."""
        return Formatter(get_language(code), self.timezone)


def init_app(app: Flask) -> None:
    """Load every catalog once; templates are read from disk on first use."""
    app.extensions["tydligt.catalogs"] = MessageCatalogs(
        Path(app.config["MESSAGES_DIR"]),
        Path(app.config["LOCALES_DIR"]),
        app.config["TIMEZONE"],
        pages_dir=Path(app.root_path) / "templates" / "pages",
        auto_reload=app.debug,
    )


def catalogs() -> MessageCatalogs:
    """The current app's catalogs."""
    return current_app.extensions["tydligt.catalogs"]
