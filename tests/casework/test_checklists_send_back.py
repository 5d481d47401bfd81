"""A received paper sent back as unclear or wrong: the client is told which one and why
(in plain words from the paper-problem catalog), it is missing again, reminders resume,
and a complete list opens again."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.casework import checklist_changes, checklists
from app.errors import InvalidInput
from app.models import ChecklistStatus, OutboxStatus
from app.outbox.sweep import send_due
from tests.casework.conftest import outbox, sent
from tests.factories import create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
DUE = date(2026, 3, 9)
LATER = NOW + timedelta(hours=2)

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def checklist(session, team):
    client = create_client(session, team[1])
    created = checklists.create(
        session,
        client,
        application_type="ekonomiskt_bistand",
        due_date=DUE,
        documents=["hyresavi", "kontoutdrag", "lonespecifikation"],
        now=NOW,
    )
    checklists.receive(session, created, "hyresavi", now=NOW + timedelta(minutes=30))
    checklists.receive(session, created, "lonespecifikation", now=NOW + timedelta(minutes=30))
    session.commit()
    return created


def bodies(outbox_file, kind: str) -> list[str]:
    return [line["body"] for line in sent(outbox_file) if line["kind"] == kind]


def item(session, checklist, document):
    return next(i for i in checklists.items(session, checklist) if i.document_type == document)


def test_the_client_is_told_which_paper_and_why_and_by_when(session, checklist, outbox_file):
    checklist_changes.mark_unclear(
        session, checklist, "lonespecifikation", "wrong_month", now=LATER
    )
    session.commit()
    send_due(LATER + timedelta(minutes=15))
    (body,) = bodies(outbox_file, "document_unclear")
    assert "Vi kan inte använda lönebesked som du lämnade. Det gäller fel månad." in body
    assert "Skicka ett nytt papper senast måndag 9 mars." in body
    assert "hyresavi" not in body


def test_the_paper_is_missing_again_and_reminders_name_it(session, checklist, outbox_file):
    checklist_changes.mark_unclear(
        session, checklist, "lonespecifikation", "cannot_read", now=LATER
    )
    session.commit()
    sent_back = item(session, checklist, "lonespecifikation")
    assert (sent_back.received_at, sent_back.problem, sent_back.problem_at) == (
        None,
        "cannot_read",
        LATER,
    )
    send_due(datetime(2026, 3, 6, 8, 0, tzinfo=UTC))
    reminders = bodies(outbox_file, "checklist_reminder")
    assert len(reminders) == 1
    assert "Det här saknas: kontoutdrag och lönebesked." in reminders[0]


def test_a_complete_list_opens_again_and_its_reminders_resume(session, checklist, outbox_file):
    checklists.receive(session, checklist, "kontoutdrag", now=NOW + timedelta(hours=1))
    session.commit()
    assert checklist.status == ChecklistStatus.COMPLETE
    assert outbox(session, "checklist_reminder")[0].status == OutboxStatus.CANCELLED
    checklist_changes.mark_unclear(session, checklist, "hyresavi", "page_missing", now=LATER)
    session.commit()
    assert (checklist.status, checklist.completed_at) == (ChecklistStatus.OPEN, None)
    pending = [m for m in outbox(session, "checklist_reminder") if m.status == "pending"]
    assert [m.due_at for m in pending] == [
        datetime(2026, 3, 6, 8, 0, tzinfo=UTC),
        datetime(2026, 3, 8, 8, 0, tzinfo=UTC),
    ]
    send_due(LATER + timedelta(minutes=15))
    # Handed in again, the list is complete again and the client is told so.
    checklists.receive(session, checklist, "hyresavi", now=LATER + timedelta(hours=1))
    session.commit()
    assert item(session, checklist, "hyresavi").problem is None
    send_due(LATER + timedelta(hours=2))
    assert len(bodies(outbox_file, "document_unclear")) == 1
    # The first "we have everything" had not gone out when the list opened again: it never does.
    (complete,) = bodies(outbox_file, "checklist_complete")
    assert "Nu har vi alla papper" in complete


def test_papers_sent_back_close_together_make_one_message(session, checklist, outbox_file):
    checklist_changes.mark_unclear(session, checklist, "hyresavi", "not_signed", now=LATER)
    checklist_changes.mark_unclear(
        session, checklist, "lonespecifikation", "too_old", now=LATER + timedelta(minutes=3)
    )
    session.commit()
    send_due(LATER + timedelta(minutes=15))
    (body,) = bodies(outbox_file, "document_unclear")
    assert "Vi kan inte använda hyresavi som du lämnade. Det saknar namnteckning." in body
    assert "Vi kan inte använda lönebesked som du lämnade. Det är för gammalt." in body
    assert "Skicka nya papper senast måndag 9 mars." in body


def test_after_the_due_date_a_new_paper_is_asked_for_as_soon_as_possible(
    session, checklist, outbox_file, frozen_clock
):
    after = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    frozen_clock.move_to(after)
    checklist_changes.mark_unclear(session, checklist, "hyresavi", "wrong_person", now=after)
    session.commit()
    assert outbox(session, "checklist_overdue")[-1].due_at < after  # none planned anew
    send_due(after + timedelta(minutes=15))
    (body,) = bodies(outbox_file, "document_unclear")
    assert "Skicka ett nytt papper så snart du kan." in body
    assert "Ring Lina Berg på 070-174 06 05." in body


def test_a_paper_handed_in_again_before_the_message_goes_stops_it(session, checklist, outbox_file):
    checklist_changes.mark_unclear(session, checklist, "hyresavi", "cannot_read", now=LATER)
    checklists.receive(session, checklist, "hyresavi", now=LATER + timedelta(minutes=5))
    session.commit()
    send_due(LATER + timedelta(minutes=15))
    assert bodies(outbox_file, "document_unclear") == []


@pytest.mark.parametrize(
    ("document", "problem", "field"),
    [
        ("kontoutdrag", "cannot_read", "document_type"),  # not in yet
        ("elrakning", "cannot_read", "document_type"),  # not on the list
        ("hyresavi", "ugly", "problem"),
    ],
)
def test_what_cannot_be_sent_back_names_the_field(session, checklist, document, problem, field):
    with pytest.raises(InvalidInput) as excinfo:
        checklist_changes.mark_unclear(session, checklist, document, problem, now=LATER)
    assert field in excinfo.value.errors
    assert outbox(session, "document_unclear") == []


def test_nothing_is_sent_back_on_a_withdrawn_list(session, checklist):
    checklists.cancel(session, checklist, now=LATER)
    with pytest.raises(InvalidInput) as excinfo:
        checklist_changes.mark_unclear(session, checklist, "hyresavi", "cannot_read", now=LATER)
    assert "status" in excinfo.value.errors


def test_the_same_paper_sent_back_twice_is_told_twice_and_thanked_for_each_time(
    session, checklist, outbox_file
):
    checklist_changes.mark_unclear(session, checklist, "hyresavi", "cannot_read", now=LATER)
    session.commit()
    send_due(LATER + timedelta(minutes=15))
    checklists.receive(session, checklist, "hyresavi", now=LATER + timedelta(hours=1))
    session.commit()
    send_due(LATER + timedelta(hours=1, minutes=15))
    checklist_changes.mark_unclear(
        session, checklist, "hyresavi", "not_signed", now=LATER + timedelta(hours=2)
    )
    session.commit()
    send_due(LATER + timedelta(hours=2, minutes=15))
    first, second = bodies(outbox_file, "document_unclear")
    assert "Vi kan inte läsa det." in first and "Det saknar namnteckning." in second
    thanks = bodies(outbox_file, "documents_received")
    assert "Vi har fått hyresavi." in thanks[-1]  # the paper handed in again


def test_no_thanks_for_a_paper_sent_back_before_the_thanks_went(session, team, outbox_file):
    client = create_client(session, team[1])
    fresh = checklists.create(
        session, client, application_type="ekonomiskt_bistand", due_date=DUE,
        documents=["hyresavi", "kontoutdrag"], now=NOW,
    )  # fmt: skip
    checklists.receive(session, fresh, "hyresavi", now=NOW)
    checklist_changes.mark_unclear(session, fresh, "hyresavi", "cannot_read", now=NOW)
    session.commit()
    send_due(NOW + timedelta(minutes=15))
    assert bodies(outbox_file, "documents_received") == []
    assert len(bodies(outbox_file, "document_unclear")) == 1
