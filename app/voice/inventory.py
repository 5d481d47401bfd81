"""Every recording the phone needs in a language, read from the templates themselves.

The recording script, the admin page's coverage, `flask recordings check` and the planner
(may a client in this language get reminder calls?) all ask here. Each screen of the phone
menu and the reminder call is a few message kinds (`SCREENS`); each kind's template is read
as Jinja reads it, following the macros it imports and leaving out what only a text or a
page says (`{% if channel == "sms" %}`), and gives its phrases: the `{% trans %}`
sentences and the catalog texts (every entry a template may name). A phrase needs one
recording per fixed piece of its translation; the values in it need the language's
vocabulary (weekdays, months, days, numbers, the words for amounts, the language names).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache

import jinja2
from jinja2 import nodes

from app.casework import catalog as domain_catalog
from app.models import DecisionOutcome
from app.voice import names
from app.voice.recordings import store
from app.words.i18n import Catalog, Formatter, catalogs
from app.words.languages import SOURCE_LANGUAGE, get_language, languages

_KEYS = ("voice_keys",)
# What each screen of a call says: the phone menu's screens and the reminder call.
SCREENS: dict[str, tuple[str, ...]] = {
    "menu": ("voice_menu", "voice_silence"),
    "option1": ("reply_appointment", "reply_no_appointment", "reply_confirmed", "reply_declined")
    + _KEYS,
    "option2": ("reply_documents", "reply_no_documents") + _KEYS,
    "option3": tuple(f"decision_{outcome}" for outcome in DecisionOutcome)
    + ("reply_no_decision",)
    + _KEYS,
    "option4": ("callback_confirmation", "voice_recording") + _KEYS,
    "option5": ("voice_languages",),
    "option6": ("reply_contact",) + _KEYS,
    "option7": ("reply_complaints",) + _KEYS,
    "option8": ("reply_new_caseworker",) + _KEYS,
    "option9": ("reply_support",) + _KEYS,
    "pin": ("voice_pin",),
    "whose": ("reply_whose",),
    "picture_link": ("voice_picture_link",),
    "interpreter": ("voice_interpreter",),
    "reminder_call": (
        "appointment_reminder",
        "appointment_cancelled",
        "voice_discreet_call",
        "voice_pin",
        "reply_confirmed",
        "reply_declined",
        "call_goodbye",
    ),
}
# Filters whose values are said from the vocabulary, and what of it they need.
_VALUE_FILTERS = {
    "weekday_date": ("dates", "numbers"),
    "weekday_date_year": ("dates", "numbers"),
    "day": ("dates", "numbers"),
    "weekday_name": ("dates",),
    "clock": ("numbers", "times"),
    "office_time": ("numbers", "times"),
    "number": ("numbers",),
    "money": ("numbers", "money"),
    "language_name": ("languages",),
    "join": ("lists",),
}
# Variables given as plain numbers or phone numbers (no filter says so).
_NUMBER_VARIABLES = frozenset({"number", "n", "count", "phone", "days", "minutes"})


@dataclass(frozen=True)
class Source:
    """A phrase as the templates use it: its Swedish text(s) and what its values need."""

    msgid: str
    plural: str | None = None
    catalog: bool = False
    vocabulary: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Needed:
    """One recording to make in one language."""

    name: str
    group: str  # "phrase", "catalog" or "value"
    swedish: str  # the Swedish sentence, with its slots as {name}
    text: str  # the words to record, in the language ("" when there is no translation yet)
    sentence: str  # the whole sentence in the language, slots as [name]
    used_in: tuple[str, ...]  # screens
    optional: bool = False  # a unit's name: said by the Swedish voice when not recorded
    piece: int = 0  # which of the sentence's fixed pieces it is (a word may come twice)


@dataclass
class Coverage:
    """What one language has and lacks."""

    code: str
    needed: list[Needed]
    recorded: list[Needed]
    missing: list[Needed]
    by_screen: dict[str, int] = field(default_factory=dict)  # screen -> recordings missing
    unused: list[str] = field(default_factory=list)  # files no phrase needs any more

    @property
    def complete(self) -> bool:
        return not self.missing

    def screen_complete(self, screen: str) -> bool:
        return self.by_screen.get(screen, 1) == 0

    @property
    def callers_get(self) -> str:
        """What a caller in this language gets, the one answer for every screen that says
        it: "voice" (Twilio's), "voice_and_recordings" (recorded phrases win, the voice says
        the rest), "complete" (recordings), "incomplete" (recordings; a screen lacking one
        offers an interpreter) or "none" (the interpreter offer)."""
        if get_language(self.code).has_voice:
            return "voice_and_recordings" if self.recorded else "voice"
        if not self.recorded:
            return "none"
        return "complete" if self.complete else "incomplete"


def _static(test: nodes.Node) -> bool | None:
    """The value of an `{% if %}` test on the voice channel, when it depends only on the
    channel (None: it depends on the facts)."""
    if isinstance(test, nodes.Compare) and isinstance(test.expr, nodes.Name):
        if test.expr.name == "channel" and len(test.ops) == 1:
            operand = test.ops[0]
            if isinstance(operand.expr, nodes.Const):
                if operand.op == "eq":
                    return operand.expr.value == "voice"
                if operand.op == "ne":
                    return operand.expr.value != "voice"
    if isinstance(test, nodes.And):
        left, right = _static(test.left), _static(test.right)
        if left is False or right is False:
            return False
        return True if left and right else None
    if isinstance(test, nodes.Or):
        left, right = _static(test.left), _static(test.right)
        if left or right:
            return True
        return False if left is False and right is False else None
    if isinstance(test, nodes.Not):
        inner = _static(test.node)
        return None if inner is None else not inner
    return None


class _Reader:
    """Reads one kind's template and the macros it uses, for the voice channel."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self.parsed: dict[str, nodes.Template] = {}
        self.walked_macros: set[tuple[str, str]] = set()
        self.found: list[Source] = []

    def template(self, name: str) -> nodes.Template:
        if name not in self.parsed:
            loader = self.env.loader
            assert loader is not None
            source, _, _ = loader.get_source(self.env, name)
            self.parsed[name] = self.env.parse(source, name)
        return self.parsed[name]

    def macros(self, name: str) -> dict[str, tuple[str, nodes.Macro]]:
        """The macros a template can call: its own and those it imports."""
        tree = self.template(name)
        found = {macro.name: (name, macro) for macro in tree.find_all(nodes.Macro)}
        for imported in tree.find_all(nodes.FromImport):
            if isinstance(imported.template, nodes.Const):
                other = imported.template.value
                theirs = {m.name: (other, m) for m in self.template(other).find_all(nodes.Macro)}
                for entry in imported.names:
                    original, alias = entry if isinstance(entry, tuple) else (entry, entry)
                    if original in theirs:
                        found[alias] = theirs[original]
        return found

    def read(self, kind: str) -> list[Source]:
        name = f"{kind}.j2"
        tree = self.template(name)
        body = [node for node in tree.body if not isinstance(node, nodes.Macro)]
        self.walk(body, name)
        return self.found

    def walk(self, body: list[nodes.Node], template: str) -> None:
        for node in body:
            self.visit(node, template)

    def visit(self, node: nodes.Node, template: str) -> None:
        if isinstance(node, nodes.If):
            verdict = _static(node.test)
            if verdict is not False:
                self.walk(node.body, template)
            if verdict is not True:
                for branch in node.elif_:
                    self.visit(branch, template)
                self.walk(node.else_, template)
            return
        if isinstance(node, nodes.Macro | nodes.FromImport):
            return
        if isinstance(node, nodes.Call):
            self.call(node, template)
        for child in node.iter_child_nodes():
            self.visit(child, template)

    def call(self, node: nodes.Call, template: str) -> None:
        if not isinstance(node.node, nodes.Name):
            return
        called = node.node.name
        if called in ("gettext", "ngettext", "_"):
            self.phrase(node)
        elif called in ("catalog_text", "catalog_list"):
            self.catalog(node)
        else:
            macro = self.macros(template).get(called)
            if macro is not None and (macro[0], called) not in self.walked_macros:
                self.walked_macros.add((macro[0], called))
                self.walk(macro[1].body, macro[0])

    def phrase(self, node: nodes.Call) -> None:
        texts = [arg.value for arg in node.args if isinstance(arg, nodes.Const)]
        if not texts or not isinstance(texts[0], str):
            return
        vocabulary: set[str] = set()
        for keyword in node.kwargs:
            if keyword.key in _NUMBER_VARIABLES:
                vocabulary.add("numbers")
            for used in keyword.value.find_all(nodes.Filter):
                vocabulary.update(_VALUE_FILTERS.get(used.name, ()))
            if isinstance(keyword.value, nodes.Filter):
                vocabulary.update(_VALUE_FILTERS.get(keyword.value.name, ()))
        plural = texts[1] if node.node.name == "ngettext" and len(texts) > 1 else None  # type: ignore[attr-defined]
        if plural is not None:
            vocabulary.add("numbers")
        self.found.append(Source(texts[0], plural, vocabulary=frozenset(vocabulary)))

    def catalog(self, node: nodes.Call) -> None:
        args = node.args
        if len(args) != 3 or not all(isinstance(args[i], nodes.Const) for i in (0, 2)):
            return
        table, field_name = args[0].value, args[2].value  # type: ignore[attr-defined]
        directory = catalogs().messages_dir / "catalog"
        for entry in domain_catalog.entries(directory, table).values():
            text = entry.get(field_name)
            if isinstance(text, str) and text:
                self.found.append(Source(text, catalog=True))


