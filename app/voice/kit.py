"""The recording kit: what an interpreter records for a language, and what callers get.

The script is one row per recording the phone needs (app/voice/inventory.py): the file
name to save it as, the Swedish, the words to record in the language, and the whole
sentence they belong to (for context and intonation). Phrases come under the screen that
first says them; the values (weekdays, numbers …), which every screen uses, and the units'
names under headings of their own, as on the admin page. The command line writes it
(`flask recordings script`) and the admin page serves it; both ask these functions, so the
two never differ. Its words are staff words, in the staff member's language (Swedish
outside a request).
"""

import csv
import io
import re
from dataclasses import dataclass

from flask import render_template
from markupsafe import Markup, escape
from sqlmodel import col, select

from app.admin.words import N_, _, staff_language
from app.db import get_session
from app.models import Unit
from app.voice import inventory
from app.voice.audio import AudioProblem, inspect_file
from app.voice.phrases import Phrase
from app.voice.recordings import store
from app.words.i18n import catalogs
from app.words.languages import get_language

# Each screen in words staff know from the phone menu (inventory.SCREENS's keys); the same
# words as the admin page's (app/admin/recordings.py), so the script and the page agree.
SCREEN_LABELS = {
    "menu": N_("Phone menu"),
    "option1": N_("1 – next meeting"),
    "option2": N_("2 – documents we wait for"),
    "option3": N_("3 – decisions"),
    "option4": N_("4 – call me back"),
    "option5": N_("5 – language"),
    "option6": N_("6 – who to contact"),
    "option7": N_("7 – how to complain"),
    "option8": N_("8 – another case worker"),
    "option9": N_("9 – support"),
    "pin": N_("PIN code"),
    "whose": N_("Whose matter (representatives)"),
    "picture_link": N_("Link to the picture page"),
    "interpreter": N_("Interpreter offer"),
    "reminder_call": N_("Reminder call"),
}
# The values (said in every screen) and the units' names come after the screens' phrases,
# under headings of their own, as on the admin page.
VALUES, UNIT_NAMES = "values", "unit_names"
SECTION_LABELS = SCREEN_LABELS | {
    VALUES: N_("Dates, times, numbers and language names"),
    UNIT_NAMES: N_("The unit's name (optional: without it the Swedish voice says it)"),
}
GROUP_LABELS = {
    "phrase": N_("Phrase"),
    "catalog": N_("Catalog text"),
    "value": N_("Word or number"),
    "unit": N_("Unit name (optional)"),
}
_SLOT = re.compile(r"(\[\w+\])")  # a value's place in a sentence, as inventory shows it
# The format a recording is named with in the script; WAV is as welcome (the instructions
# say so), and the phone plays whichever is there.
SUGGESTED_SUFFIX = ".mp3"


def screen_label(screen: str) -> str:
    """A screen's (or the script's section's) name in the staff language."""
    return _(SECTION_LABELS.get(screen, screen))


def unit_names() -> tuple[str, ...]:
    """Every unit's sender name: the names the phone may say in a menu's greeting."""
    found = get_session().exec(select(Unit.sender_name).order_by(col(Unit.sender_name))).all()
    return tuple(dict.fromkeys(name for name in found if name))


