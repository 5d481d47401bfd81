"""Appointments: plan, change and cancel meetings, and see the messages each one brings.

The rules (what may be booked, which reminders go out when) are app.casework.appointments'; these
views read the form, hand it over, and tell staff what the domain planned.
"""

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from app.admin import bp
from app.admin.access import client_or_404, colleagues, current_staff, record
from app.admin.client_page import record_messages
from app.admin.forms import Form
from app.admin.labels import catalog_options, options
from app.admin.meeting_checks import Warnings, meets_note, settle
from app.admin.reminder_times import planned_times, reminder_schedule, reminders_note
from app.admin.words import _
from app.casework import appointments
from app.db import get_session
from app.errors import InvalidInput
from app.models import (
    Appointment,
    AppointmentStatus,
    Client,
    MeetingMode,
    StaffUser,
    SubjectType,
    Unit,
    saved_id,
    utcnow,
)
from app.outbox.planner import local_zone
from app.sms.digits import normalise_digits

# Domain field names that differ from the form's: the time of a meeting is two fields.
FIELDS = {"starts_at": "date"}
# The form's fields top to bottom: errors are listed in this order.
PAGE_ORDER = "status date time duration_minutes mode location staff_id purpose bring".split()


def _appointment_or_404(appointment_id: int) -> tuple[Appointment, Client]:
    """The appointment and its client, if the signed-in person may see the client."""
    appointment = get_session().get(Appointment, appointment_id)
    if appointment is None:
        abort(404)
    return appointment, client_or_404(appointment.client_id)


def _people(client: Client, *keep: int | None) -> list[tuple[str, str]]:
    """Whom a meeting can be with: the unit's active staff, and whoever is already named
    (a person who has left still shows, so saving does not silently change them)."""
    session = get_session()
    people = colleagues(session, current_staff())
    known = {person.id for person in people}
    for staff_id in keep:
        if staff_id is not None and staff_id not in known:
            person = session.get(StaffUser, staff_id)
            if person is not None:
                people.append(person)
                known.add(person.id)
    return [(str(person.id), person.name) for person in people]


def _keys(pairs: list[tuple[str, str]]) -> list[str]:
    return [key for key, _label in pairs]


def _choices(client: Client, appointment: Appointment | None = None) -> dict:
    """The options the meeting form offers."""
    staff_ids: tuple[int | None, ...] = (client.caseworker_id, current_staff().id)
    if appointment is not None:
        staff_ids += (appointment.staff_id,)
    return {
        "people": _people(client, *staff_ids),
        "modes": options(*MeetingMode),
        "purposes": catalog_options("purposes"),
        "documents": catalog_options("documents"),
    }


def _minutes(form: Form, name: str) -> int | None:
    """A whole number of minutes; its range is the domain's to judge."""
    raw = normalise_digits(form.value(name)).strip()
    if not raw.isdigit():
        form.fail(name, _("Give the length in whole minutes, like 60."))
        return None
    return int(raw)


def _read(form: Form, choices: dict) -> dict:
    """The meeting as app.casework.appointments takes it; what is wrong is noted on the form."""
    values: dict[str, Any] = {  # read in the page's order, so errors are listed in it
        "starts_at": form.moment("date", "time"),
        "duration_minutes": _minutes(form, "duration_minutes"),
        "mode": form.choice("mode", _keys(choices["modes"])),
        "location": form.text("location"),
        "staff_id": form.choice("staff_id", _keys(choices["people"])),
        "purpose": form.choice("purpose", _keys(choices["purposes"])),
        "bring": form.choices("bring", _keys(choices["documents"])),
    }
    values["staff_id"] = int(values["staff_id"]) if values["staff_id"].isdigit() else None
    return values


def _also_check(form: Form, values: dict) -> None:
    """When the form itself has problems, add the domain's too, so all show at once."""
    try:
        appointments.validate(values, now=utcnow())
    except InvalidInput as exc:
        errors = dict(exc.errors)
        if values["starts_at"] is None:
            errors.pop("starts_at", None)  # the date or time field already says what is wrong
        form.absorb(InvalidInput(errors), FIELDS)


def _in_page_order(form: Form) -> Form:
    """List the form's and the domain's errors together, top to bottom as on the page."""
    form.errors = dict(
        sorted(
            form.errors.items(),
            key=lambda e: PAGE_ORDER.index(e[0]) if e[0] in PAGE_ORDER else len(PAGE_ORDER),
        )
    )
    return form


def _initial(appointment: Appointment) -> Form:
    """The form filled in with an appointment as it is."""
    local = appointment.starts_at.astimezone(local_zone())
    data = MultiDict(
        {
            "date": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
            "duration_minutes": str(appointment.duration_minutes),
            "mode": appointment.mode,
            "location": appointment.location,
            "staff_id": str(appointment.staff_id or ""),
            "purpose": appointment.purpose,
        }
    )
    data.setlist("bring", appointment.bring_keys)
    return Form(data)


def _changes(appointment: Appointment, values: dict) -> dict:
    """Only what differs from the appointment as it is, so an unchanged save tells nobody."""
    current = {field: getattr(appointment, field) for field in appointments.EDITABLE}
    current["bring"] = appointment.bring_keys
    return {field: value for field, value in values.items() if value != current[field]}


