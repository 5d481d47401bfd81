"""The phone's recorded phrases, for administrators: what callers in each language get,
what is still to be recorded, uploads checked before they are kept, playback, and the calls
that fell back to the interpreter offer for want of a recording.

Recordings belong to the installation (one folder, RECORDINGS_DIR), not to a unit: every
unit's administrators see and change the same set. Only the calls that fell back are the
unit's own (its clients' calls, by the access rule).
"""

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import Response, abort, render_template, request
from sqlalchemy import distinct, func
from sqlalchemy import select as core_select
from sqlmodel import col

from app import access
from app.admin import SECURITY_HEADERS, bp
from app.admin.access import current_staff, today
from app.admin.auth import admin_only
from app.admin.forms import Form
from app.admin.labels import language_label
from app.admin.words import N_, _, ngettext
from app.db import get_session
from app.models import CallStep, Client, utcnow
from app.voice import inventory, kit
from app.voice.inventory import Coverage, Needed
from app.voice.kit import SCREEN_LABELS, UNIT_NAMES, screen_label, unit_names
from app.voice.recordings import store, url
from app.words.languages import Language, get_language, language_codes, languages

# One phrase of at most 30 s (app/voice/audio.py) as a WAV at 48 kHz, 16-bit stereo, the
# largest a recording program is likely to save, is 5.5 MB; the form around it adds little.
UPLOAD_LIMIT = 6 * 1024 * 1024
ACCEPT = ".mp3,.wav,audio/mpeg,audio/wav"
FALLBACK_DAYS = 30

# Steps of a call as stored (CallStep.screen: the step that answered), in staff words.
STEP_LABELS = {
    "incoming": N_("Start of the call"),
    "show": N_("A menu screen"),
    "pressed": N_("After a key press"),
    "recorded": N_("After a recorded message"),
}


def callers_get(language: Language, coverage: Coverage) -> str:
    """What a caller in this language hears, in staff words."""
    gets = coverage.callers_get
    if gets == "voice":
        return _("Twilio voice")
    if gets == "voice_and_recordings":
        return ngettext(
            "Twilio voice; %(num)d phrase recorded", "Twilio voice; %(num)d phrases recorded",
            len(coverage.recorded),
        )  # fmt: skip
    if gets == "none":
        return _("No recordings – callers get the interpreter offer")
    if gets == "complete":
        return _("Recordings, complete")
    return _("Recordings incomplete – callers get the interpreter offer")


@bp.app_template_global("phone_in_language")
def phone_in_language(code: str | None) -> str:
    """The contact-needs line about calls in a client's language Twilio has no voice for
    ("" when it has one): recorded phrases, or the interpreter offer."""
    language = get_language(code)
    coverage = inventory.coverage(language.code)
    gets = coverage.callers_get
    if gets in ("voice", "voice_and_recordings"):
        return ""
    name = language_label(language.code)
    if gets == "none":
        return _("Phone in %(language)s: no recordings yet – calls offer an interpreter",
                 language=name)  # fmt: skip
    if gets == "complete":
        return _("Phone in %(language)s: recorded phrases", language=name)
    return _("Phone in %(language)s: recorded phrases, some missing – some calls offer an "
             "interpreter", language=name)  # fmt: skip


@dataclass(frozen=True)
class LanguageCoverage:
    """One row of the overview."""

    language: Language
    coverage: Coverage
    callers_get: str
    complete_screens: list[str]


@dataclass(frozen=True)
class Fallback:
    """Calls of the unit's clients that fell back in one language and step."""

    language: str
    step: str
    calls: int
    steps: int
    latest: datetime


def _fallbacks() -> list[Fallback]:
    """The last 30 days' steps said as the interpreter offer for want of recordings, of
    the clients this person may see (the access rule): counted, never named."""
    since = utcnow() - timedelta(days=FALLBACK_DAYS)
    latest = func.max(col(CallStep.created_at))
    rows = (
        get_session()
        .execute(  # five columns: more than SQLModel's select() types
            core_select(
                col(CallStep.language),
                col(CallStep.screen),
                func.count(distinct(col(CallStep.call_sid))),
                func.count(col(CallStep.id)),
                latest,
            )
            .join(Client, col(Client.id) == CallStep.client_id)
            .where(
                col(CallStep.voice) == "fallback",
                col(CallStep.created_at) >= since,
                access.staff_clients(current_staff(), today()),
            )
            .group_by(col(CallStep.language), col(CallStep.screen))
            .order_by(latest.desc(), col(CallStep.language), col(CallStep.screen))
        )
        .all()
    )
    return [Fallback(language or "", screen, calls, steps, at)
            for language, screen, calls, steps, at in rows]  # fmt: skip


def step_label(step: str) -> str:
    """A call's step as stored, in staff words (the raw name when it is a new one)."""
    label = SCREEN_LABELS.get(step) or STEP_LABELS.get(step)
    return _(label) if label else step


@bp.route("/recordings")
@admin_only
def recordings():
    """Every language: what callers get, what is recorded and missing, and the calls of
    the unit's clients that fell back to the interpreter offer."""
    units = unit_names()
    rows = []
    for language in languages():
        coverage = inventory.coverage(language.code, units)
        complete = [screen_label(s) for s in inventory.SCREENS if coverage.screen_complete(s)]
        rows.append(LanguageCoverage(language, coverage, callers_get(language, coverage), complete))
    return render_template(
        "admin/recordings/index.html",
        rows=rows,
        voices=[language_label(row.language.code) for row in rows if row.language.has_voice],
        screen_count=len(inventory.SCREENS),
        fallbacks=_fallbacks(),
        days=FALLBACK_DAYS,
        step_label=step_label,
    )


