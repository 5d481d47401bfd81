"""The planner decides which messages go out, to whom and when, and keeps that true on change.

Every planned message is an outbox row with a unique dedupe key, so planning twice plans
once. A change to a record raises its version; pending rows of older versions are
cancelled and the new version is planned afresh.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlmodel import Session, select

from app.config import ReminderOffset
from app.models import (
    Appointment,
    AppointmentStatus,
    Client,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
)

# When every reminder time has passed already (a meeting booked at short notice), one
# reminder goes out at once, provided the meeting is at least this far away.
CATCH_UP_MINIMUM = timedelta(hours=2)


def local_zone() -> ZoneInfo:
    """The unit's time zone (TIMEZONE)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def reminder_due(starts_at: datetime, offset: ReminderOffset, tz: ZoneInfo) -> datetime:
    """When a reminder is due: days back on the local calendar (same clock time across
    daylight-saving changes), then hours back in real time."""
    local_wall = starts_at.astimezone(tz).replace(tzinfo=None) - timedelta(days=offset.days)
    due = local_wall.replace(tzinfo=tz).astimezone(UTC)
    return due - timedelta(hours=offset.hours)


def add_message(
    session: Session,
    *,
    kind: str,
    client: Client,
    dedupe_key: str,
    due_at: datetime,
    subject_type: str | None = None,
    subject_id: int | None = None,
    subject_version: int | None = None,
    channel: str = OutboxChannel.SMS,
    representative_id: int | None = None,
    urgent: bool = False,
) -> OutboxMessage:
    """Plan one message unless a row with the same dedupe key exists (then return that)."""
    existing = session.exec(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
    ).first()
    if existing is not None:
        return existing
    message = OutboxMessage(
        kind=kind,
        channel=channel,
        client_id=client.id,
        representative_id=representative_id,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_version=subject_version,
        dedupe_key=dedupe_key,
        due_at=due_at,
        urgent=urgent,
    )
    session.add(message)
    return message


def cancel_pending(
    session: Session,
    subject_type: str,
    subject_id: int,
    *,
    except_version: int | None = None,
    reason: str = "record changed",
) -> int:
    """Cancel messages about a record that have not gone out; return how many."""
    query = select(OutboxMessage).where(
        OutboxMessage.subject_type == subject_type,
        OutboxMessage.subject_id == subject_id,
        OutboxMessage.status == OutboxStatus.PENDING,
    )
    count = 0
    for message in session.exec(query):
        if except_version is not None and message.subject_version == except_version:
            continue
        message.status = OutboxStatus.CANCELLED
        message.last_error = reason
        message.final_at = datetime.now(UTC)
        session.add(message)
        count += 1
    return count


def _reminder_already_sent(session: Session, appointment: Appointment) -> bool:
    sent = session.exec(
        select(OutboxMessage.id).where(
            OutboxMessage.subject_type == "appointment",
            OutboxMessage.subject_id == appointment.id,
            OutboxMessage.kind == "appointment_reminder",
            OutboxMessage.status.not_in([OutboxStatus.PENDING, OutboxStatus.CANCELLED]),
        )
    ).first()
    return sent is not None


def plan_appointment(
    session: Session,
    appointment: Appointment,
    client: Client,
    *,
    now: datetime,
    offsets: tuple[ReminderOffset, ...] | None = None,
) -> list[OutboxMessage]:
    """Plan the reminders of an appointment's current version; cancel what is out of date."""
    offsets = offsets if offsets is not None else current_app.config["REMINDER_OFFSETS"]
    cancel_pending(session, "appointment", appointment.id, except_version=appointment.version)
    if appointment.status != AppointmentStatus.PLANNED or appointment.starts_at <= now:
        cancel_pending(session, "appointment", appointment.id, reason="appointment cancelled")
        return []
    tz = local_zone()
    due = [(o.label, reminder_due(appointment.starts_at, o, tz)) for o in offsets]
    future = [(label, at) for label, at in due if at > now]
    if (
        not future
        and appointment.starts_at - now >= CATCH_UP_MINIMUM
        and not _reminder_already_sent(session, appointment)
    ):
        future = [("catch-up", now)]
    return [
        add_message(
            session,
            kind="appointment_reminder",
            client=client,
            dedupe_key=f"appointment:{appointment.id}:v{appointment.version}:reminder:{label}",
            due_at=at,
            subject_type="appointment",
            subject_id=appointment.id,
            subject_version=appointment.version,
        )
        for label, at in future
    ]


def still_wanted(session: Session, message: OutboxMessage, now: datetime) -> bool:
    """Whether a due message still says something true (its record unchanged and ahead)."""
    if message.subject_type == "appointment":
        appointment = session.get(Appointment, message.subject_id)
        return (
            appointment is not None
            and appointment.status == AppointmentStatus.PLANNED
            and appointment.version == message.subject_version
            and appointment.starts_at > now
        )
    return True