@bp.route("/clients/<int:client_id>/appointments/new", methods=["GET", "POST"])
def appointment_new(client_id: int):
    """Plan a meeting with a client; its reminders are planned with it."""
    session = get_session()
    client = client_or_404(client_id)
    choices = _choices(client)
    if request.method == "GET":
        unit = session.get(Unit, client.unit_id)
        form = Form(
            {
                "duration_minutes": "60",
                "mode": MeetingMode.OFFICE,
                "location": unit.address if unit else "",
                "staff_id": str(client.caseworker_id or current_staff().id),
                "purpose": "follow_up",
            }
        )
    warnings = None
    if request.method == "POST":
        form = Form()
        values = _read(form, choices)
        if not form.ok:
            _also_check(form, values)
        elif _domain_ok(form, values):
            warnings = settle(session, form, client, values, away=True, hours=True)
        if form.ok and warnings is None:
            try:
                appointment = appointments.book(session, client, **values)
            except InvalidInput as exc:
                session.rollback()
                form.absorb(exc, FIELDS)
            else:
                record(
                    "appointment_booked",
                    client_id=client.id,
                    subject_type=SubjectType.APPOINTMENT,
                    subject_id=appointment.id,
                )
                session.commit()
                note = reminders_note(
                    SubjectType.APPOINTMENT,
                    saved_id(appointment),
                    "appointment_reminder",
                    until=appointment.starts_at,
                )
                flash(_("The meeting is planned.") + " " + note)
                return redirect(url_for("admin.client", client_id=client.id))
    return render_template(
        "admin/appointments/new.html",
        client=client,
        form=_in_page_order(form),
        warnings=warnings,
        warning_lines=warnings.lines(_unit(client)) if warnings else [],
        **choices,
    )


@bp.route("/appointments/<int:appointment_id>/edit", methods=["GET", "POST"])
def appointment_edit(appointment_id: int):
    """Change a meeting: the client is told at once and the reminders are planned again."""
    session = get_session()
    appointment, client = _appointment_or_404(appointment_id)
    choices = _choices(client, appointment)
    if request.method == "GET":
        form = _initial(appointment)
    warnings = None
    if request.method == "POST":
        form = Form()
        values = _read(form, choices)
        changes = _changes(appointment, values) if form.ok else {}
        if not form.ok:
            _also_check(form, values)
        elif not changes:
            flash(_("Nothing was changed, so the client is not told anything."))
            return redirect(url_for("admin.client", client_id=client.id))
        elif _domain_ok(form, values):
            warnings = _settle_change(form, client, values, changes)
        if form.ok and changes and warnings is None:
            try:
                appointments.change(session, appointment, **changes)
            except InvalidInput as exc:
                session.rollback()
                form.absorb(exc, FIELDS)
            else:
                record(
                    "appointment_changed",
                    client_id=client.id,
                    subject_type=SubjectType.APPOINTMENT,
                    subject_id=appointment.id,
                    detail=", ".join(sorted(changes)),
                )
                session.commit()
                note = reminders_note(
                    SubjectType.APPOINTMENT,
                    saved_id(appointment),
                    "appointment_reminder",
                    until=appointment.starts_at,
                )
                flash(_("The meeting is changed and the client is told now.") + " " + note)
                return redirect(url_for("admin.client", client_id=client.id))
    return render_template(
        "admin/appointments/edit.html",
        appointment=appointment,
        client=client,
        form=_in_page_order(form),
        messages=record_messages(SubjectType.APPOINTMENT, saved_id(appointment)),
        warnings=warnings,
        warning_lines=warnings.lines(_unit(client)) if warnings else [],
        meets=meets_note(appointment),
        reminders=reminder_schedule(appointment, _unit(client)),
        **choices,
    )


def _unit(client: Client) -> Unit:
    return get_session().get_one(Unit, client.unit_id)


def _domain_ok(form: Form, values: dict) -> bool:
    """Whether the domain accepts the meeting; its errors go on the form (before any
    warning: a meeting that cannot be booked needs no confirmation)."""
    try:
        appointments.validate(values, now=utcnow())
    except InvalidInput as exc:
        form.absorb(exc, FIELDS)
        return False
    return True


def _settle_change(form: Form, client: Client, values: dict, changes: dict) -> Warnings | None:
    """Warnings about what a change moves: the person's absence when the time or the person
    changes, the meeting hours when the time or the length does. A confirmation goes into
    `changes`."""
    moved = {"starts_at", "staff_id"} & set(changes)
    timed = {"starts_at", "duration_minutes"} & set(changes)
    if not moved and not timed:
        return None
    confirmed = dict(values)
    warnings = settle(get_session(), form, client, confirmed, away=bool(moved), hours=bool(timed))
    if warnings is None:
        for field in ("staff_id", "keep_with_staff"):
            if field in confirmed and confirmed[field] != values.get(field):
                changes[field] = confirmed[field]
    return warnings


@bp.route("/appointments/<int:appointment_id>/cancel", methods=["GET", "POST"])
def appointment_cancel(appointment_id: int):
    """Ask 'are you sure?' (GET), then cancel the meeting and its reminders (POST)."""
    session = get_session()
    appointment, client = _appointment_or_404(appointment_id)
    if request.method == "GET":
        return render_template(
            "admin/appointments/cancel.html", appointment=appointment, client=client
        )
    if appointment.status == AppointmentStatus.CANCELLED:
        flash(_("The meeting was already cancelled."))
        return redirect(url_for("admin.client", client_id=client.id))
    appointments.cancel(session, appointment)
    record(
        "appointment_cancelled",
        client_id=client.id,
        subject_type=SubjectType.APPOINTMENT,
        subject_id=appointment.id,
    )
    session.commit()
    # The domain tells the client only about a meeting still ahead.
    if planned_times(SubjectType.APPOINTMENT, saved_id(appointment), "appointment_cancelled"):
        flash(_("The meeting is cancelled and the client is told now."))
    else:
        flash(_("The meeting is cancelled. Its time has passed, so the client is not told."))
    return redirect(url_for("admin.client", client_id=client.id))
