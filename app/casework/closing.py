"""Closing a client who is no longer a client (staff or the API).

From the moment of closing nothing more is sent to them or about them (planned messages
are cancelled, and the sweep cancels anything planned later), every page link stops
working, and the access rule treats their texts and calls, and their representatives', as
a stranger's (`access.is_client`). They leave Today and the lists; their page, the
"closed" list and the register extract still show them. The retention periods then run
from the closing (app/casework/erasure.py, called by app/retention.py): the words after
MESSAGE_RETENTION_DAYS, everything else after RECORD_RETENTION_DAYS.

Closing twice changes nothing: the first closing's moment counts. A client closed by
mistake (or who comes back before they are deleted) is reopened: a client again from
then, with reminders planned anew for their meetings and document lists still ahead;
what closing cancelled is not sent, and their old links stay stopped. `closed_at` is
always the last closing: closing again after a reopening starts the retention periods
anew from then.

A closed client's number is free: numbers are recycled, so a new client of the unit may
be registered with it (only open clients must have different numbers). The closed client
keeps it in their records until deleted (the register extract shows it). They cannot be
reopened while an open client has their number (NumberTaken): the staff first give one
of them another number.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, false
from sqlmodel import Session, col, select

from app import audit
from app.casework import appointments, checklists
from app.models import (
    Appointment,
    AppointmentStatus,
    CallbackRequest,
    Checklist,
    ChecklistStatus,
    Client,
    InboundMessage,
    OutboxMessage,
    OutboxStatus,
    utcnow,
)
from app.pages import links

NO_LONGER_A_CLIENT = "no longer a client"  # the reason on every message closing cancels


class NumberTaken(Exception):
    """A closed client cannot be reopened: an open client of the unit has their number."""


@dataclass(frozen=True)
class OpenRequests:
    """What the client still waits for: texts nobody answered, callbacks nobody made, and
    meetings ahead. Closing does not handle them: the staff see them before they close,
    and a callback stays on Today for the case worker until someone has called."""

    texts: list[InboundMessage]
    callbacks: list[CallbackRequest]
    meetings: list[Appointment]

    @property
    def count(self) -> int:
        """How many things are still open in all."""
        return len(self.texts) + len(self.callbacks) + len(self.meetings)


def open_requests(session: Session, client: Client, now: datetime) -> OpenRequests:
    """What is still open for the client (their own and their representatives' texts and
    callbacks, and their planned meetings ahead), oldest or nearest first. Texts for the
    managers only are left out."""
    texts = session.exec(
        select(InboundMessage)
        .where(
            InboundMessage.client_id == client.id,
            col(InboundMessage.needs_answer).is_(True),
            col(InboundMessage.handled_at).is_(None),
            # A complaint or a request for another case worker is the managers' alone
            # (the access rule): it is not shown to the case worker who closes.
            col(InboundMessage.for_managers).is_(False),
        )
        .order_by(col(InboundMessage.received_at))
    ).all()
    callbacks = session.exec(
        select(CallbackRequest)
        .where(CallbackRequest.client_id == client.id, col(CallbackRequest.handled_at).is_(None))
        .order_by(col(CallbackRequest.created_at))
    ).all()
    meetings = session.exec(
        select(Appointment)
        .where(
            Appointment.client_id == client.id,
            Appointment.status == AppointmentStatus.PLANNED,
            col(Appointment.starts_at) > now,
        )
        .order_by(col(Appointment.starts_at))
    ).all()
    return OpenRequests(list(texts), list(callbacks), list(meetings))


def cancel_planned(session: Session, client: Client, now: datetime) -> int:
    """Cancel every message to the client or their representatives that has not gone out
    (a row a worker holds right now is left to it: the sweep checks again); returns how
    many."""
    planned = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.client_id == client.id,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
    ).all()
    for message in planned:
        message.status = OutboxStatus.CANCELLED
        message.last_error = NO_LONGER_A_CLIENT
        message.final_at = now
        session.add(message)
    return len(planned)


def close(
    session: Session,
    client: Client,
    *,
    actor_type: str,
    actor_name: str,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Close the client as no longer a client (nothing committed): planned messages
    cancelled, page links stopped, the closing audited. Returns False, changing nothing,
    when they were closed already."""
    if client.closed_at is not None:
        return False
    now = now or utcnow()
    client.closed_at = now
    client.closed_by = actor_name[:120]
    client.updated_at = now
    session.add(client)
    cancelled = cancel_planned(session, client, now)
    revoked = links.revoke_all(session, client, now)
    audit.record(
        session,
        "client_closed",
        actor_type=actor_type,
        actor_id=actor_id,
        actor_name=actor_name,
        client_id=client.id,
        detail=f"{cancelled} planned messages cancelled, {revoked} links stopped",
    )
    return True


