"""Booking, changing and cancelling appointments, and the messages each one brings.

Reminders go out the unit's reminder offsets before the meeting (REMINDER_OFFSETS unless
the unit has its own). A change or a cancellation is told at once, and reminders planned
for the old version are cancelled. After the meeting an optional one-question survey may
follow (FEEDBACK_AFTER_MEETINGS).
"""

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlmodel import Session

from app import audit
from app.casework import absences, catalog
from app.casework.reads import reads_for
from app.errors import N_, InvalidInput, StaffMessage
from app.models import (
    Appointment,
    AppointmentResponse,
    AppointmentStatus,
    Client,
    MeetingMode,
    OutboxMessage,
    SubjectType,
    saved_id,
    utcnow,
)
from app.outbox.facts import staff_name
from app.outbox.planner import (
    SENT_STATUSES,
    add_message,
    cancel_pending,
    has_message,
    local_zone,
    reminder_channels,
    reminder_due,
    reminder_offsets,
)

EDITABLE = (
    "starts_at",
    "duration_minutes",
    "mode",
    "location",
    "staff_id",
    "purpose",
    "bring",
    "keep_with_staff",
)
# A new time or person is a new question: whether to keep the meeting with someone away
# is asked again (app/casework/absences.py).
FORGETS_KEEPING = ("starts_at", "staff_id")

# When every reminder time has passed already (a meeting booked at short notice), one
# reminder goes out at once, provided the meeting is at least this far away.
CATCH_UP_MINIMUM = timedelta(hours=2)
FEEDBACK_DELAY = timedelta(hours=1)  # after the meeting's planned end
# The furthest ahead a meeting can be booked: nobody plans one further, and a date near
# year 9999 would overflow what is computed from it (reminders, meeting hours).
BOOKING_HORIZON = timedelta(days=731)  # two years


def _keys(bring: str | list[str]) -> list[str]:
    items = bring.split(",") if isinstance(bring, str) else bring
    return [k.strip() for k in items if k and k.strip()]


def validate(values: dict, *, now: datetime) -> None:
    """Raise InvalidInput naming every field that is wrong."""
    errors: dict[str, str] = {}
    starts_at = values.get("starts_at")
    if not isinstance(starts_at, datetime) or starts_at.tzinfo is None:
        errors["starts_at"] = N_("Give the date and time of the meeting.")
    elif starts_at <= now:
        errors["starts_at"] = N_("The meeting must be in the future.")
    elif starts_at > now + BOOKING_HORIZON:
        errors["starts_at"] = N_("The meeting can be at most two years ahead.")
    mode = values.get("mode", MeetingMode.OFFICE)
    if mode not in set(MeetingMode):
        errors["mode"] = N_("Choose office, home, phone or video.")
    elif mode == MeetingMode.OFFICE and not (values.get("location") or "").strip():
        errors["location"] = N_("Give the address of the meeting place.")
    duration = values.get("duration_minutes", 60)
    if not isinstance(duration, int) or not 5 <= duration <= 600:
        errors["duration_minutes"] = N_("The length must be 5 to 600 minutes.")
    purposes = catalog.entries(catalog.configured_dir(), "purposes")
    if values.get("purpose", "follow_up") not in purposes:
        errors["purpose"] = StaffMessage(
            N_("Choose one of: %(choices)s."), choices=", ".join(purposes)
        )
    documents = catalog.entries(catalog.configured_dir(), "documents")
    unknown = [k for k in _keys(values.get("bring", "")) if k not in documents]
    if unknown:
        errors["bring"] = StaffMessage(N_("Unknown documents: %(keys)s."), keys=", ".join(unknown))
    if errors:
        raise InvalidInput(errors)


def book(session: Session, client: Client, *, now: datetime | None = None, **values) -> Appointment:
    """Save a new appointment and plan its reminders."""
    now = now or utcnow()
    validate(values, now=now)
    values["bring"] = ",".join(_keys(values.get("bring", "")))
    appointment = Appointment(client_id=saved_id(client), **values)
    session.add(appointment)
    session.flush()
    plan(session, appointment, client, now=now)
    return appointment


def change(
    session: Session,
    appointment: Appointment,
    *,
    now: datetime | None = None,
    notify: bool = True,
    **changes,
) -> Appointment:
    """Change an appointment, tell the client at once, and re-plan its reminders."""
    now = now or utcnow()
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput({field: N_("This cannot be changed.") for field in sorted(unknown)})
    if appointment.status != AppointmentStatus.PLANNED:
        raise InvalidInput({"status": N_("A cancelled appointment cannot be changed.")})
    merged = {field: getattr(appointment, field) for field in EDITABLE} | changes
    validate(merged, now=now)
    merged["bring"] = ",".join(_keys(merged.get("bring", "")))
    if "keep_with_staff" not in changes and any(
        merged[field] != getattr(appointment, field) for field in FORGETS_KEEPING
    ):
        merged["keep_with_staff"] = False
    if merged["starts_at"] != appointment.starts_at:
        appointment.previous_starts_at = appointment.starts_at
    for field, value in merged.items():
        setattr(appointment, field, value)
    appointment.version += 1
    appointment.response = None
    appointment.previous_response = None
    appointment.responded_at = None
    appointment.updated_at = now
    session.add(appointment)
    session.flush()
    client = session.get_one(Client, appointment.client_id)
    if notify:
        add_message(
            session,
            kind="appointment_changed",
            client=client,
            dedupe_key=f"appointment:{appointment.id}:v{appointment.version}:changed",
            due_at=now,
            subject_type=SubjectType.APPOINTMENT,
            subject_id=appointment.id,
            subject_version=appointment.version,
        )
    plan(session, appointment, client, now=now, catch_up=not notify)
    return appointment


