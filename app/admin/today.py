"""Today: what needs a case worker's attention now, for the clients they handle."""

from datetime import timedelta

from flask import render_template
from sqlalchemy import and_
from sqlmodel import col, select

from app import access
from app.admin import bp
from app.admin.access import current_staff, is_manager, today, visible_clients, visible_rows
from app.db import get_session
from app.models import (
    Appointment,
    AppointmentResponse,
    AppointmentStatus,
    AuditEvent,
    CallbackRequest,
    Client,
    InboundMessage,
    OutboxMessage,
    OutboxStatus,
    SubjectType,
    utcnow,
)
from app.sms.floods import FLOOD_ACTION, flood_texts

FAILURES_SHOWN_FOR = timedelta(days=14)
PIN_LOCKS_SHOWN_FOR = timedelta(days=7)
FLOODS_SHOWN_FOR = timedelta(days=7)


def _with_clients(query, model) -> list[tuple]:
    """Rows joined to their client, limited to the clients the person handles; messages
    from unknown numbers (no client) are for the unit whose number they reached."""
    staff = current_staff()
    query = query.outerjoin(Client, Client.id == model.client_id).where(
        visible_rows(model, staff, today())
    )
    return list(get_session().exec(query))


def waiting_messages(*, documents: bool) -> list[tuple[InboundMessage, Client | None]]:
    """Texts that need an answer; with documents=True those that came with pictures.
    Complaints and requests are listed on their own (complaints_and_requests)."""
    media = InboundMessage.media != "" if documents else InboundMessage.media == ""
    query = (
        select(InboundMessage, Client)
        .where(
            col(InboundMessage.needs_answer).is_(True),
            col(InboundMessage.handled_at).is_(None),
            col(InboundMessage.for_managers).is_(False),
            media,
        )
        .order_by(col(InboundMessage.received_at))
    )
    return _with_clients(query, InboundMessage)


def complaints_and_requests() -> list[tuple[InboundMessage, Client | None]]:
    """For a manager: complaints, and requests for another case worker, waiting for an
    answer, oldest first (for anyone else the access rule finds none)."""
    query = (
        select(InboundMessage, Client)
        .where(
            col(InboundMessage.for_managers).is_(True),
            col(InboundMessage.needs_answer).is_(True),
            col(InboundMessage.handled_at).is_(None),
        )
        .order_by(col(InboundMessage.received_at))
    )
    return _with_clients(query, InboundMessage)


def waiting_callbacks() -> list[tuple[CallbackRequest, Client | None]]:
    """Callback requests nobody has handled, oldest first."""
    query = (
        select(CallbackRequest, Client)
        .where(col(CallbackRequest.handled_at).is_(None))
        .order_by(col(CallbackRequest.created_at))
    )
    return _with_clients(query, CallbackRequest)


def _answered_meetings(*answer) -> list[tuple[Appointment, Client]]:
    """Coming meetings (or begun in the last 12 hours) with this answer, nearest first."""
    query = (
        select(Appointment, Client)
        .join(Client, col(Client.id) == Appointment.client_id)
        .where(
            *answer,
            Appointment.status == AppointmentStatus.PLANNED,
            Appointment.starts_at >= utcnow() - timedelta(hours=12),
            visible_clients(current_staff(), today()),
        )
        .order_by(col(Appointment.starts_at))
    )
    return list(get_session().exec(query))


def declined_appointments() -> list[tuple[Appointment, Client]]:
    """Coming meetings the client said no to: they need a new time or a cancellation."""
    return _answered_meetings(Appointment.response == AppointmentResponse.DECLINED)


def changed_to_coming() -> list[tuple[Appointment, Client]]:
    """Coming meetings the client first said no to and then yes: a new time may no longer
    be needed (a declined one after a yes is among the declined)."""
    return _answered_meetings(
        Appointment.response == AppointmentResponse.CONFIRMED,
        Appointment.previous_response == AppointmentResponse.DECLINED,
    )


def failed_deliveries() -> list[tuple[OutboxMessage, Client]]:
    """Messages that could not be delivered lately and nobody has looked at."""
    query = (
        select(OutboxMessage, Client)
        .join(Client, col(Client.id) == OutboxMessage.client_id)
        .where(
            col(OutboxMessage.status).in_((OutboxStatus.FAILED, OutboxStatus.UNDELIVERED)),
            col(OutboxMessage.reviewed_at).is_(None),
            col(OutboxMessage.final_at) >= utcnow() - FAILURES_SHOWN_FOR,
            visible_clients(current_staff(), today()),
            access.staff_client_outbox(current_staff(), today()),
        )
        .order_by(col(OutboxMessage.final_at).desc())
    )
    return list(get_session().exec(query))


def locked_pins() -> list[Client]:
    """Clients whose PIN locked lately after wrong tries (someone may be guessing it), the
    latest first, until staff give them a new PIN."""
    query = (
        select(Client)
        .where(
            col(Client.pin_locked_at) >= utcnow() - PIN_LOCKS_SHOWN_FOR,
            visible_clients(current_staff(), today()),
        )
        .order_by(col(Client.pin_locked_at).desc())
    )
    return list(get_session().exec(query))


def sms_floods() -> list[tuple[InboundMessage, Client | None, int]]:
    """Numbers that texted many times quickly, so that their automatic answers were held
    back (app/sms/floods.py): the first held text, its sender and how many texts the flood
    holds so far; shown until that text is handled."""
    query = (
        select(InboundMessage, Client)
        .join(
            AuditEvent,
            and_(
                col(AuditEvent.subject_type) == SubjectType.INBOUND_MESSAGE,
                col(AuditEvent.subject_id) == InboundMessage.id,
            ),
        )
        .where(
            AuditEvent.action == FLOOD_ACTION,
            AuditEvent.at >= utcnow() - FLOODS_SHOWN_FOR,
            col(InboundMessage.handled_at).is_(None),
        )
        .order_by(col(InboundMessage.received_at).desc())
        .distinct()
    )
    session = get_session()
    return [
        (inbound, client, flood_texts(session, inbound))
        for inbound, client in _with_clients(query, InboundMessage)
    ]


@bp.route("/", endpoint="today")
def today_page():
    """The start page after signing in."""
    return render_template(
        "admin/today.html",
        messages=waiting_messages(documents=False),
        manager=is_manager(),
        complaints=complaints_and_requests(),
        documents=waiting_messages(documents=True),
        callbacks=waiting_callbacks(),
        declined=declined_appointments(),
        changed_to_coming=changed_to_coming(),
        failures=failed_deliveries(),
        locked_pins=locked_pins(),
        floods=sms_floods(),
    )