def reopen(
    session: Session,
    client: Client,
    *,
    actor_type: str,
    actor_name: str,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Make a closed client a client again (nothing committed): reminders are planned
    anew for their meetings and open document lists still ahead (as new versions, so
    nothing closing cancelled is sent), and the reopening audited. Returns False, changing
    nothing, when they were not closed; raises NumberTaken, changing nothing, when an open
    client of the unit now has their number."""
    if client.closed_at is None:
        return False
    holder = session.exec(
        select(Client.id).where(
            Client.unit_id == client.unit_id,
            Client.phone == client.phone,
            Client.id != client.id,
            col(Client.closed_at).is_(None),
        )
    ).first()
    if holder is not None:
        raise NumberTaken
    now = now or utcnow()
    client.closed_at = None
    client.closed_by = ""
    client.updated_at = now
    session.add(client)
    meetings = session.exec(
        select(Appointment).where(
            Appointment.client_id == client.id,
            Appointment.status == AppointmentStatus.PLANNED,
            col(Appointment.starts_at) > now,
        )
    ).all()
    for meeting in meetings:
        meeting.version += 1
        meeting.updated_at = now
        session.add(meeting)
        session.flush()
        appointments.plan(session, meeting, client, now=now)
    lists = session.exec(
        select(Checklist).where(
            Checklist.client_id == client.id, Checklist.status == ChecklistStatus.OPEN
        )
    ).all()
    for checklist in lists:
        checklists.new_version(session, checklist, client, now)
    audit.record(
        session,
        "client_reopened",
        actor_type=actor_type,
        actor_id=actor_id,
        actor_name=actor_name,
        client_id=client.id,
        detail=f"{len(meetings)} meetings and {len(lists)} document lists planned again",
    )
    return True


def from_their_number(session: Session, client: Client, model) -> ColumnElement[bool]:
    """A filter on InboundMessage or CallbackRequest: what came from a closed client's own
    number to their unit after the closing, stored as a stranger's (no client: the access
    rule no longer knows the number). It is theirs (the register extract shows it, erasure
    deletes it) until someone new became a client of the unit with the number: from then
    it is the new holder's. Representatives' numbers are left out (one may speak for
    several clients). Matches nothing for a client not closed."""
    moment = col(model.received_at if model is InboundMessage else model.created_at)
    if client.closed_at is None:
        return false()
    conditions = [
        col(model.client_id).is_(None),
        model.unit_id == client.unit_id,
        model.from_phone == client.phone,
        moment >= client.closed_at,
    ]
    new_holder = session.exec(
        select(Client.created_at)
        .where(
            Client.unit_id == client.unit_id,
            Client.phone == client.phone,
            Client.id != client.id,
            col(Client.created_at) >= client.closed_at,
        )
        .order_by(col(Client.created_at))
        .limit(1)
    ).first()
    if new_holder is not None:
        conditions.append(moment < new_holder)
    return and_(*conditions)


def deletion_dates(client: Client, config: dict) -> tuple[datetime, datetime] | None:
    """When a closed client's words and then everything else about them are deleted
    (MESSAGE_RETENTION_DAYS and RECORD_RETENTION_DAYS from the closing); None while they
    are a client."""
    if client.closed_at is None:
        return None
    return (
        client.closed_at + timedelta(days=config["MESSAGE_RETENTION_DAYS"]),
        client.closed_at + timedelta(days=config["RECORD_RETENTION_DAYS"]),
    )


def closed_before(moment: datetime):
    """A select of the ids of clients closed before `moment`."""
    return select(Client.id).where(
        col(Client.closed_at).is_not(None), col(Client.closed_at) < moment
    )