def cancel(
    session: Session, appointment: Appointment, *, now: datetime | None = None, notify: bool = True
) -> Appointment:
    """Cancel an appointment and every reminder not yet sent; tell the client at once.
    Cancelling twice changes nothing."""
    now = now or utcnow()
    if appointment.status == AppointmentStatus.CANCELLED:
        return appointment
    was_ahead = appointment.status == AppointmentStatus.PLANNED and appointment.starts_at > now
    appointment.status = AppointmentStatus.CANCELLED
    appointment.version += 1
    appointment.updated_at = now
    session.add(appointment)
    cancel_pending(
        session, SubjectType.APPOINTMENT, saved_id(appointment), reason="appointment cancelled"
    )
    if notify and was_ahead:
        add_message(
            session,
            kind="appointment_cancelled",
            client=session.get_one(Client, appointment.client_id),
            dedupe_key=f"appointment:{appointment.id}:cancelled",
            due_at=now,
            subject_type=SubjectType.APPOINTMENT,
            subject_id=appointment.id,
            subject_version=appointment.version,
        )
    return appointment


def respond(
    session: Session,
    appointment: Appointment,
    response: str,
    *,
    now: datetime | None = None,
    by: str = "",
) -> bool:
    """Record the client's answer, confirmed or declined, on any channel (`by` says which).
    A client may change the answer until the meeting: the answer it replaces is kept for
    staff (Today shows the change) and the change is audited. Returns whether it changed."""
    if response not in set(AppointmentResponse):
        raise InvalidInput({"response": N_("Answer confirmed or declined.")})
    changed = appointment.response is not None and appointment.response != response
    if changed:
        appointment.previous_response = appointment.response
        audit.record(
            session,
            "appointment_changed_answer",
            actor_type="client",
            client_id=appointment.client_id,
            subject_type=SubjectType.APPOINTMENT,
            subject_id=appointment.id,
            detail=f"{appointment.response} to {response}" + (f" by {by}" if by else ""),
        )
    appointment.response = response
    appointment.responded_at = now or utcnow()
    session.add(appointment)
    return changed


def plan(
    session: Session,
    appointment: Appointment,
    client: Client,
    *,
    now: datetime,
    catch_up: bool = True,
) -> list[OutboxMessage]:
    """Plan the reminders (and feedback question) of the appointment's current version."""
    cancel_pending(
        session,
        SubjectType.APPOINTMENT,
        saved_id(appointment),
        except_version=appointment.version,
        kinds=("appointment_reminder", "feedback_request"),
    )
    if appointment.status != AppointmentStatus.PLANNED or appointment.starts_at <= now:
        return []
    key = f"appointment:{appointment.id}:v{appointment.version}"
    future = _reminder_times(session, appointment, client, now, catch_up=catch_up)
    common: dict[str, Any] = dict(
        client=client,
        subject_type=SubjectType.APPOINTMENT,
        subject_id=appointment.id,
        subject_version=appointment.version,
    )
    planned = [
        add_message(
            session,
            kind="appointment_reminder",
            dedupe_key=f"{key}:reminder:{label}" + ("" if channel == "sms" else f":{channel}"),
            due_at=at,
            channel=channel,
            copies=channel == "sms",
            **common,
        )
        for label, at in future
        for channel in reminder_channels(client)
    ]
    if current_app.config["FEEDBACK_AFTER_MEETINGS"]:
        ends_at = appointment.starts_at + timedelta(minutes=appointment.duration_minutes)
        planned.append(
            add_message(
                session,
                kind="feedback_request",
                dedupe_key=f"{key}:feedback",
                due_at=ends_at + FEEDBACK_DELAY,
                **common,
            )
        )
    return planned


def _reminder_times(
    session: Session, appointment: Appointment, client: Client, now: datetime, *, catch_up: bool
) -> list[tuple[str, datetime]]:
    """(label, when) of each reminder still ahead; with none ahead and none sent, one now
    (catch_up) when the meeting is far enough away for a reminder to help."""
    tz = local_zone()
    due = [
        (o.label, reminder_due(appointment.starts_at, o, tz))
        for o in reminder_offsets(session, client.unit_id)
    ]
    future = [(label, at) for label, at in due if at > now]
    already_reminded = has_message(
        session,
        SubjectType.APPOINTMENT,
        saved_id(appointment),
        ("appointment_reminder",),
        SENT_STATUSES,
    )
    if not future and catch_up and not already_reminded:
        if appointment.starts_at - now >= CATCH_UP_MINIMUM:
            future = [("catch-up", now)]
    return future


def still_wanted(
    session: Session, message: OutboxMessage, appointment: Appointment, now: datetime
) -> bool:
    """Whether a due message about this appointment still says something true."""
    current = appointment.version == message.subject_version
    if message.kind == "appointment_cancelled":
        return appointment.status == AppointmentStatus.CANCELLED
    if appointment.status != AppointmentStatus.PLANNED or not current:
        return False
    if appointment.response == AppointmentResponse.DECLINED:
        return False  # the client said they cannot come: staff find a new time
    if message.kind == "feedback_request":
        since = now - timedelta(days=current_app.config["FEEDBACK_MIN_INTERVAL_DAYS"])
        return not reads_for(session).feedback_asked(appointment.client_id, since)
    return appointment.starts_at > now


def facts(session: Session, appointment: Appointment, client: Client, now: datetime) -> dict:
    """An appointment as messages describe it."""
    return {
        "appointment": {
            "starts_at": appointment.starts_at,
            "previous_starts_at": appointment.previous_starts_at,
            "mode": appointment.mode,
            "location": appointment.location,
            "staff_name": staff_name(session, absences.meets(session, appointment, now)),
            "purpose": appointment.purpose,
            "bring": appointment.bring_keys,
            "response": appointment.response,
        }
    }
