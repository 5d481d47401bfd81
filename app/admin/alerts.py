"""My alerts: the signed-in staff member chooses e-mail alerts about their Today for
themself: off, at once, or a digest at set hours (app/alerts/ sends them)."""

from zoneinfo import ZoneInfo

from flask import current_app, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from app.admin import bp
from app.admin.access import current_staff, record
from app.admin.forms import Form
from app.admin.settings import WEEKDAY_NAMES
from app.admin.words import N_, _, staff_language
from app.alerts import mail, schedule
from app.casework.contacts import WEEKDAYS, parse_office_hours
from app.db import get_session
from app.models import AlertMode, AlertSetting, SubjectType, Unit, utcnow
from app.outbox.sending_window import DEFAULT_WINDOW

DEFAULT_TIMES = "08:00,13:00"
MODES = (
    (AlertMode.OFF, N_("Off: no e-mail")),
    (AlertMode.AT_ONCE, N_("At once: an e-mail when something new comes")),
    (AlertMode.DIGEST, N_("A digest at set times: one e-mail with everything new since the last")),
)


def setting_of(staff_id: int) -> AlertSetting:
    """The person's alert setting, or a new one (off) if they never chose."""
    return get_session().get(AlertSetting, staff_id) or AlertSetting(staff_id=staff_id)


def _form(setting: AlertSetting) -> Form:
    try:
        times = schedule.parse_times(setting.digest_times)
    except ValueError:
        times = ()
    clocks = [t.strftime("%H:%M") for t in times]
    data = MultiDict([("mode", setting.mode)])
    for clock in clocks:
        if clock in schedule.SUGGESTED_TIMES:
            data.add("digest_times", clock)
    data["other_times"] = ", ".join(c for c in clocks if c not in schedule.SUGGESTED_TIMES)
    return Form(data)


def _read(form: Form) -> tuple[str, str]:
    """The mode and the digest times as stored; form.errors says what is wrong."""
    mode = form.choice("mode", [m for m, _label in MODES])
    picked = form.choices("digest_times", schedule.SUGGESTED_TIMES)
    other = form.text("other_times", max_length=60)
    text = ",".join([*picked, other])
    try:
        times = schedule.parse_times(text)
    except ValueError as exc:
        if mode == AlertMode.DIGEST or other:
            form.fail("other_times" if other else "digest_times", _(str(exc)))
        return mode, DEFAULT_TIMES
    return mode, schedule.format_times(times)


def _working_time(unit: Unit) -> str:
    office = parse_office_hours(unit.office_hours)
    first, last = (office["first_day"], office["last_day"]) if office else (0, 4)
    window = unit.sending_window or DEFAULT_WINDOW
    first_name, last_name = (_(WEEKDAY_NAMES[WEEKDAYS[day]]) for day in (first, last))
    if staff_language() == "sv":  # Swedish writes weekdays in lower case within a sentence
        first_name, last_name = first_name.lower(), last_name.lower()
    return _(
        "%(first)s to %(last)s, %(hours)s, not on public holidays",
        first=first_name,
        last=last_name,
        hours=window.replace("-", "–"),
    )


def _page(setting: AlertSetting, form: Form, status: int = 200):
    staff = current_staff()
    unit = get_session().get_one(Unit, staff.unit_id)
    config = current_app.config
    try:
        times = schedule.parse_times(setting.digest_times)
    except ValueError:
        times = ()
    tz = ZoneInfo(config["TIMEZONE"])
    return (
        render_template(
            "admin/alerts/index.html",
            staff=staff,
            setting=setting,
            form=form,
            modes=[(value, _(label)) for value, label in MODES],
            suggested=[(clock, clock) for clock in schedule.SUGGESTED_TIMES],
            working_time=_working_time(unit),
            next_mail=schedule.next_mail_at(setting.mode, times, unit, utcnow(), tz)
            if times or setting.mode == AlertMode.AT_ONCE
            else None,
            configured=bool(config["SMTP_HOST"]),
            console=not config["SMTP_HOST"] and mail.enabled(config),
        ),
        status,
    )


@bp.route("/alerts", methods=["GET", "POST"], endpoint="my_alerts")
def my_alerts():
    """The signed-in person's own e-mail alerts; a form with an error saves nothing."""
    staff = current_staff()
    setting = setting_of(staff.id)  # type: ignore[arg-type]  # a signed-in person is saved
    if request.method == "GET":
        return _page(setting, _form(setting))
    form = Form()
    mode, times = _read(form)
    if not form.ok:
        return _page(setting, form, 422)
    if setting.mode == AlertMode.OFF and mode != AlertMode.OFF:
        setting.since = utcnow()  # only what happens from now: no mail about old things
        setting.failures, setting.retry_at, setting.last_error = 0, None, None
    changed = (setting.mode, setting.digest_times) != (mode, times)
    setting.mode, setting.digest_times = mode, times
    setting.language = staff_language()  # mails come in the language the page is in
    setting.updated_at = utcnow()
    session = get_session()
    session.add(setting)
    if changed:
        record(
            "alerts_changed",
            subject_type=SubjectType.STAFF,
            subject_id=staff.id,
            detail=f"mode={mode}" + (f"; times={times}" if mode == AlertMode.DIGEST else ""),
        )
    session.commit()
    flash(_("Your alerts are saved."))
    return redirect(url_for("admin.my_alerts"))