@dataclass(frozen=True)
class ScriptRow:
    """One recording to make, as the script shows it."""

    name: str
    file: str  # the file to save it as ("" while the phrase has no translation)
    group: str  # "phrase", "catalog", "value" or "unit"
    section: str  # the script's heading: the first screen that says it, VALUES or UNIT_NAMES
    used_in: tuple[str, ...]  # every screen that says it
    swedish: str
    text: str  # the words to record ("" while the phrase has no translation)
    sentence: str  # the whole sentence in the language, other values as [name]
    recorded: bool
    piece: int = 0  # which of the sentence's pieces (the same words may come twice)

    @property
    def translated(self) -> bool:
        """Whether there are words to record (a translation)."""
        return bool(self.text)

    @property
    def optional(self) -> bool:
        """A unit's name: without a recording the Swedish voice says it."""
        return self.group == "unit"

    def marked(self) -> tuple[str, str, str]:
        """The sentence as (before, the words to record, after), for highlighting: the
        piece cut from the sentence as the phone cuts it (Phrase.pieces), not merely the
        first place its words appear (a short piece may end another one too)."""
        chunks = _SLOT.split(self.sentence)  # text, slot, text, slot … text
        translation = _SLOT.sub(lambda slot: f"%({slot.group(0)[1:-1]})s", self.sentence)
        for part in Phrase("", 0, translation, {}).pieces():
            if isinstance(part, tuple) and part == (self.piece, self.text):
                at = part[0] * 2
                before, found, after = chunks[at].rpartition(self.text)
                return "".join(chunks[:at]) + before, found, after + "".join(chunks[at + 1 :])
        return "", self.text, ""


def _row(item: inventory.Needed, files: dict, order: dict[str, int]) -> ScriptRow:
    path = files.get(item.name)
    if path is not None:
        file = path.name
    else:
        file = f"{item.name}{SUGGESTED_SUFFIX}" if item.text else ""
    screens = sorted(item.used_in, key=lambda screen: order.get(screen, len(order)))
    if item.optional:
        section = UNIT_NAMES
    else:
        section = VALUES if item.group == "value" else screens[0]
    return ScriptRow(
        name=item.name,
        file=file,
        group="unit" if item.optional else item.group,
        section=section,
        used_in=tuple(screens),
        swedish=item.swedish,
        text=item.text,
        sentence=item.sentence or item.text,
        recorded=path is not None,
        piece=item.piece,
    )


def script_rows(code: str, units: tuple[str, ...] = ()) -> list[ScriptRow]:
    """Every recording a language needs (and each unit's name): each screen's phrases in
    the order the screen says them, then the values, then the units' names."""
    sections = {key: i for i, key in enumerate([*inventory.SCREENS, VALUES, UNIT_NAMES])}
    order = {screen: index for index, screen in enumerate(inventory.SCREENS)}
    files = store().files(get_language(code).code)
    rows = [_row(item, files, order) for item in inventory.needed(code, units)]
    positions = {row.name: index for index, row in enumerate(rows)}
    return sorted(rows, key=lambda row: (sections[row.section], positions[row.name]))


def _language_title(code: str) -> Markup:
    """The language's name in the staff language, and in its own (isolated, so a name in
    a right-to-left script keeps its letters in order next to Swedish)."""
    language = get_language(code)
    name = catalogs().formatter(staff_language()).language_name(language.code)
    if name == language.native_name:
        return Markup(escape(name))
    native = Markup('<bdi lang="{}" dir="{}">{}</bdi>').format(
        language.bcp47, language.direction, language.native_name
    )
    return Markup("{} ({})").format(name, native)


CSV_HEADER = (
    N_("File"),
    N_("Section"),
    N_("Used in"),
    N_("Group"),
    N_("Swedish"),
    N_("To record"),
    N_("Whole sentence"),
    N_("Recorded"),
)


def _cell(value: str) -> str:
    """A spreadsheet cell that is never read as a formula (a unit's name is typed by
    staff, and a spreadsheet runs "=…" when the file is opened)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def script_csv(code: str, rows: list[ScriptRow]) -> str:
    """The script as CSV for a spreadsheet: UTF-8 with a byte order mark (so Excel reads
    the letters right), a header row, one row per recording."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_(title) for title in CSV_HEADER])
    missing = _("Translation missing")
    for row in rows:
        writer.writerow(
            _cell(value)
            for value in [
                row.file,
                screen_label(row.section),
                "; ".join(screen_label(screen) for screen in row.used_in),
                _(GROUP_LABELS[row.group]),
                row.swedish,
                row.text or missing,
                row.sentence,
                _("Yes") if row.recorded else _("No"),
            ]
        )
    return out.getvalue()


