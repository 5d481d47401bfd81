"""The planner core: how any message is planned, copied, cancelled and timed.

Each domain module (appointments, checklists, decisions, handovers, clients, callbacks)
owns its rules of *which* messages and *when*, and plans them through add_message().
Every planned message is an outbox row with a unique dedupe key, so planning twice
plans once. A change to a record raises its version; pending rows of older versions
are cancelled and the send step checks the version again.
"""

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlmodel import Session, col, select

from app import access
from app.config import ConfigError, ReminderOffset, parse_offsets
from app.models import Client, OutboxChannel, OutboxMessage, OutboxStatus, Representative, Unit
from app.outbox import email_copies, phone_hours
from app.outbox.kinds import get_kind
from app.voice.inventory import reminder_calls_possible

log = logging.getLogger(__name__)


def local_zone() -> ZoneInfo:
    """The unit's time zone (TIMEZONE)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_date(moment: datetime) -> date:
    """The calendar date of a moment in the unit's time zone."""
    return moment.astimezone(local_zone()).date()


def at_local(day: date, clock: time | None = None) -> datetime:
    """A local date and clock time (default: the morning send time) as UTC."""
    clock = clock or time(current_app.config["MORNING_SEND_HOUR"])
    return datetime.combine(day, clock, tzinfo=local_zone()).astimezone(UTC)


def reminder_offsets(session: Session, unit_id: int) -> tuple[ReminderOffset, ...]:
    """How long before a meeting the unit's clients are reminded: the unit's own setting,
    or REMINDER_OFFSETS when it has none (or one that no longer reads)."""
    unit = session.get(Unit, unit_id)
    text = (unit.reminder_offsets if unit is not None else "").strip()
    if text:
        try:
            return parse_offsets(text)
        except ConfigError:  # the settings page saves only readable ones: edited by hand
            log.warning("Unit %s has unreadable reminder offsets; using REMINDER_OFFSETS", unit_id)
    return current_app.config["REMINDER_OFFSETS"]


def reminder_due(starts_at: datetime, offset: ReminderOffset, tz: ZoneInfo) -> datetime:
    """When a reminder is due: days back on the local calendar (same clock time across
    daylight-saving changes), then hours back in real time."""
    local_wall = starts_at.astimezone(tz).replace(tzinfo=None) - timedelta(days=offset.days)
    due = local_wall.replace(tzinfo=tz).astimezone(UTC)
    return due - timedelta(hours=offset.hours)


def _add_row(session: Session, dedupe_key: str, **values) -> OutboxMessage:
    existing = session.exec(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
    ).first()
    if existing is not None:
        return existing
    message = OutboxMessage(dedupe_key=dedupe_key, **values)
    session.add(message)
    return message


def representatives_for(session: Session, client: Client, kind: str) -> list[Representative]:
    """The representatives the client allows to get a copy of this kind of message."""
    category = get_kind(kind).copy_category
    if category is None:
        return []
    candidates = session.exec(
        select(Representative)
        .where(Representative.client_id == client.id)
        .order_by(col(Representative.id))
    )
    return [r for r in candidates if access.may_receive_copy(r, category)]


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
    copies: bool = True,
    to_representative: Representative | None = None,
) -> OutboxMessage:
    """Plan one message, and (with copies) an SMS copy for each representative allowed one;
    for a client who chose e-mail copies, an e-mail as well (app/outbox/email_copies.py).
    With `to_representative` the message goes to that representative instead of the client
    (a staff answer to the representative's own text), and no copies are made.

    A row with the same dedupe key is left as it is: planning twice plans once. An ordinary
    message due at night or on a holiday is planned for the unit's next sending window, and
    bad news for the contact's next phone hours (the sweep checks again, in case either
    changes meanwhile).
    """
    urgent = get_kind(kind).urgent  # the kinds table says which may go out at night
    if not urgent:  # bad news also waits for the contact's phone hours
        due_at = phone_hours.next_moment(
            get_kind(kind), session.get(Unit, client.unit_id), due_at, local_zone()
        )
    values = dict(
        kind=kind,
        client_id=client.id,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_version=subject_version,
        due_at=due_at,
        urgent=urgent,
    )
    if to_representative is not None:
        return _add_row(
            session, dedupe_key, channel=channel, representative_id=to_representative.id, **values
        )
    message = _add_row(session, dedupe_key, channel=channel, **values)
    # The e-mail copy goes with the text, or with the call of a client who gets no text.
    if email_copies.wanted(client, kind) and (
        channel == OutboxChannel.SMS or OutboxChannel.SMS not in reminder_channels(client)
    ):
        _add_row(
            session, email_copies.dedupe_key(dedupe_key), channel=OutboxChannel.EMAIL, **values
        )
    for representative in representatives_for(session, client, kind) if copies else []:
        _add_row(
            session,
            f"{dedupe_key}:copy:{representative.id}",
            channel=OutboxChannel.SMS,
            representative_id=representative.id,
            **values,
        )
    return message


def reminder_channels(client: Client) -> list[str]:
    """How a client gets reminders: a call when they chose voice (or both) and a call can
    be in their language (a Twilio voice, or every recording a reminder call needs); SMS
    otherwise, and also when they chose both."""
    calls = client.channel in ("voice", "both") and reminder_calls_possible(client.language)
    texts = client.channel in ("sms", "both") or not calls
    return [c for c, wanted in ((OutboxChannel.SMS, texts), (OutboxChannel.VOICE, calls)) if wanted]


def cancel_pending(
    session: Session,
    subject_type: str,
    subject_id: int,
    *,
    except_version: int | None = None,
    kinds: tuple[str, ...] | None = None,
    reason: str = "record changed",
) -> int:
    """Cancel messages about a record that have not gone out; return how many."""
    query = select(OutboxMessage).where(
        OutboxMessage.subject_type == subject_type,
        OutboxMessage.subject_id == subject_id,
        OutboxMessage.status == OutboxStatus.PENDING,
    )
    if kinds:
        query = query.where(col(OutboxMessage.kind).in_(kinds))
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


def has_message(
    session: Session,
    subject_type: str,
    subject_id: int,
    kinds: tuple[str, ...],
    statuses: tuple[str, ...],
) -> bool:
    """Whether a message of these kinds and statuses exists about a record."""
    found = session.exec(
        select(OutboxMessage.id).where(
            OutboxMessage.subject_type == subject_type,
            OutboxMessage.subject_id == subject_id,
            col(OutboxMessage.kind).in_(kinds),
            col(OutboxMessage.status).in_(statuses),
            col(OutboxMessage.representative_id).is_(None),
        )
    ).first()
    return found is not None


SENT_STATUSES = (OutboxStatus.SENDING, OutboxStatus.SENT, OutboxStatus.DELIVERED)
