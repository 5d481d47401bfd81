"""Document checklists: what a client must hand in, reminders of what is still missing,
a thank-you for what arrived, "we have everything" when the list is complete, and after
the due date with papers still missing one offer of help or more time.

What staff change afterwards (more time, a paper sent back) is app.casework.
checklist_changes'; a change raises the checklist's version, so reminders planned for the
old state die.
"""

from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlmodel import Session, select

from app.casework import catalog
from app.casework.deadlines import add_working_days
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
    repeat_monthly_day: int | None = None,
    series: Checklist | None = None,
    now: datetime | None = None,
    **source,
) -> Checklist:
    """Ask a client for documents: the list goes out now, reminders before the due date.

    With `repeat_monthly_day` the checklist starts a monthly series (app.casework.
    checklist_series makes each next month's); `series` makes it one month of that series.
    """
    now = now or utcnow()
    wanted = _checked_documents(application_type, due_date, documents, now)
    if repeat_monthly_day is not None and not 1 <= repeat_monthly_day <= 31:
        raise InvalidInput({"repeat_monthly_day": N_("Give a day of the month from 1 to 31.")})
    checklist = Checklist(
        client_id=saved_id(client),
        staff_id=staff_id,
        application_type=application_type,
        due_date=due_date,
        repeat_monthly_day=repeat_monthly_day,
        series_id=series.id if series is not None else None,
        series_month=month_of(due_date) if series is not None or repeat_monthly_day else None,
        **source,
    )
    session.add(checklist)
    session.flush()
    if repeat_monthly_day is not None:
        checklist.series_id = checklist.id  # the first month is the series
        session.add(checklist)
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


def month_of(day: date) -> str:
    """A date's month as a series names it: '2027-01'."""
    return f"{day.year:04d}-{day.month:02d}"


def dedupe_prefix(checklist: Checklist) -> str:
    """The dedupe key prefix of what this version of the checklist plans (the first
    version's keys are those planned before checklists had versions)."""
    if checklist.version == 1:
        return f"checklist:{checklist.id}"
    return f"checklist:{checklist.id}:v{checklist.version}"


def about(checklist: Checklist, client: Client) -> dict[str, Any]:
    """What every message about this version of the checklist is planned with."""
    return dict(
        client=client,
        subject_type=SubjectType.CHECKLIST,
        subject_id=checklist.id,
        subject_version=checklist.version,
    )


def overdue_at(checklist: Checklist) -> datetime:
    """When the offer of help goes if papers are still missing: the morning of the first
    working day after the due date (a day the case worker can answer)."""
    return at_local(add_working_days(checklist.due_date, 1))


def _plan(session: Session, checklist: Checklist, client: Client, now: datetime) -> None:
    """The list at once, then what depends on the due date."""
    add_message(
        session,
        kind="checklist_request",
        dedupe_key=f"checklist:{checklist.id}:request",
        due_at=now,
        **about(checklist, client),
    )
    _plan_due_date(session, checklist, client, now)


def _plan_due_date(session: Session, checklist: Checklist, client: Client, now: datetime) -> None:
    """A reminder CHECKLIST_REMINDER_DAYS before the due date, and one offer of help after
    it: those still ahead, for the checklist's current version."""
    key = dedupe_prefix(checklist)
    for days in current_app.config["CHECKLIST_REMINDER_DAYS"]:
        at = at_local(checklist.due_date - timedelta(days=days))
        if at > now:
            add_message(
                session,
                kind="checklist_reminder",
                dedupe_key=f"{key}:reminder:{days}d",
                due_at=at,
                **about(checklist, client),
            )
    if overdue_at(checklist) > now:
        add_message(
            session,
            kind="checklist_overdue",
            dedupe_key=f"{key}:overdue",
            due_at=overdue_at(checklist),
            **about(checklist, client),
        )


# What a new version replaces: everything planned from the due date and the missing papers.
_VERSIONED = ("checklist_reminder", "checklist_overdue", "checklist_due_moved")


def new_version(session: Session, checklist: Checklist, client: Client, now: datetime) -> None:
    """The checklist changed (a new due date, a list opened again): what the old version
    planned from the due date is cancelled and planned anew for the new one."""
    checklist.version += 1
    checklist.updated_at = now
    session.add(checklist)
    session.flush()
    cancel_pending(
        session,
        SubjectType.CHECKLIST,
        saved_id(checklist),
        except_version=checklist.version,
        kinds=_VERSIONED,
        reason="checklist changed",
    )
    _plan_due_date(session, checklist, client, now)


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
    # A paper handed in again after it was sent back is thanked for again.
    again = f":{item.problem_at:%Y%m%d%H%M%S%f}" if item.problem_at else ""
    item.received_at = now
    item.problem = None  # a paper sent back and handed in again is a new paper
    item.problem_at = None
    session.add(item)
    session.flush()
    client = session.get_one(Client, checklist.client_id)
    common = about(checklist, client)
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
            dedupe_key=f"{dedupe_prefix(checklist)}:complete",
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
            dedupe_key=f"{dedupe_prefix(checklist)}:received:{item.id}{again}",
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


def is_overdue(checklist: Checklist, today: date) -> bool:
    """Whether the due date has passed on an open checklist (papers are then missing)."""
    return checklist.status == ChecklistStatus.OPEN and checklist.due_date < today


def still_wanted(
    session: Session, message: OutboxMessage, checklist: Checklist, now: datetime
) -> bool:
    """Reminders, the offer of help and a new date only while something is missing and
    for the checklist as it is now; the offer only once the due date has passed; a paper
    sent back only while it is missing; thanks only while the list is open and something
    came in since the last thanks."""
    if message.kind == "checklist_complete":
        return checklist.status == ChecklistStatus.COMPLETE
    if checklist.status != ChecklistStatus.OPEN:
        return False
    all_items = items(session, checklist)
    if message.kind == "document_unclear":
        return any(i.problem and i.received_at is None for i in all_items)
    if message.kind == "documents_received":  # not when what it thanks for was sent back
        since = reads_for(session).last_thanks(saved_id(checklist))
        return any(i.received_at and (since is None or i.received_at > since) for i in all_items)
    if message.kind in _VERSIONED:
        if message.subject_version not in (None, checklist.version):
            return False
        if message.kind == "checklist_overdue" and not is_overdue(checklist, local_date(now)):
            return False
        return any(i.received_at is None for i in all_items)
    return True


def facts(session: Session, checklist: Checklist, client: Client, now: datetime) -> dict:
    """A checklist as messages describe it: what is asked, what arrived, what is missing,
    which papers came back and why, and whether the due date has passed."""
    all_items = items(session, checklist)
    since = reads_for(session).last_thanks(saved_id(checklist))
    return {
        "checklist": {
            "application": checklist.application_type,
            "due_date": checklist.due_date,
            "late": checklist.due_date < local_date(now),
            "documents": [i.document_type for i in all_items],
            "missing": [i.document_type for i in all_items if i.received_at is None],
            "received": [i.document_type for i in all_items if i.received_at is not None],
            "received_now": [
                i.document_type
                for i in all_items
                if i.received_at is not None and (since is None or i.received_at > since)
            ],
            "problems": [
                {"document": i.document_type, "problem": i.problem}
                for i in all_items
                if i.problem and i.received_at is None
            ],
        }
    }
