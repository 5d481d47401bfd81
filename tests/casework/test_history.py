"""The history on the overview: decisions with their appeal dates, meetings and the
client's answers, newest first, as far back as retention keeps the records, and only the
kinds of record the reader may see."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.access import Topic
from app.casework import history
from app.casework.deadlines import appeal_deadline
from app.models import Appointment, Decision
from tests.factories import create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
EVERYTHING = {Topic.APPOINTMENTS, Topic.DECISIONS}

pytestmark = pytest.mark.frozen_at(NOW)


def decision(session, client, **values) -> Decision:
    defaults = dict(
        client_id=client.id,
        service="boendestod",
        outcome="approved",
        status="decided",
        decided_on=date(2026, 2, 10),
    )
    made = Decision(**(defaults | values))
    session.add(made)
    session.commit()
    return made


def meeting(session, client, starts_at: datetime, **values) -> Appointment:
    held = Appointment(
        client_id=client.id, staff_id=client.caseworker_id, starts_at=starts_at, **values
    )
    session.add(held)
    session.commit()
    return held


def test_decisions_meetings_and_answers_come_newest_first(session, team):
    _unit, lina, _omar = team
    sara = create_client(session, staff=lina)
    decision(session, sara, decided_on=date(2026, 2, 10), received_on=date(2026, 2, 12))
    meeting(session, sara, datetime(2026, 2, 20, 9, 0, tzinfo=UTC), attendance="came")
    meeting(
        session,
        sara,
        datetime(2026, 2, 25, 13, 0, tzinfo=UTC),
        response="confirmed",
        responded_at=datetime(2026, 2, 23, 15, 0, tzinfo=UTC),
        attendance="no_show",
    )
    found = history.entries(session, sara, NOW, EVERYTHING)
    assert [(e.what, e.on) for e in found] == [
        ("meeting", date(2026, 2, 25)),
        ("answer", date(2026, 2, 23)),
        ("meeting", date(2026, 2, 20)),
        ("decision", date(2026, 2, 10)),
    ]
    assert found[0].status == "no_show" and found[0].staff_name == "Lina Berg"
    assert found[1].answer == "confirmed"
    assert found[1].meeting_at == datetime(2026, 2, 25, 13, 0, tzinfo=UTC)
    assert found[2].status == "came"


def test_the_appeal_date_is_the_deadline_from_when_the_letter_came(session, team):
    _unit, lina, _omar = team
    sara = create_client(session, staff=lina)
    # Received on a Friday: three weeks later is a Friday too; the law's own rules decide.
    decision(session, sara, decided_on=date(2026, 1, 28), received_on=date(2026, 1, 30))
    decision(session, sara, service="ledsagarservice", decided_on=date(2025, 12, 3))
    found = history.entries(session, sara, NOW, EVERYTHING)
    assert [e.appeal_by for e in found] == [
        appeal_deadline(date(2026, 1, 30)),
        # No date of receipt: counted from the decision (as the summaries do), a holiday
        # week moved to the next working day.
        appeal_deadline(date(2025, 12, 3)),
    ]
    assert found[1].appeal_by == date(2025, 12, 29)  # 24 December, then the holidays


def test_a_cancelled_meeting_is_history_even_before_its_time_and_a_planned_one_is_not(
    session, team
):
    _unit, lina, _omar = team
    sara = create_client(session, staff=lina)
    meeting(session, sara, NOW + timedelta(days=3), status="cancelled")
    meeting(session, sara, NOW + timedelta(days=5))
    meeting(session, sara, NOW - timedelta(days=2), attendance="cancelled")
    found = history.entries(session, sara, NOW, EVERYTHING)
    assert [(e.what, e.on, e.status) for e in found] == [
        ("meeting", date(2026, 3, 5), "cancelled"),
        ("meeting", date(2026, 2, 28), "cancelled"),
    ]


def test_drafts_announced_and_withdrawn_decisions_are_not_history(session, team):
    _unit, lina, _omar = team
    sara = create_client(session, staff=lina)
    decision(session, sara, status="draft")
    decision(session, sara, status="announced", decided_on=None, expected_on=date(2026, 3, 9))
    decision(session, sara, status="withdrawn")
    assert history.entries(session, sara, NOW, EVERYTHING) == []


def test_only_what_retention_keeps_is_shown(app, session, team):
    _unit, lina, _omar = team
    sara = create_client(session, staff=lina)
    kept = NOW - timedelta(days=729)
    gone = NOW - timedelta(days=731)
    decision(session, sara, decided_on=kept.date())
    decision(session, sara, service="ledsagarservice", decided_on=gone.date())
    meeting(session, sara, kept, attendance="came")
    meeting(session, sara, gone, response="declined", responded_at=gone)
    found = history.entries(session, sara, NOW, EVERYTHING)
    assert [(e.what, e.on) for e in found] == [
        ("meeting", kept.date()),
        ("decision", kept.date()),
    ]
    assert history.since(NOW) == date(2024, 3, 2)
    app.config["RECORD_RETENTION_DAYS"] = 365  # a unit that keeps records one year
    assert history.entries(session, sara, NOW, EVERYTHING) == []
    assert history.since(NOW) == date(2025, 3, 2)


def test_a_reader_sees_only_the_kinds_of_record_they_may(session, team):
    _unit, lina, _omar = team
    sara = create_client(session, staff=lina)
    decision(session, sara)
    meeting(session, sara, NOW - timedelta(days=1), response="declined", responded_at=NOW)
    assert {e.what for e in history.entries(session, sara, NOW, {Topic.DECISIONS})} == {"decision"}
    assert {e.what for e in history.entries(session, sara, NOW, {Topic.APPOINTMENTS})} == {
        "meeting",
        "answer",
    }
    assert history.entries(session, sara, NOW, {Topic.DOCUMENTS, Topic.HANDOVERS}) == []


def test_another_client_s_records_never_appear(session, team):
    _unit, lina, _omar = team
    sara = create_client(session, staff=lina)
    other = create_client(session, staff=lina, first_name="Omar", phone="+46700000002")
    decision(session, other)
    meeting(session, other, NOW - timedelta(days=1), attendance="came")
    assert history.entries(session, sara, NOW, EVERYTHING) == []
