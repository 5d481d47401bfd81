"""Settings: the unit's sender, numbers, hours, sending window and reminder offsets, and
the review status of each client language. Administrators only; every change is audited.

The review status is one file for the whole installation (locales/review.toml), shared
by every unit: the page shows it, and it is changed only on the server with
`flask --app app translate review`, never by one unit's administrator."""

import string

from flask import current_app, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from app.admin import bp, sso
from app.admin.access import current_staff, record
from app.admin.auth import admin_only
from app.admin.forms import Form
from app.admin.labels import kind_label
from app.admin.words import N_, _
from app.casework.contacts import WEEKDAYS, display_phone, parse_office_hours
from app.casework.handovers import LONGEST_NOTICE_DAYS, notices_changed
from app.config import ConfigError, parse_offsets
from app.db import get_session
from app.models import SubjectType, Unit
from app.outbox.kinds import KINDS
from app.outbox.phone_hours import meets_window
from app.words import catalog_files

# Phones show an alphanumeric sender of at most 11 characters; networks take only the
# letters A-Z, digits and spaces in it, with at least one letter.
SENDER_ID_LIMIT = 11
SENDER_ID_CHARACTERS = set(string.ascii_letters + string.digits + " ")
DEFAULT_WINDOW = "08:00-20:00"
WEEKDAY_NAMES = dict(
    zip(
        WEEKDAYS,
        (
            N_("Monday"),
            N_("Tuesday"),
            N_("Wednesday"),
            N_("Thursday"),
            N_("Friday"),
            N_("Saturday"),
            N_("Sunday"),
        ),
        strict=True,
    )
)
# Stored fields, and whether their value may be written to the audit log.
UNIT_FIELDS = {
    "sender_name": True,
    "phone": False,
    "phone_menu_number": False,
    "address": True,
    "office_hours": True,
    "sending_window": True,
    "reminder_offsets": True,
    "handover_notice_days": True,
    "sso_lets_staff_join": True,
    "two_factor_required": True,
}


def _clock_pair(text: str) -> tuple[str, str]:
    start, _sep, end = (text or "").partition("-")
    return start.strip(), end.strip()


def unit_form(unit: Unit) -> Form:
    """The settings form filled in with what is stored."""
    values = {
        "sender_name": unit.sender_name,
        "phone": display_phone(unit.phone),
        "phone_menu_number": display_phone(unit.phone_menu_number),
        "address": unit.address,
        "reminder_offsets": unit.reminder_offsets,
        "handover_notice_days": str(unit.handover_notice_days),
        "sso_lets_staff_join": "1" if unit.sso_lets_staff_join else "",
        "two_factor_required": "1" if unit.two_factor_required else "",
    }
    if parse_office_hours(unit.office_hours) is not None:
        days, _sep, hours = unit.office_hours.strip().lower().partition(" ")
        first, _sep, last = days.partition("-")
        opens, closes = _clock_pair(hours)
        values |= {"first_day": first, "last_day": last, "opens": opens, "closes": closes}
    start, end = _clock_pair(unit.sending_window or DEFAULT_WINDOW)
    values |= {"window_start": start, "window_end": end}
    return Form(MultiDict(values))


def _sender_name(form: Form) -> str:
    name = " ".join(form.value("sender_name").split())
    if not name:
        form.fail("sender_name", _("Fill this in."))
    elif len(name) > SENDER_ID_LIMIT:
        form.fail(
            "sender_name",
            _(
                "Use at most %(limit)d characters: phones show no more as the sender.",
                limit=SENDER_ID_LIMIT,
            ),
        )
    elif not any(c.isalpha() for c in name):
        form.fail("sender_name", _("Use at least one letter."))
    return name


def sender_name_warning(name: str) -> bool:
    """Whether some phones may show the sender name other than written (å, ä, ö, signs)."""
    return any(c not in SENDER_ID_CHARACTERS for c in name)


