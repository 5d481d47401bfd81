"""Requests to be called back: queued for staff with the client's language and
interpreter need, and confirmed to the client with who will call and roughly when."""

from datetime import datetime

from flask import current_app
from sqlmodel import Session

from app.casework.contacts import Contact, contact_facts, current_contact
from app.casework.deadlines import add_working_days
from app.models import (
    CallbackRequest,
    CallbackSource,
    Client,
    OutboxMessage,
    SubjectType,
    Unit,
    utcnow,
)
from app.outbox.planner import add_message, local_date


def request_callback(
    session: Session,
    client: Client | None,
    *,
    source: str = CallbackSource.SMS,
    language: str | None = None,
    interpreter_needed: bool | None = None,
    from_phone: str | None = None,
    unit_id: int | None = None,
    confirm: bool = True,
    now: datetime | None = None,
) -> CallbackRequest:
    """Queue a callback for staff and confirm it to a known client (by SMS unless the
    request came in a conversation that answers it directly: confirm=False). A request
    from an unknown number belongs to `unit_id`, the unit whose number was called; one
    from a representative keeps their number (`from_phone`), so staff call them back."""
    now = now or utcnow()
    language = language or (client.language if client else "sv")
    if interpreter_needed is None:
        interpreter_needed = language != "sv"
    contact = current_contact(session, client, local_date(now)) if client else Contact(None)
    request = CallbackRequest(
        client_id=client.id if client else None,
        unit_id=client.unit_id if client else unit_id,
        from_phone=from_phone,
        language=language,
        interpreter_needed=interpreter_needed,
        source=source,
        assigned_staff_id=contact.staff.id if contact.staff else None,
    )
    session.add(request)
    session.flush()
    if client is not None and confirm:
        add_message(
            session,
            kind="callback_confirmation",
            client=client,
            dedupe_key=f"callback:{request.id}:confirmation",
            due_at=now,
            subject_type=SubjectType.CALLBACK,
            subject_id=request.id,
        )
    return request


def still_wanted(
    session: Session, message: OutboxMessage, request: CallbackRequest, now: datetime
) -> bool:
    """No confirmation once staff have already called."""
    return request.handled_at is None


def facts(session: Session, request: CallbackRequest, client: Client, now: datetime) -> dict:
    """Who will call and by which day."""
    unit = session.get_one(Unit, client.unit_id)
    contact = current_contact(session, client, local_date(now))
    days = current_app.config["CALLBACK_WORKING_DAYS"]
    return {
        "callback": {
            "caller": contact_facts(session, contact, unit)["name"],
            "by": add_working_days(local_date(now), days),
            "interpreter": request.language if request.interpreter_needed else None,
        }
    }