@cache
def _sources_cached(messages_dir: str) -> dict[str, tuple[Source, ...]]:
    env = catalogs().environment(SOURCE_LANGUAGE)
    kinds = sorted({kind for screen in SCREENS.values() for kind in screen})
    return {kind: tuple(dict.fromkeys(_Reader(env).read(kind))) for kind in kinds}


def sources() -> dict[str, tuple[Source, ...]]:
    """Every phrase each voice kind may say (read once per process)."""
    return _sources_cached(str(catalogs().messages_dir))


def _slots(text: str, left: str, right: str) -> str:
    import re

    return re.sub(r"%\((\w+)\)s", lambda m: f"{left}{m.group(1)}{right}", text.replace("%%", "%"))


def _forms(source: Source, catalog: Catalog) -> list[tuple[int, str, str]]:
    """(form, Swedish, translation) for each form of a phrase in a language."""
    code = catalog.language.code
    if source.plural is None:
        text = source.msgid if code == SOURCE_LANGUAGE else catalog.messages.get(source.msgid, "")
        return [(0, source.msgid, text)]
    if code == SOURCE_LANGUAGE:
        return [(0, source.msgid, source.msgid), (1, source.plural, source.plural)]
    forms = catalog.plurals.get(source.msgid) or ("",)
    return [(i, source.msgid if i == 0 else source.plural, text) for i, text in enumerate(forms)]