def _office_hours(form: Form) -> str:
    first = form.choice("first_day", WEEKDAYS)
    last = form.choice("last_day", WEEKDAYS)
    opens, closes = form.clock("opens"), form.clock("closes")
    if first not in WEEKDAYS or last not in WEEKDAYS or opens is None or closes is None:
        return ""
    if WEEKDAYS.index(first) > WEEKDAYS.index(last):
        form.fail("last_day", _("The last day must come after the first day."))
    if opens >= closes:
        form.fail("closes", _("The phone must close after it opens."))
    text = f"{first}-{last} {opens:%H:%M}-{closes:%H:%M}"
    if parse_office_hours(text) is None:  # the form messages and the phone menu read this
        form.fail("opens", _("Give a time like 09:00."))
    return text


def _sending_window(form: Form) -> str:
    start, end = form.clock("window_start"), form.clock("window_end")
    if start is None or end is None:
        return ""
    if start >= end:
        form.fail("window_end", _("The window must end later in the day than it starts."))
    return f"{start:%H:%M}-{end:%H:%M}"


def _reminder_offsets(form: Form) -> str:
    text = form.text("reminder_offsets", max_length=60)
    if not text:
        return ""  # the default, REMINDER_OFFSETS
    try:
        offsets = parse_offsets(text)
    except ConfigError:
        form.fail(
            "reminder_offsets",
            _("Write it like 3d,1d: days with d, hours with h, separated by commas."),
        )
        return text
    return ",".join(offset.label for offset in offsets)


def read_unit_settings(form: Form) -> dict:
    """The settings as they would be stored; form.errors says what is wrong."""
    return {
        "sender_name": _sender_name(form),
        "phone": form.phone("phone"),
        "phone_menu_number": form.phone("phone_menu_number", required=False),
        "address": form.text("address", max_length=200),
        "office_hours": _office_hours(form),
        "sending_window": _sending_window(form),
        "reminder_offsets": _reminder_offsets(form),
        "handover_notice_days": form.integer(
            "handover_notice_days", minimum=0, maximum=LONGEST_NOTICE_DAYS
        ),
        "two_factor_required": form.boolean("two_factor_required"),
    }


def _audit_detail(unit: Unit, values: dict) -> str:
    parts = []
    for name, shown in UNIT_FIELDS.items():
        if getattr(unit, name) != values[name]:
            parts.append(f"{name}={values[name]!r}" if shown else name)
    return "; ".join(parts)


def _page(unit: Unit, form: Form, status: int = 200):
    defaults = ",".join(o.label for o in current_app.config["REMINDER_OFFSETS"])
    urgent = [kind_label(k.name) for k in KINDS.values() if k.urgent and not k.reply]
    languages = catalog_files.language_status()
    return (
        render_template(
            "admin/settings/index.html",
            unit=unit,
            form=form,
            languages=languages,
            weekdays=[(code, _(name)) for code, name in WEEKDAY_NAMES.items()],
            sender_limit=SENDER_ID_LIMIT,
            sender_warning=sender_name_warning(unit.sender_name),
            hours_warning=not meets_window(unit.office_hours, unit.sending_window),
            default_offsets=defaults,
            urgent_kinds=urgent,
            single_sign_on=sso.enabled(),
        ),
        status,
    )


def _unit() -> Unit:
    return get_session().get_one(Unit, current_staff().unit_id)


@bp.route("/settings", methods=["GET", "POST"])
@admin_only
def settings():
    """The unit's settings; a form with any error saves nothing."""
    unit = _unit()
    if request.method == "GET":
        return _page(unit, unit_form(unit))
    form = Form()
    values = read_unit_settings(form)
    # Shown (and read) only with single sign-on configured: otherwise it stays as it is.
    values["sso_lets_staff_join"] = (
        form.boolean("sso_lets_staff_join") if sso.enabled() else unit.sso_lets_staff_join
    )
    if not form.ok:
        return _page(unit, form, 422)
    detail = _audit_detail(unit, values)
    if not detail:
        flash(_("Nothing was changed."))
        return redirect(url_for("admin.settings"))
    notice_days_changed = unit.handover_notice_days != values["handover_notice_days"]
    for name, value in values.items():
        setattr(unit, name, value)
    session = get_session()
    session.add(unit)
    if notice_days_changed:  # and notices not yet sent follow the new days
        notices_changed(session, unit)
    record("settings_changed", subject_type=SubjectType.UNIT, subject_id=unit.id, detail=detail)
    session.commit()
    flash(_("The settings are saved."))
    return redirect(url_for("admin.settings"))
