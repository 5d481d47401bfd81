"""Document checklists: the list, reminders of only what is missing, thanks, completion."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import checklists
from app.errors import InvalidInput
from app.models import ChecklistStatus, OutboxMessage, OutboxStatus
from app.outbox.sweep import send_due
from tests.factories import create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
DUE = date(2026, 3, 9)


def outbox(session, kind=None, status=None) -> list[OutboxMessage]:
    session.commit()  # the domain functions leave committing to their caller
    query = select(OutboxMessage).order_by(OutboxMessage.due_at, OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    if status:
        query = query.where(OutboxMessage.status == status)
    return list(session.exec(query))


def sent_bodies(outbox_file, kind) -> list[str]:
    lines = [json.loads(line) for line in outbox_file.read_text().splitlines()]
    return [line["body"] for line in lines if line["kind"] == kind]


@pytest.fixture
def checklist(session):
    client = create_client(session)
    created = checklists.create(
        session,
        client,
        application_type="ekonomiskt_bistand",
        due_date=DUE,
        documents=["hyresavi", "kontoutdrag", "lonespecifikation"],
        now=NOW,
    )
    session.commit()
    return created


def test_the_list_goes_out_at_once_and_reminders_before_the_due_date(session, checklist):
    assert [m.due_at for m in outbox(session, "checklist_request")] == [NOW]
    # 3 and 1 days before the due date, at 09.00 Stockholm time (08.00 UTC in March).
    assert [m.due_at for m in outbox(session, "checklist_reminder")] == [
        datetime(2026, 3, 6, 8, 0, tzinfo=UTC),
        datetime(2026, 3, 8, 8, 0, tzinfo=UTC),
    ]


def test_the_list_names_every_document_and_the_due_date(session, checklist, outbox_file):
    send_due(NOW)
    (body,) = sent_bodies(outbox_file, "checklist_request")
    assert "Det här behöver vi: hyresavi, kontoutdrag och lönebesked." in body
    assert "senast måndag 9 mars" in body


def test_application_types_bring_their_default_documents(session):
    client = create_client(session)
    created = checklists.create(
        session, client, application_type="lss_application", due_date=DUE, now=NOW
    )
    assert [i.document_type for i in checklists.items(session, created)] == [
        "lakarintyg",
        "id_handling",
    ]


def test_reminders_list_only_what_is_still_missing(session, checklist, outbox_file):
    checklists.receive(session, checklist, "hyresavi", now=NOW + timedelta(hours=1))
    session.commit()
    send_due(datetime(2026, 3, 6, 8, 0, tzinfo=UTC))
    (body,) = sent_bodies(outbox_file, "checklist_reminder")
    assert "Det här saknas: kontoutdrag och lönebesked." in body
    assert "hyresavi" not in body


def test_ticks_close_together_make_one_thank_you(session, checklist, outbox_file):
    checklists.receive(session, checklist, "hyresavi", now=NOW)
    checklists.receive(session, checklist, "kontoutdrag", now=NOW + timedelta(minutes=2))
    session.commit()
    assert len(outbox(session, "documents_received")) == 1
    send_due(NOW + timedelta(minutes=15))
    (body,) = sent_bodies(outbox_file, "documents_received")
    assert "Tack! Vi har fått hyresavi och kontoutdrag." in body
    assert "Vi väntar på lönebesked." in body


def test_a_later_thank_you_names_only_what_arrived_since(session, checklist, outbox_file):
    checklists.receive(session, checklist, "hyresavi", now=NOW)
    session.commit()
    send_due(NOW + timedelta(minutes=15))
    checklists.receive(session, checklist, "kontoutdrag", now=NOW + timedelta(hours=2))
    session.commit()
    send_due(NOW + timedelta(hours=3))
    first, second = sent_bodies(outbox_file, "documents_received")
    assert "Vi har fått hyresavi." in first
    assert "Vi har fått kontoutdrag." in second


def test_the_last_document_completes_the_list_and_stops_reminders(session, checklist, outbox_file):
    for document in ("hyresavi", "kontoutdrag", "lonespecifikation"):
        checklists.receive(session, checklist, document, now=NOW + timedelta(hours=1))
    session.commit()
    assert checklist.status == ChecklistStatus.COMPLETE
    assert outbox(session, "checklist_reminder", OutboxStatus.PENDING) == []
    assert outbox(session, "documents_received", OutboxStatus.PENDING) == []
    send_due(datetime(2026, 3, 9, 10, 0, tzinfo=UTC))
    (body,) = sent_bodies(outbox_file, "checklist_complete")
    assert "Tack! Nu har vi alla papper" in body
    assert sent_bodies(outbox_file, "checklist_reminder") == []


def test_a_closed_checklist_takes_no_more_ticks(session, checklist):
    checklists.cancel(session, checklist, now=NOW)
    with pytest.raises(InvalidInput, match="closed"):
        checklists.receive(session, checklist, "hyresavi", now=NOW)
    assert outbox(session, "checklist_reminder", OutboxStatus.PENDING) == []


def test_a_document_not_on_the_list_is_refused(session, checklist):
    with pytest.raises(InvalidInput) as excinfo:
        checklists.receive(session, checklist, "elrakning", now=NOW)
    assert "document_type" in excinfo.value.errors


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"application_type": "lottery"}, "application_type"),
        ({"due_date": date(2026, 3, 1)}, "due_date"),
        ({"documents": ["hyresavi", "selfie"]}, "documents"),
        ({"documents": []}, "documents"),
    ],
)
def test_bad_checklist_input_names_the_field(session, values, field):
    client = create_client(session)
    arguments = {"application_type": "ekonomiskt_bistand", "due_date": DUE} | values
    with pytest.raises(InvalidInput) as excinfo:
        checklists.create(session, client, now=NOW, **arguments)
    assert field in excinfo.value.errors