INSTRUCTIONS = (
    N_("Record in a quiet room, close to the microphone."),
    N_("One phrase per file. Name each file exactly as the list says."),
    N_("Speak naturally, clearly and a little slowly, as to someone who needs time to understand."),
    N_(
        "Save each file as MP3 or WAV, between 0.2 and 30 seconds long, with no long "
        "silence before or after the words."
    ),
    N_(
        "Record only the marked words. The rest of the sentence shows where they are "
        "used: the phone fills in what is in brackets (names, dates, numbers)."
    ),
    N_("Tick the box when a phrase is recorded."),
    N_("“Translation missing”: the phrase must be translated before it can be recorded."),
    N_("A unit's name is optional: without a recording, the Swedish voice says it."),
)


def script_html(code: str, rows: list[ScriptRow]) -> str:
    """The script as a printable page (A4), grouped by screen, with the instructions for
    the interpreter at the top."""
    language = get_language(code)
    screens: dict[str, list[ScriptRow]] = {}
    for row in rows:
        screens.setdefault(row.section, []).append(row)
    words = {
        key: _(text)
        for key, text in {
            "file": N_("File"),
            "swedish": N_("Swedish"),
            "to_record": N_("To record"),
            "sentence": N_("Whole sentence"),
            "done": N_("Done"),
            "recorded": N_("Recorded"),
            "missing": N_("Translation missing"),
            "how": N_("How to record"),
            "also_wav": N_("MP3 or WAV: both work."),
            "optional": N_("Optional"),
        }.items()
    }
    to_record = sum(1 for row in rows if row.translated and not row.recorded)
    heading = Markup(escape(_("Recording script: %(language)s"))) % {
        "language": _language_title(code)
    }
    return render_template(
        "recordings/script.html",
        staff_lang=staff_language(),
        language=language,
        title=heading.striptags(),
        heading=heading,
        summary=_(
            "%(total)s recordings, %(recorded)s already recorded, %(left)s to record.",
            total=len(rows),
            recorded=sum(1 for row in rows if row.recorded),
            left=to_record,
        ),
        instructions=[_(text) for text in INSTRUCTIONS],
        screens=[(screen_label(screen), items) for screen, items in screens.items()],
        words=words,
    )


# What a caller in a language gets, as the check says it (English, like every command).
CALLERS_GET = {
    "voice": "Twilio voice",
    "voice_and_recordings": "Twilio voice (recordings played where they exist)",
    "complete": "recordings (complete)",
    "incomplete": "recordings incomplete: callers are offered an interpreter",
    "none": "no recordings: callers are offered an interpreter",
}


@dataclass(frozen=True)
class BadFile:
    """A kept recording that fails the audio check."""

    file: str
    problem: str  # English, as the command line says it


@dataclass(frozen=True)
class LanguageCheck:
    """One language's recordings, checked."""

    code: str
    coverage: inventory.Coverage
    bad: tuple[BadFile, ...]
    has_voice: bool

    @property
    def callers_get(self) -> str:
        """Which of CALLERS_GET applies (app/voice/inventory.py decides)."""
        return self.coverage.callers_get

    @property
    def ok(self) -> bool:
        """Nothing to fix: no bad file, and a language that relies on recordings (no
        Twilio voice) is either complete or has none. A voice language may have only a
        few (its voice says the rest), so it is never incomplete."""
        return not self.bad and self.callers_get != "incomplete"


def check_language(code: str, units: tuple[str, ...] = ()) -> LanguageCheck:
    """Coverage of a language and the audio check of every file it has."""
    code = get_language(code).code
    bad = []
    for path in store().candidates(code):
        try:
            inspect_file(path)
        except AudioProblem as problem:
            bad.append(BadFile(path.name, str(problem.message)))
    return LanguageCheck(
        code, inventory.coverage(code, units), tuple(bad), get_language(code).has_voice
    )
