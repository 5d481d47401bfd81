"""Changes to a checklist after its list went out: more time (a new due date, told to the
client) and a received paper sent back as unclear or wrong (which one and why, from the
paper-problem catalog), which puts it back among the missing."""

from datetime import date, datetime, timedelta

from flask import current_app
from sqlmodel import Session

from app.casework import catalog, checklists
from app.errors import N_, InvalidInput
from app.models import (
    Checklist,
    ChecklistItem,
    ChecklistStatus,
    Client,
    OutboxStatus,
    SubjectType,
    saved_id,
    utcnow,
)
from app.outbox.planner import add_message, has_message, local_date


def move_due_date(
    session: Session, checklist: Checklist, due_date: date, *, now: datetime | None = None
) -> bool:
    """Give the client more time: the new date replaces the old in every reminder, the
    offer of help after it waits for the new date, and the client is told the new date.
    Returns whether anything changed (the same date again changes nothing)."""
    now = now or utcnow()
    if checklist.status != ChecklistStatus.OPEN:
        raise InvalidInput({"status": N_("This list is closed already.")})
    if not isinstance(due_date, date) or due_date < local_date(now):
        raise InvalidInput({"due_date": N_("The due date must be today or later.")})
    if due_date == checklist.due_date:
        return False
    checklist.due_date = due_date
    client = session.get_one(Client, checklist.client_id)
    checklists.new_version(session, checklist, client, now)
    add_message(
        session,
        kind="checklist_due_moved",
        dedupe_key=f"{checklists.dedupe_prefix(checklist)}:moved",
        due_at=now,
        **checklists.about(checklist, client),
    )
    return True


def mark_unclear(
    session: Session,
    checklist: Checklist,
    document_type: str,
    problem: str,
    *,
    now: datetime | None = None,
) -> ChecklistItem:
    """Send a received paper back: it is missing again (reminders name it, and a complete
    list opens again with its reminders planned anew) and the client is told which paper
    and why. Papers sent back close together make one message."""
    now = now or utcnow()
    errors = {}
    if problem not in catalog.entries(catalog.configured_dir(), "paper_problems"):
        errors["problem"] = N_("Choose one of the options.")
    if checklist.status == ChecklistStatus.CANCELLED:
        errors["status"] = N_("This list is closed already.")
    on_list = checklists.items(session, checklist)
    item = next((i for i in on_list if i.document_type == document_type), None)
    if item is None:
        errors["document_type"] = N_("That document is not on this checklist.")
    elif item.received_at is None and not errors:
        errors["document_type"] = N_("Only a document that has come in can be sent back.")
    if errors or item is None:
        raise InvalidInput(errors)
    item.received_at = None
    item.problem = problem
    item.problem_at = now
    session.add(item)
    client = session.get_one(Client, checklist.client_id)
    if checklist.status == ChecklistStatus.COMPLETE:
        # Completing cancelled the reminders: the list opens again with them planned anew.
        # An open list's reminders still stand (they name what is missing when they go).
        checklist.status = ChecklistStatus.OPEN
        checklist.completed_at = None
        checklists.new_version(session, checklist, client, now)
    if not has_message(
        session,
        SubjectType.CHECKLIST,
        saved_id(checklist),
        ("document_unclear",),
        (OutboxStatus.PENDING,),
    ):
        delay = timedelta(minutes=current_app.config["CONFIRMATION_DELAY_MINUTES"])
        add_message(
            session,
            kind="document_unclear",
            dedupe_key=f"{checklists.dedupe_prefix(checklist)}:unclear:{item.id}:{now:%Y%m%d%H%M%S%f}",
            due_at=now + delay,
            **checklists.about(checklist, client),
        )
    return item
