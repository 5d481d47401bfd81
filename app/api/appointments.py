"""Appointments by the system's own id: book, change, cancel, and after the meeting
whether the client came.

PUT books a meeting (201) or changes the fields sent (200): the client is told of a change
at once and the reminders are planned again, exactly as when staff change it. Sending the
same meeting again changes nothing and tells nobody.
"""

from datetime import datetime

from sqlmodel import Session

from app.api import resources
from app.api.auth import Caller, about, caller
from app.api.operations import operation
from app.api.schemas import AppointmentIn, AppointmentOut, AttendanceIn
from app.casework import appointments, attendance, system_ids
from app.db import get_session
from app.models import Appointment, Client, SubjectType, saved_id, utcnow

FIELDS = {"staff_id": "/staff_email", "client_id": "/client_source_id"}
DETAILS = ("starts_at", "duration_minutes", "mode", "location", "purpose", "bring")


def appointment_out(session: Session, appointment: Appointment) -> AppointmentOut:
    """An appointment as the API shows it, with the messages planned about it."""
    return AppointmentOut(
        id=appointment.id,
        source_id=appointment.source_id,
        client_source_id=resources.source_id_of(session, Client, appointment.client_id),
        starts_at=appointment.starts_at,
        previous_starts_at=appointment.previous_starts_at,
        duration_minutes=appointment.duration_minutes,
        mode=appointment.mode,
        location=appointment.location,
        purpose=appointment.purpose,
        bring=appointment.bring_keys,
        staff_email=system_ids.email_of(session, appointment.staff_id),
        status=appointment.status,
        response=appointment.response,
        previous_response=appointment.previous_response,
        responded_at=appointment.responded_at,
        attendance=attendance.current(appointment),
        attendance_at=appointment.attendance_at,
        attendance_staff_email=system_ids.email_of(session, appointment.attendance_by_staff_id),
        version=appointment.version,
        created_at=appointment.created_at,
        updated_at=appointment.updated_at,
        messages=resources.messages_about(session, SubjectType.APPOINTMENT, saved_id(appointment)),
    )


def _changes(appointment: Appointment, values: dict) -> dict:
    """Only what differs from the appointment as it is, so an unchanged PUT tells nobody."""
    current = {field: getattr(appointment, field) for field in appointments.EDITABLE}
    current["bring"] = appointment.bring_keys
    current["client_id"] = appointment.client_id
    return {field: value for field, value in values.items() if value != current[field]}


def put_appointment(
    session: Session,
    who: Caller,
    source_id: str,
    body: AppointmentIn,
    now: datetime | None = None,
) -> tuple[Appointment, bool]:
    """Book or change the appointment the system knows by `source_id` (nothing committed);
    returns it and whether it is new."""
    now = now or utcnow()
    client = resources.client_named(session, who, body.client_source_id)
    sent = body.model_fields_set
    existing = resources.find(session, who, Appointment, source_id)
    if existing is None:
        values = {name: getattr(body, name) for name in DETAILS}
        values["staff_id"] = (
            resources.staff_id(session, who, body.staff_email, "/staff_email")
            if body.staff_email is not None
            else client.caseworker_id
        )
        booked = appointments.book(
            session, client, now=now, **resources.source(who, Appointment, source_id), **values
        )
        who.record(session, "appointment_booked", client_id=client.id,
                   subject_type=SubjectType.APPOINTMENT, subject_id=booked.id)  # fmt: skip
        return booked, True
    values = {name: getattr(body, name) for name in DETAILS if name in sent}
    values["client_id"] = client.id  # the domain refuses a meeting moving to another client
    if "staff_email" in sent:
        values["staff_id"] = resources.staff_id(session, who, body.staff_email, "/staff_email")
    changes = _changes(existing, values)
    if changes:
        appointments.change(session, existing, now=now, **changes)
        who.record(session, "appointment_changed", client_id=client.id,
                   subject_type=SubjectType.APPOINTMENT, subject_id=existing.id,
                   detail=", ".join(sorted(changes)))  # fmt: skip
    return existing, False