def _phrase_needs(source: Source, catalog: Catalog) -> Iterator[tuple[str, str, str, str, int]]:
    """(name, Swedish sentence, words to record, whole sentence, piece) for each piece."""
    from app.voice.phrases import Phrase

    for form, swedish, text in _forms(source, catalog):
        if not text:  # no translation yet: one entry that says so
            yield names.piece_name(source.msgid, form, 0, ""), _slots(swedish, "{", "}"), "", "", 0
            continue
        for part in Phrase(source.msgid, form, text, {}).pieces():
            if isinstance(part, tuple):
                name = names.piece_name(source.msgid, form, part[0], part[1])
                yield name, _slots(swedish, "{", "}"), part[1], _slots(text, "[", "]"), part[0]


def _vocabulary(code: str, groups: set[str]) -> Iterator[tuple[str, str, str, str]]:
    """(name, Swedish, words to record, where said) for the values a language's calls say."""
    words, swedish = catalogs().formatter(code), catalogs().formatter(SOURCE_LANGUAGE)
    if "dates" in groups:
        yield from ((*said, said[2]) for said in _dates(words, swedish))
    numbers = bool(groups & {"numbers", "dates", "times", "money"})
    if numbers:
        yield from ((*said, said[2]) for said in _numbers())
    single = ["thousand", "million", "point"] if numbers else []
    if "lists" in groups or "money" in groups or numbers and get_language(code).voice_number_and:
        single.append("and")
    if "times" in groups:
        single += [p for p in get_language(code).voice_time if p not in ("hour", "minute")]
    if "money" in groups:
        single += ["kronor", "ore"]
    for word in dict.fromkeys(single):
        yield word, *_word(code, word)
    if "languages" in groups:
        for other in languages():
            said = (swedish.language_name(other.code), words.language_name(other.code))
            yield names.language(other.code), *said, said[1]


def _word(code: str, word: str) -> tuple[str, str, str]:
    """A single word: in Swedish, in the language, and where it is said."""
    directory = catalogs().messages_dir / "catalog"
    swedish = domain_catalog.entry(directory, "voice_words", word)["name"]
    catalog = catalogs().catalogs[code]
    text = swedish if code == SOURCE_LANGUAGE else catalog.messages.get(swedish, "")
    return swedish, text, f"{text} – {names.WORDS[word]}"


def _dates(words: Formatter, swedish: Formatter) -> Iterator[tuple[str, str, str]]:
    for index in range(7):
        yield names.weekday(index), swedish.weekday_name(index), words.weekday_name(index)
    for month in range(1, 13):
        yield names.month(month), _month(swedish, month), _month(words, month)
    for day in range(1, 32):
        example = f"{day} ({_example_date(words, day)})"
        yield names.day(day), f"{day} (som i datum: {day} mars)", example


def _numbers() -> Iterator[tuple[str, str, str]]:
    for value in range(100):
        yield names.number(value), str(value), str(value)
    for hundred in range(1, 10):
        yield names.hundreds(hundred), str(hundred * 100), str(hundred * 100)