@dataclass(frozen=True)
class Row:
    """One needed recording on a language's page."""

    item: Needed
    status: str  # "recorded", "missing" or "untranslated"
    path: Path | None
    player: str  # the public address of the file, on this site

    @property
    def may_upload(self) -> bool:
        return self.status != "untranslated"


@dataclass(frozen=True)
class Group:
    """Needed recordings under one heading: a screen, the values, or the unit's name."""

    key: str
    label: str
    rows: list[Row]
    total: int
    missing: int


def player(code: str, path: Path) -> str:
    """The public address of a recording, as a path on this site: the admin page may be
    reached by another host name than the one Twilio is given (PUBLIC_BASE_URL)."""
    address = urlsplit(url(code, path))
    return f"{address.path}?{address.query}"


def _row(code: str, item: Needed, files: dict[str, Path]) -> Row:
    path = files.get(item.name)
    if path is not None:
        return Row(item, "recorded", path, player(code, path))
    return Row(item, "missing" if item.text else "untranslated", None, "")


# The values, over 150 recordings, under four headings of their own (by name).
VALUE_GROUPS = {
    "dates": N_("Weekdays, months and days"),
    "numbers": N_("Numbers"),
    "language_names": N_("Language names"),
    "words": N_("Single words (and, kronor …)"),
}
_VALUE_PREFIXES = (
    ("weekday-", "dates"),
    ("month-", "dates"),
    ("day-", "dates"),
    ("number-", "numbers"),
    ("hundred-", "numbers"),
    ("thousand", "numbers"),
    ("million", "numbers"),
    ("point", "numbers"),
    ("language-", "language_names"),
)


def group_key(item: Needed) -> str:
    """The heading a recording comes under on a language's page."""
    if item.optional:
        return UNIT_NAMES
    if item.group == "value":
        return next((g for prefix, g in _VALUE_PREFIXES if item.name.startswith(prefix)), "words")
    return item.used_in[0]


def group_label(key: str) -> str:
    """A heading of a language's page in the staff language."""
    return _(VALUE_GROUPS[key]) if key in VALUE_GROUPS else screen_label(key)


def groups(code: str, only_missing: bool) -> tuple[list[Group], Coverage]:
    """A language's needed recordings under their headings (the screen that first needs
    each phrase; then the values; then the units' names), with counts."""
    coverage = inventory.coverage(code, unit_names())
    files = store().files(code)
    keys = [*inventory.SCREENS, *VALUE_GROUPS, UNIT_NAMES]
    found: dict[str, list[Row]] = {key: [] for key in keys}
    for item in coverage.needed:
        found[group_key(item)].append(_row(code, item, files))
    result = []
    for key, rows in found.items():
        if not rows:
            continue
        missing = [row for row in rows if row.status != "recorded"]
        shown = missing if only_missing else rows
        result.append(Group(key, group_label(key), shown, len(rows), len(missing)))
    return result, coverage


def _chosen(found: list[Group], key: str) -> Group:
    """The heading asked for; else the first with something to record (else the first)."""
    by_key = {group.key: group for group in found}
    if key in by_key:
        return by_key[key]
    return next((group for group in found if group.missing and group.key != UNIT_NAMES), found[0])


def language_or_404(code: str) -> Language:
    """A language by its exact code, or 404."""
    if code not in language_codes():
        abort(404)
    return get_language(code)


def language_page(code: str, form: Form | None = None, status: int = 200, group: str = ""):
    """A language's page: its counts, its headings, and the recordings under one of them
    (a page of 400 file fields is neither quick to use nor to load); with a form sent back,
    its problems next to their rows."""
    language = language_or_404(code)
    only_missing = request.values.get("show") == "missing"
    found, coverage = groups(code, only_missing)
    page = render_template(
        "admin/recordings/language.html",
        language=language,
        coverage=coverage,
        callers_get=callers_get(language, coverage),
        groups=found,
        group=_chosen(found, group or request.values.get("group", "")),
        only_missing=only_missing,
        screen_label=screen_label,
        unused=[(name, store().find(code, name)) for name in coverage.unused],
        player=player,
        form=form or Form({}),
        accept=ACCEPT,
        most_mb=UPLOAD_LIMIT // (1024 * 1024),
    )
    return page, status


@bp.route("/recordings/<code>")
@admin_only
def recordings_language(code: str):
    """Every recording a language needs, by screen: the Swedish, the words to record, the
    file to listen to, and a form to upload or replace it."""
    return language_page(code)


_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


@bp.route("/recordings/<code>/script")
@admin_only
def recordings_script(code: str):
    """The recording script to print for the interpreter (app/voice/kit.py)."""
    language_or_404(code)
    page = kit.script_html(code, kit.script_rows(code, unit_names()))
    response = Response(page, mimetype="text/html")
    # The script is a standalone page with its own style sheet (the command line writes
    # it to a file): that one style block is allowed by its hash, nothing else inline.
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() + "'"
        for block in _STYLE.findall(page)
    )
    response.headers["Content-Security-Policy"] = SECURITY_HEADERS[
        "Content-Security-Policy"
    ].replace("style-src 'self'", f"style-src 'self' {hashes}".rstrip())
    return response


@bp.route("/recordings/<code>/script.csv")
@admin_only
def recordings_script_csv(code: str):
    """The recording script as a spreadsheet (UTF-8 with a byte order mark, for Excel)."""
    language_or_404(code)
    text = kit.script_csv(code, kit.script_rows(code, unit_names()))
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="recordings-{code}.csv"'},
    )
