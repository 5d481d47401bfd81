"""Document checklists by the system's own id: ask for documents (once or every month),
tick what came in, send a paper back, give more time, stop a monthly application, withdraw
the list.

Sending a checklist again as it is changes nothing; with another due date it gives more
time (the client is told); sending it otherwise is refused, naming what differs.
"""

from datetime import datetime

from sqlmodel import Session

from app.api import problems, resources
from app.api.auth import Caller, about, caller
from app.api.operations import operation
from app.api.schemas import ChecklistIn, ChecklistItemOut, ChecklistOut, ReceivedIn, SendBackIn
from app.casework import checklist_changes, checklist_series, checklists, system_ids
from app.db import get_session
from app.errors import InvalidInput
from app.models import Checklist, Client, SubjectType, saved_id, utcnow
from app.outbox.planner import local_date

FIELDS = {"staff_id": "/staff_email"}


def checklist_out(session: Session, checklist: Checklist) -> ChecklistOut:
    """A checklist as the API shows it: each document, received or not, and the messages."""
    first = checklist_series.first_of(session, checklist)
    return ChecklistOut(
        id=checklist.id,
        source_id=checklist.source_id,
        client_source_id=resources.source_id_of(session, Client, checklist.client_id),
        application_type=checklist.application_type,
        due_date=checklist.due_date,
        status=checklist.status,
        completed_at=checklist.completed_at,
        overdue=checklists.is_overdue(checklist, local_date(utcnow())),
        repeat_monthly_day=first.repeat_monthly_day if first else None,
        repeat_stopped_at=first.repeat_stopped_at if first else None,
        series_month=checklist.series_month,
        staff_email=system_ids.email_of(session, checklist.staff_id),
        items=[
            ChecklistItemOut(
                document_type=item.document_type,
                received_at=item.received_at,
                problem=item.problem if item.received_at is None else None,
                problem_at=item.problem_at if item.received_at is None else None,
            )
            for item in checklists.items(session, checklist)
        ],
        created_at=checklist.created_at,
        messages=resources.messages_about(session, SubjectType.CHECKLIST, saved_id(checklist)),
    )


def _differences(session: Session, checklist: Checklist, client: Client, body: ChecklistIn):
    sent = body.model_fields_set
    wanted: dict[str, object] = {
        "client_source_id": client.id,
        "application_type": body.application_type,
    }
    current: dict[str, object] = {
        "client_source_id": checklist.client_id,
        "application_type": checklist.application_type,
    }
    if "repeat_monthly_day" in sent:
        wanted["repeat_monthly_day"] = body.repeat_monthly_day
        current["repeat_monthly_day"] = checklist.repeat_monthly_day
    if "documents" in sent and body.documents is not None:
        wanted["documents"] = body.documents
        current["documents"] = [i.document_type for i in checklists.items(session, checklist)]
    return [name for name in wanted if wanted[name] != current[name]]


def put_checklist(
    session: Session, who: Caller, source_id: str, body: ChecklistIn, now: datetime | None = None
) -> tuple[Checklist, bool]:
    """Ask for the documents (nothing committed); returns the checklist and whether new."""
    client = resources.client_named(session, who, body.client_source_id)
    existing = resources.find(session, who, Checklist, source_id)
    if existing is not None:
        differing = _differences(session, existing, client, body)
        if differing:
            raise resources.unchangeable(differing, "checklist")
        if body.due_date != existing.due_date:
            try:
                checklist_changes.move_due_date(session, existing, body.due_date, now=now)
            except InvalidInput as exc:
                raise problems.from_domain(exc, {"status": "/due_date"}) from None
            who.record(session, "checklist_due_date_moved", client_id=client.id,
                       subject_type=SubjectType.CHECKLIST, subject_id=existing.id,
                       detail=body.due_date.isoformat())  # fmt: skip
        return existing, False
    created = checklists.create(
        session,
        client,
        application_type=body.application_type,
        due_date=body.due_date,
        documents=body.documents,
        repeat_monthly_day=body.repeat_monthly_day,
        staff_id=resources.staff_id(session, who, body.staff_email, "/staff_email")
        or client.caseworker_id,
        now=now or utcnow(),
        **resources.source(who, Checklist, source_id),
    )
    who.record(
        session,
        "checklist_created",
        client_id=client.id,
        subject_type=SubjectType.CHECKLIST,
        subject_id=created.id,
        detail=body.application_type,
    )
    return created, True


@operation(
    "PUT",
    "/checklists/{source_id}",
    summary="Ask a client for documents",
    tag="Checklists",
    body=ChecklistIn,
    responses={
        200: (ChecklistOut, "The checklist was there: as sent, or with its new due date"),
        201: (ChecklistOut, "A new checklist: the list goes out now, reminders before the day"),
    },
)
def checklist_put(source_id: str, body: ChecklistIn):
    """Ask the client named by `client_source_id` for documents by `due_date`. Without
    `documents`, the application type's usual documents are asked for. The list goes out
    at once; reminders name only what is still missing, and if the due date passes with
    documents missing the client is offered help or more time once (with the case
    worker's name and number). Sending it again with a later `due_date` gives more time:
    the client is told the new date. With `repeat_monthly_day` it is a monthly
    application (see the field)."""
    session = get_session()
    with resources.writing(session, FIELDS):
        checklist, created = put_checklist(session, caller(), source_id, body)
        session.commit()
    about(checklist.client_id, SubjectType.CHECKLIST, checklist.id)
    return checklist_out(session, checklist), 201 if created else 200