def _month(formatter: Formatter, month: int) -> str:
    from datetime import date

    from babel.dates import format_date

    return format_date(date(2026, month, 1), "MMMM", locale=formatter.language.babel_locale)


def _example_date(formatter: Formatter, day: int) -> str:
    from datetime import date

    return formatter.weekday_date(date(2026, 3, day)).split(" ", 1)[-1]


# What each language needs, by its templates and its catalog's file: worked out once per
# process (the admin pages ask on every view; the test suite builds thousands of apps).
_NEEDED: dict[tuple, dict[str, Needed]] = {}


def needed(code: str, unit_names: tuple[str, ...] = ()) -> list[Needed]:
    """Every recording the phone needs in a language, each once, in screen order; a
    unit's name (optional) for each name given."""
    code = get_language(code).code
    key = (str(catalogs().messages_dir), code, catalogs().catalogs[code].version)
    if key not in _NEEDED:
        _NEEDED[key] = _needed(code)
    found = dict(_NEEDED[key])
    for unit_name in unit_names:
        name = names.unit(unit_name)
        found.setdefault(
            name, Needed(name, "value", unit_name, unit_name, unit_name, ("menu",), True)
        )
    return list(found.values())


def _needed(code: str) -> dict[str, Needed]:
    catalog = catalogs().catalogs[code]
    found: dict[str, Needed] = {}
    groups_by_screen: dict[str, set[str]] = {}
    for screen, kinds in SCREENS.items():
        groups = groups_by_screen.setdefault(screen, set())
        for kind in kinds:
            for source in sources()[kind]:
                groups.update(source.vocabulary)
                group = "catalog" if source.catalog else "phrase"
                for name, swedish, text, sentence, piece in _phrase_needs(source, catalog):
                    item = Needed(name, group, swedish, text, sentence, (screen,), piece=piece)
                    _add(found, item)
    for screen, groups in groups_by_screen.items():
        for name, swedish, text, sentence in _vocabulary(code, groups):
            if name.startswith(_WORDED) or name in names.WORDS:
                name = names.worded(name, text)
            _add(found, Needed(name, "value", swedish, text, sentence, (screen,)))
    return found


# Values whose words differ by language: their recordings' names carry the words.
_WORDED = ("weekday-", "month-", "language-")


def aliases(code: str) -> dict[str, str]:
    """A value's plain name ('weekday-1', 'and') -> its recording's name in a language
    ('weekday-1-3fa2c1'), for the values whose names carry their words."""
    made = catalogs().__dict__.setdefault("voice_aliases", {})
    code = get_language(code).code
    if code not in made:
        made[code] = {
            item.name.rsplit("-", 1)[0]: item.name
            for item in needed(code)
            if item.group == "value"
            and (item.name.startswith(_WORDED) or item.name.rsplit("-", 1)[0] in names.WORDS)
        }
    return made[code]


def _add(found: dict[str, Needed], item: Needed) -> None:
    earlier = found.get(item.name)
    if earlier is None:
        found[item.name] = item
    elif item.used_in[0] not in earlier.used_in:
        found[item.name] = replace(earlier, used_in=earlier.used_in + item.used_in)


def coverage(code: str, unit_names: tuple[str, ...] = ()) -> Coverage:
    """What a language has recorded and what it lacks, in all and per screen."""
    all_needed = needed(code, unit_names)
    files = store().files(code)
    recorded = [item for item in all_needed if item.name in files]
    missing = [item for item in all_needed if item.name not in files and not item.optional]
    by_screen = {screen: 0 for screen in SCREENS}
    for item in missing:
        for screen in item.used_in:
            by_screen[screen] += 1
    wanted = {item.name for item in all_needed}
    unused = sorted(name for name in files if name not in wanted and not name.startswith("unit-"))
    return Coverage(code, all_needed, recorded, missing, by_screen, unused)


def screen_of(kind: str) -> str:
    """The first screen that says a kind ("option1" for the next meeting)."""
    return next((screen for screen, kinds in SCREENS.items() if kind in kinds), kind)


def spoken(code: str, screen: str) -> bool:
    """Whether a screen can be said in a language: a Twilio voice, or every recording the
    screen needs (names aside)."""
    if get_language(code).has_voice:
        return True
    return store().has_any(code) and coverage(code).screen_complete(screen)


def missing_on(code: str, screen: str) -> int:
    """How many recordings a screen lacks in a language (none where Twilio has a voice)."""
    if get_language(code).has_voice:
        return 0
    return coverage(code).by_screen.get(screen, 0)


def reminder_calls_possible(code: str) -> bool:
    """Whether a client in this language can get reminder calls."""
    return spoken(code, "reminder_call")
