"""Today tells administrators what /healthz tells operations: whether messages go out,
and why not (app/admin/today.py); case workers see none of it."""

from datetime import UTC, datetime, timedelta

import pytest

from app import health
from app.models import OperationsAlert, OutboxMessage
from tests.factories import create_unit

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(NOW)


def state(page: str) -> str:
    """The box about sending on Today (shown when something is wrong)."""
    start = page.index('id="sending-state"')
    return page[start : page.index("</section>", start)]


def test_administrators_see_that_sending_works(as_admin, session):
    health.record_run(session, "send-due", NOW - timedelta(seconds=3), succeeded=True)
    page = as_admin.get("/admin/").get_data(as_text=True)
    assert "Sending works: messages go out on time." in page


def test_administrators_see_a_silent_worker_and_late_messages(as_admin, session, sara):
    health.record_run(session, "send-due", NOW - timedelta(minutes=40), succeeded=True)
    session.add(OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key="w1",
                              due_at=NOW - timedelta(minutes=30)))  # fmt: skip
    session.commit()
    page = as_admin.get("/admin/").get_data(as_text=True)
    shown = state(page)
    assert "Messages are not going out as they should" in shown
    assert "The worker has not sent messages for 40 min. Reminders are not going out." in shown
    assert "The oldest message waiting to be sent has waited 30 min." in shown
    assert "worker process is running" in shown


def test_administrators_see_the_incidents_they_were_mailed_about(as_admin, session):
    health.record_run(session, "send-due", NOW, succeeded=True)
    session.add(OperationsAlert(condition="provider_refusing", open_key="provider_refusing",
                                started_at=NOW - timedelta(minutes=20)))  # fmt: skip
    session.add(OperationsAlert(condition="failure_rate", started_at=NOW - timedelta(hours=3),
                                resolved_at=NOW - timedelta(hours=2)))  # fmt: skip
    session.commit()
    shown = state(as_admin.get("/admin/").get_data(as_text=True))
    assert "The SMS provider refuses to take messages (since 2026-03-04 09:40)." in shown
    assert "could not be delivered in the last hour" not in shown  # resolved
    assert "SMS provider account" in shown


def test_case_workers_see_nothing_of_it(as_caseworker, session):
    health.record_run(session, "send-due", NOW - timedelta(minutes=40), succeeded=True)
    page = as_caseworker.get("/admin/").get_data(as_text=True)
    assert 'id="sending-state"' not in page
    assert "worker" not in page


def test_a_units_failure_rate_is_shown_to_that_units_administrators_only(
    as_admin, session, administrator
):
    health.record_run(session, "send-due", NOW, succeeded=True)
    elsewhere = create_unit(session, name="Ekby kommun, äldreomsorg", phone="+46846500498")
    session.add(OperationsAlert(condition="failure_rate", unit_id=elsewhere.id,
                                open_key=f"failure_rate:{elsewhere.id}",
                                started_at=NOW - timedelta(minutes=20)))  # fmt: skip
    session.commit()
    page = as_admin.get("/admin/").get_data(as_text=True)
    assert "Sending works: messages go out on time." in page  # another unit's numbers
    session.add(OperationsAlert(condition="failure_rate", unit_id=administrator.unit_id,
                                open_key=f"failure_rate:{administrator.unit_id}",
                                started_at=NOW - timedelta(minutes=10)))  # fmt: skip
    session.commit()
    shown = state(as_admin.get("/admin/").get_data(as_text=True))
    assert "could not be delivered in the last hour (since 2026-03-04 09:50)." in shown
    assert "09:40" not in shown


def test_administrators_see_a_sweep_that_fails_and_where_to_look(as_admin, session):
    for seconds in (10, 5, 0):
        health.record_run(session, "send-due", NOW - timedelta(seconds=seconds), succeeded=False)
    shown = state(as_admin.get("/admin/").get_data(as_text=True))
    assert "Sending has failed 3 times in a row. Reminders are not going out." in shown
    assert "look for the error in the Tydligt worker" in shown
