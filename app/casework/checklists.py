"""Document checklists: what a client must hand in, reminders of what is still missing,
a thank-you for what arrived, and "we have everything" when the list is complete."""

from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlmodel import Session, select

from app.casework import catalog
from app.casework.reads import reads_for
from app.errors import N_, InvalidInput
from app.models import (
    Checklist,
    ChecklistItem,
    ChecklistStatus,
    Client,
    OutboxMessage,
    OutboxStatus,
    SubjectType,
    saved_id,
    utcnow,
)
from app.outbox.planner import add_message, at_local, cancel_pending, local_date


def default_documents(application_type: str) -> list[str]:
    """The documents an application type asks for by default."""
    return list(
        catalog.entry(catalog.configured_dir(), "applications", application_type)["documents"]
    )


def items(session: Session, checklist: Checklist) -> list[ChecklistItem]:
    """The checklist's items in their order."""
    return reads_for(session).checklist_items(saved_id(checklist))


def create(
    session: Session,
    client: Client,
    *,
    application_type: str,
    due_date: date,
    documents: list[str] | None = None,
    staff_id: int | None = None,
    now: datetime | None = None,
    **source,
) -> Checklist:
    """Ask a client for documents: the list goes out now, reminders before the due date."""
    now = now or utcnow()
    wanted = _checked_documents(application_type, due_date, documents, now)
    checklist = Checklist(
        client_id=saved_id(client),
        staff_id=staff_id,
        application_type=application_type,
        due_date=due_date,
        **source,
    )
    session.add(checklist)
    session.flush()
    for position, document in enumerate(wanted):
        session.add(
            ChecklistItem(
                checklist_id=saved_id(checklist), document_type=document, position=position
            )
        )
    session.flush()
    _plan(session, checklist, client, now)
    return checklist


def _checked_documents(
    application_type: str, due_date: date, documents: list[str] | None, now: datetime
) -> list[str]:
    """The documents to ask for (the application type's own when none are given), once
    each; raise InvalidInput naming every wrong field."""
    applications = catalog.entries(catalog.configured_dir(), "applications")
    errors = {}
    if application_type not in applications:
        errors["application_type"] = N_("Choose one of the options.")
    if not isinstance(due_date, date) or due_date < local_date(now):
        errors["due_date"] = N_("The due date must be today or later.")
    known = catalog.entries(catalog.configured_dir(), "documents")
    if documents is None:
        documents = list(applications.get(application_type, {}).get("documents", []))
    wanted = list(dict.fromkeys(documents))
    if any(d not in known for d in wanted):
        errors["documents"] = N_("Unknown document: choose from the list.")
    elif not wanted:
        errors["documents"] = N_("Ask for at least one document.")
    if errors:
        raise InvalidInput(errors)
    return wanted


def _plan(session: Session, checklist: Checklist, client: Client, now: datetime) -> None:
    """The list at once, and a reminder CHECKLIST_REMINDER_DAYS before the due date."""
    key = f"checklist:{checklist.id}"
    common: dict[str, Any] = dict(
        client=client, subject_type=SubjectType.CHECKLIST, subject_id=checklist.id
    )
    add_message(
        session, kind="checklist_request", dedupe_key=f"{key}:request", due_at=now, **common
    )
    for days in current_app.config["CHECKLIST_REMINDER_DAYS"]:
        at = at_local(checklist.due_date - timedelta(days=days))
        if at > now:
            add_message(
                session,
                kind="checklist_reminder",
                dedupe_key=f"{key}:reminder:{days}d",
                due_at=at,
                **common,
            )


def receive(
    session: Session, checklist: Checklist, document_type: str, *, now: datetime | None = None
) -> ChecklistItem:
    """Tick a document as received; thank the client (a few ticks make one message)."""
    now = now or utcnow()
    if checklist.status != ChecklistStatus.OPEN:
        raise InvalidInput({"status": N_("This checklist is closed.")})
    item = next((i for i in items(session, checklist) if i.document_type == document_type), None)
    if item is None:
        raise InvalidInput({"document_type": N_("That document is not on this checklist.")})
    if item.received_at is not None:
        return item
    item.received_at = now
    session.add(item)
    session.flush()
    client = session.get_one(Client, checklist.client_id)
    common: dict[str, Any] = dict(
        client=client, subject_type=SubjectType.CHECKLIST, subject_id=checklist.id
    )
    if all(i.received_at for i in items(session, checklist)):
        checklist.status = ChecklistStatus.COMPLETE
        checklist.completed_at = now
        session.add(checklist)
        cancel_pending(
            session, SubjectType.CHECKLIST, saved_id(checklist), reason="checklist complete"
        )
        add_message(
            session,
            kind="checklist_complete",
            dedupe_key=f"checklist:{checklist.id}:complete",
            due_at=now,
            **common,
        )
        return item
    pending = session.exec(
        select(OutboxMessage.id).where(
            OutboxMessage.subject_type == SubjectType.CHECKLIST,
            OutboxMessage.subject_id == checklist.id,
            OutboxMessage.kind == "documents_received",
            OutboxMessage.status == OutboxStatus.PENDING,
        )
    ).first()
    if pending is None:
        delay = timedelta(minutes=current_app.config["CONFIRMATION_DELAY_MINUTES"])
        add_message(
            session,
            kind="documents_received",
            dedupe_key=f"checklist:{checklist.id}:received:{item.id}",
            due_at=now + delay,
            **common,
        )
    return item


def cancel(session: Session, checklist: Checklist, *, now: datetime | None = None) -> Checklist:
    """Withdraw a checklist; nothing more is sent about it. Withdrawing twice changes
    nothing; a complete list stays complete."""
    if checklist.status == ChecklistStatus.CANCELLED:
        return checklist
    if checklist.status != ChecklistStatus.OPEN:
        raise InvalidInput({"status": N_("This list is closed already.")})
    checklist.status = ChecklistStatus.CANCELLED
    checklist.updated_at = now or utcnow()
    session.add(checklist)
    cancel_pending(
        session, SubjectType.CHECKLIST, saved_id(checklist), reason="checklist cancelled"
    )
    return checklist


def still_wanted(
    session: Session, message: OutboxMessage, checklist: Checklist, now: datetime
) -> bool:
    """Reminders only while something is missing; thanks only while the list is open."""
    if message.kind == "checklist_complete":
        return checklist.status == ChecklistStatus.COMPLETE
    if checklist.status != ChecklistStatus.OPEN:
        return False
    if message.kind == "checklist_reminder":
        return any(i.received_at is None for i in items(session, checklist))
    return True


def facts(session: Session, checklist: Checklist, client: Client, now: datetime) -> dict:
    """A checklist as messages describe it: what is asked, what arrived, what is missing."""
    all_items = items(session, checklist)
    since = reads_for(session).last_thanks(saved_id(checklist))
    return {
        "checklist": {
            "application": checklist.application_type,
            "due_date": checklist.due_date,
            "documents": [i.document_type for i in all_items],
            "missing": [i.document_type for i in all_items if i.received_at is None],
            "received": [i.document_type for i in all_items if i.received_at is not None],
            "received_now": [
                i.document_type
                for i in all_items
                if i.received_at is not None and (since is None or i.received_at > since)
            ],
        }
    }