@operation(
    "GET",
    "/checklists/{source_id}",
    summary="A checklist",
    tag="Checklists",
    responses={200: (ChecklistOut, "The checklist")},
)
def checklist_get(source_id: str):
    """The checklist your system knows by `source_id`: each document and when it came in."""
    session = get_session()
    checklist = resources.find_or_404(session, caller(), Checklist, source_id)
    about(checklist.client_id, SubjectType.CHECKLIST, checklist.id)
    return checklist_out(session, checklist), 200


def receive_documents(
    session: Session, who: Caller, checklist: Checklist, documents: list[str]
) -> None:
    """Tick documents as received (nothing committed); a 422 names the first one refused."""
    for index, document in enumerate(documents):
        try:
            checklists.receive(session, checklist, document)
        except InvalidInput as exc:
            fields = {"document_type": f"/documents/{index}"}
            raise problems.from_domain(exc, fields) from None
    who.record(session, "documents_ticked", client_id=checklist.client_id,
               subject_type=SubjectType.CHECKLIST, subject_id=checklist.id,
               detail=", ".join(documents))  # fmt: skip


@operation(
    "POST",
    "/checklists/{source_id}/received",
    summary="Tick documents as received",
    tag="Checklists",
    body=ReceivedIn,
    responses={200: (ChecklistOut, "Ticked: the client is thanked, or told the list is complete")},
)
def checklist_received(source_id: str, body: ReceivedIn):
    """Tick documents that have come in: all of them, or none if one is refused. The client
    gets one thank-you for documents ticked close together, and a last message when the
    list is complete. Ticking a document again changes nothing."""
    session = get_session()
    who = caller()
    checklist = resources.find_or_404(session, who, Checklist, source_id)
    with resources.writing(session):
        receive_documents(session, who, checklist, body.documents)
        session.commit()
    about(checklist.client_id, SubjectType.CHECKLIST, checklist.id)
    return checklist_out(session, checklist), 200


@operation(
    "POST",
    "/checklists/{source_id}/cancel",
    summary="Withdraw a checklist",
    tag="Checklists",
    responses={200: (ChecklistOut, "Withdrawn: nothing more is sent about it")},
)
def checklist_cancel(source_id: str):
    """Withdraw an open checklist: no more reminders. A complete list stays complete (422).
    Withdrawing twice changes nothing."""
    session = get_session()
    who = caller()
    checklist = resources.find_or_404(session, who, Checklist, source_id)
    with resources.writing(session):
        if checklist.status != "cancelled":
            checklists.cancel(session, checklist)
            who.record(session, "checklist_cancelled", client_id=checklist.client_id,
                       subject_type=SubjectType.CHECKLIST, subject_id=checklist.id)  # fmt: skip
        session.commit()
    about(checklist.client_id, SubjectType.CHECKLIST, checklist.id)
    return checklist_out(session, checklist), 200


@operation(
    "POST",
    "/checklists/{source_id}/send-back",
    summary="Send a document back as unclear or wrong",
    tag="Checklists",
    body=SendBackIn,
    responses={200: (ChecklistOut, "Sent back: the document is missing again")},
)
def checklist_send_back(source_id: str, body: SendBackIn):
    """A received document is unclear or wrong (`problem`: a key of the catalog's
    `paper_problems`). The client is told which document and why, in plain words in their
    language; the document is missing again, reminders resume, and a complete list opens
    again. Documents sent back close together make one message."""
    session = get_session()
    who = caller()
    checklist = resources.find_or_404(session, who, Checklist, source_id)
    with resources.writing(session, {"status": "/document_type"}):
        checklist_changes.mark_unclear(session, checklist, body.document_type, body.problem)
        who.record(session, "document_sent_back", client_id=checklist.client_id,
                   subject_type=SubjectType.CHECKLIST, subject_id=checklist.id,
                   detail=f"{body.document_type}: {body.problem}")  # fmt: skip
        session.commit()
    about(checklist.client_id, SubjectType.CHECKLIST, checklist.id)
    return checklist_out(session, checklist), 200


@operation(
    "POST",
    "/checklists/{source_id}/stop-repeating",
    summary="Stop a monthly application",
    tag="Checklists",
    responses={200: (ChecklistOut, "Stopped: no new months are made")},
)
def checklist_stop_repeating(source_id: str):
    """Stop the monthly application this checklist belongs to (any of its months): no
    new month's checklist is made; those already sent stay as they are. A checklist that
    does not repeat is refused (422). Stopping twice changes nothing."""
    session = get_session()
    who = caller()
    checklist = resources.find_or_404(session, who, Checklist, source_id)
    with resources.writing(session):
        first = checklist_series.stop(session, checklist)
        who.record(session, "checklist_series_stopped", client_id=checklist.client_id,
                   subject_type=SubjectType.CHECKLIST, subject_id=first.id)  # fmt: skip
        session.commit()
    about(checklist.client_id, SubjectType.CHECKLIST, checklist.id)
    return checklist_out(session, checklist), 200