@operation(
    "PUT",
    "/appointments/{source_id}",
    summary="Book or change an appointment",
    tag="Appointments",
    body=AppointmentIn,
    responses={
        200: (AppointmentOut, "The appointment was there; a change is told to the client"),
        201: (AppointmentOut, "A new appointment, with its reminders planned"),
    },
)
def appointment_put(source_id: str, body: AppointmentIn):
    """Book a meeting with the client named by `client_source_id`, or change the fields you
    send. Reminders follow the unit's offsets; a change is told to the client at once.
    Only meetings ahead can be booked; a cancelled meeting cannot be changed."""
    session = get_session()
    with resources.writing(session, FIELDS):
        appointment, created = put_appointment(session, caller(), source_id, body)
        session.commit()
    about(appointment.client_id, SubjectType.APPOINTMENT, appointment.id)
    return appointment_out(session, appointment), 201 if created else 200


@operation(
    "GET",
    "/appointments/{source_id}",
    summary="An appointment",
    tag="Appointments",
    responses={200: (AppointmentOut, "The appointment, with the messages planned about it")},
)
def appointment_get(source_id: str):
    """The appointment your system knows by `source_id`, with the client's answer (confirmed
    or declined) and the messages planned or sent about it."""
    session = get_session()
    appointment = resources.find_or_404(session, caller(), Appointment, source_id)
    about(appointment.client_id, SubjectType.APPOINTMENT, appointment.id)
    return appointment_out(session, appointment), 200


@operation(
    "POST",
    "/appointments/{source_id}/cancel",
    summary="Cancel an appointment",
    tag="Appointments",
    responses={200: (AppointmentOut, "Cancelled; the client is told if the meeting was ahead")},
)
def appointment_cancel(source_id: str):
    """Cancel the meeting and every reminder not yet sent. The client is told at once if
    the meeting was still ahead. Cancelling twice changes nothing."""
    session = get_session()
    who = caller()
    appointment = resources.find_or_404(session, who, Appointment, source_id)
    if appointment.status != "cancelled":
        appointments.cancel(session, appointment)
        who.record(session, "appointment_cancelled", client_id=appointment.client_id,
                   subject_type=SubjectType.APPOINTMENT, subject_id=appointment.id)  # fmt: skip
        resources.commit(session)
    about(appointment.client_id, SubjectType.APPOINTMENT, appointment.id)
    return appointment_out(session, appointment), 200


@operation(
    "POST",
    "/appointments/{source_id}/attendance",
    summary="Record whether the client came",
    tag="Appointments",
    body=AttendanceIn,
    responses={200: (AppointmentOut, "Recorded (or it already was); the appointment as it is now")},
)
def appointment_attendance(source_id: str, body: AttendanceIn):
    """After the meeting has started, record what happened: `came`, `no_show` (did not
    come) or `cancelled` (called off at the last moment). Send it again to change it; the
    same value again changes nothing. Before the start it is a 422 (change or cancel the
    meeting instead, which tells the client); a meeting cancelled in advance is `cancelled`
    already and cannot be `came` or `no_show`. Nothing is sent to the client; a meeting
    that did not take place gets no question about how it went."""
    session = get_session()
    who = caller()
    appointment = resources.find_or_404(session, who, Appointment, source_id)
    staff_id = resources.staff_id(session, who, body.staff_email, "/staff_email")
    with resources.writing(session):
        previous = attendance.record(session, appointment, body.attendance, staff_id=staff_id)
        if previous is not None:
            who.record(session, "appointment_attendance", client_id=appointment.client_id,
                       subject_type=SubjectType.APPOINTMENT, subject_id=appointment.id,
                       detail=attendance.audit_detail(previous, body.attendance))  # fmt: skip
            session.commit()
    about(appointment.client_id, SubjectType.APPOINTMENT, appointment.id)
    return appointment_out(session, appointment), 200
