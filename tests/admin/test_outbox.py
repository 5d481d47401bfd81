"""Outbox: filtering by state, sending a failed message again and stopping a planned one."""

from datetime import UTC, datetime, timedelta

import pytest

from app.models import OutboxMessage
from tests.admin.conftest import post
from tests.factories import book_appointment

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday

pytestmark = pytest.mark.frozen_at(NOW)


def test_the_outbox_filters_by_state(as_caseworker, session, sara):
    book_appointment(session, sara, starts_at=NOW + timedelta(days=5), now=NOW)
    session.add(OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key="w", due_at=NOW,
                              status="failed", final_at=NOW))  # fmt: skip
    session.commit()
    pending = as_caseworker.get("/admin/outbox?status=pending").get_data(as_text=True)
    assert "Meeting reminder" in pending and "Welcome" not in pending.split("<table")[1]
    failed = as_caseworker.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "Welcome" in failed.split("<table")[1]


def test_a_failed_message_is_sent_again_and_a_planned_one_stopped(as_caseworker, session, sara):
    failed = OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key="w", due_at=NOW,
                           status="failed", final_at=NOW, provider_id="S", attempts=5)  # fmt: skip
    planned = OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key="w2",
                            due_at=NOW + timedelta(days=1))  # fmt: skip
    session.add_all([failed, planned])
    session.commit()
    post(as_caseworker, f"/admin/outbox/{failed.id}/retry")
    post(as_caseworker, f"/admin/outbox/{planned.id}/cancel")
    session.expire_all()
    again = session.get(OutboxMessage, failed.id)
    assert (again.status, again.attempts, again.provider_id) == ("pending", 0, None)
    assert session.get(OutboxMessage, planned.id).status == "cancelled"
    # a delivered message cannot be "sent again"
    post(as_caseworker, f"/admin/outbox/{planned.id}/retry")
    assert session.get(OutboxMessage, planned.id).status == "cancelled"
