"""What counts for whom: Today's own queries, asked as each person."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import g

from app.alerts.collect import waiting_for
from app.models import CallbackRequest, StaffRole
from tests.factories import book_appointment, create_client, create_staff, receive_text

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(NOW)


def kinds(found) -> list[tuple[str, str]]:
    return sorted((f.kind, f.key.split(":")[0]) for f in found)


def test_a_case_worker_gets_their_own_clients_and_an_administrator_the_units(
    app, session, unit, caseworker, colleague, sara
):
    admin = create_staff(session, unit, email="eva@ekby.example", role=StaffRole.ADMIN)
    karin = create_client(session, colleague, first_name="Karin", phone="+46700000002")
    text = receive_text(session, sara, "Hej")
    receive_text(session, karin, "Hej från Karin")

    assert [f.key for f in waiting_for(caseworker)] == [f"text:{text.id}"]
    assert len(waiting_for(colleague)) == 1
    assert len(waiting_for(admin)) == 2


def test_complaints_count_for_managers_only(app, session, unit, caseworker, sara):
    manager = create_staff(session, unit, email="chef@ekby.example", manager=True)
    receive_text(
        session, sara, "Jag vill klaga", for_managers=True, intent="complaint", unit_id=unit.id
    )

    assert waiting_for(caseworker) == []
    assert [f.kind for f in waiting_for(manager)] == ["for_managers"]


def test_a_pin_that_locks_again_is_a_new_item(app, session, caseworker, sara):
    sara.pin_locked_at = NOW - timedelta(hours=2)
    session.add(sara)
    session.commit()
    first = waiting_for(caseworker)
    sara.pin_locked_at = NOW
    session.add(sara)
    session.commit()
    second = waiting_for(caseworker)
    assert [f.kind for f in first] == [f.kind for f in second] == ["pin"]
    assert first[0].key != second[0].key
    assert not first[0].urgent


def test_a_declined_meeting_is_urgent_within_a_day(app, session, caseworker, sara):
    soon = book_appointment(session, sara, starts_at=NOW + timedelta(hours=20), now=NOW)
    later = book_appointment(session, sara, starts_at=NOW + timedelta(days=3), now=NOW)
    for meeting in (soon, later):
        meeting.response, meeting.responded_at = "declined", NOW
        session.add(meeting)
    session.add(CallbackRequest(client_id=sara.id, language="sv"))
    session.commit()

    found = {f.key.split(":")[1]: f for f in waiting_for(caseworker) if f.kind == "declined"}

    assert found[str(soon.id)].urgent and not found[str(later.id)].urgent
    assert sorted(f.kind for f in waiting_for(caseworker)) == ["callback", "declined", "declined"]


def test_asking_as_someone_leaves_the_callers_context_alone(app, session, caseworker, sara):
    g.staff = None
    waiting_for(caseworker)
    assert g.staff is None
