"""Papers still missing after the due date: one offer of help or more time (naming the
case worker and their number), never when everything came in or the list changed; more
time is a moved due date, which the client is told."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.casework import checklist_changes, checklists
from app.errors import InvalidInput
from app.models import OutboxStatus
from app.outbox.sweep import send_due
from tests.casework.conftest import outbox, sent
from tests.factories import create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
DUE = date(2026, 3, 9)  # a monday
AFTER = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # tuesday 09.00: the first working day after

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def checklist(session, team):
    _unit, lina, _omar = team
    client = create_client(session, lina)
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


def bodies(outbox_file, kind: str) -> list[str]:
    return [line["body"] for line in sent(outbox_file) if line["kind"] == kind]


def test_the_offer_of_help_is_planned_for_the_first_working_day_after_the_due_date(
    session, checklist
):
    (planned,) = outbox(session, "checklist_overdue")
    assert planned.due_at == AFTER
    assert planned.subject_version == checklist.version == 1


def test_a_friday_due_date_is_followed_up_on_monday_not_in_the_weekend(session, team):
    client = create_client(session, team[1])
    friday = checklists.create(
        session, client, application_type="ekonomiskt_bistand", due_date=date(2026, 3, 13),
        now=NOW,
    )  # fmt: skip
    session.commit()
    (planned,) = [m for m in outbox(session, "checklist_overdue") if m.subject_id == friday.id]
    assert planned.due_at == datetime(2026, 3, 16, 8, 0, tzinfo=UTC)


def test_the_offer_names_what_is_missing_and_the_case_worker_and_never_threatens(
    session, checklist, outbox_file
):
    checklists.receive(session, checklist, "hyresavi", now=NOW + timedelta(hours=1))
    session.commit()
    send_due(AFTER)
    (body,) = bodies(outbox_file, "checklist_overdue")
    assert "Vi har inte fått kontoutdrag och lönebesked än." in body
    assert "Det är inte för sent." in body
    assert "mer tid" in body
    assert "Ring Lina Berg på 070-174 06 05." in body
    assert "hyresavi" not in body
    for threat in ("nekas", "avslag", "måste", "sista chansen"):
        assert threat not in body.lower()


def test_it_goes_only_once(session, checklist, outbox_file):
    send_due(AFTER)
    send_due(AFTER + timedelta(days=3))
    assert len(bodies(outbox_file, "checklist_overdue")) == 1


def test_no_offer_when_everything_came_in(session, checklist, outbox_file):
    for document in ("hyresavi", "kontoutdrag", "lonespecifikation"):
        checklists.receive(session, checklist, document, now=NOW + timedelta(days=6))
    session.commit()
    assert outbox(session, "checklist_overdue")[0].status == OutboxStatus.CANCELLED
    send_due(AFTER)
    assert bodies(outbox_file, "checklist_overdue") == []


def test_no_offer_about_a_withdrawn_list(session, checklist, outbox_file):
    checklists.cancel(session, checklist, now=NOW)
    session.commit()
    send_due(AFTER)
    assert bodies(outbox_file, "checklist_overdue") == []


def test_more_time_moves_every_reminder_and_the_offer_and_tells_the_new_date(
    session, checklist, outbox_file
):
    later = date(2026, 3, 20)  # a friday
    assert checklist_changes.move_due_date(session, checklist, later, now=NOW + timedelta(days=1))
    session.commit()
    assert checklist.version == 2
    pending = [m for m in outbox(session) if m.status == OutboxStatus.PENDING]
    planned = [m for m in pending if m.kind not in ("checklist_due_moved", "checklist_request")]
    assert sorted((m.kind, m.due_at) for m in planned) == [
        ("checklist_overdue", datetime(2026, 3, 23, 8, 0, tzinfo=UTC)),
        ("checklist_reminder", datetime(2026, 3, 17, 8, 0, tzinfo=UTC)),
        ("checklist_reminder", datetime(2026, 3, 19, 8, 0, tzinfo=UTC)),
    ]
    assert all(m.subject_version == 2 for m in pending if m.kind != "checklist_request")
    send_due(AFTER)  # the old day after: nothing about the old date goes out
    assert bodies(outbox_file, "checklist_overdue") == []
    (told,) = bodies(outbox_file, "checklist_due_moved")
    assert "Du får mer tid. Lämna eller skicka pappren senast fredag 20 mars." in told
    assert "Det här saknas: hyresavi, kontoutdrag och lönebesked." in told
    send_due(datetime(2026, 3, 23, 8, 0, tzinfo=UTC))
    assert len(bodies(outbox_file, "checklist_overdue")) == 1


def test_more_time_after_the_due_date_still_offers_help_after_the_new_one(
    session, checklist, outbox_file
):
    send_due(AFTER)
    checklist_changes.move_due_date(
        session, checklist, date(2026, 3, 16), now=AFTER + timedelta(hours=1)
    )
    session.commit()
    send_due(datetime(2026, 3, 17, 8, 0, tzinfo=UTC))
    assert len(bodies(outbox_file, "checklist_overdue")) == 2  # one for each due date


def test_the_same_date_again_changes_nothing(session, checklist):
    assert not checklist_changes.move_due_date(session, checklist, DUE, now=NOW)
    assert checklist.version == 1
    assert outbox(session, "checklist_due_moved") == []


@pytest.mark.parametrize("moved_to", [date(2026, 3, 1), "2026-04-01"])
def test_a_due_date_in_the_past_or_not_a_date_is_refused(session, checklist, moved_to):
    with pytest.raises(InvalidInput) as excinfo:
        checklist_changes.move_due_date(session, checklist, moved_to, now=NOW)
    assert "due_date" in excinfo.value.errors


def test_a_closed_list_gets_no_new_date(session, checklist):
    checklists.cancel(session, checklist, now=NOW)
    with pytest.raises(InvalidInput) as excinfo:
        checklist_changes.move_due_date(session, checklist, date(2026, 3, 20), now=NOW)
    assert "status" in excinfo.value.errors
