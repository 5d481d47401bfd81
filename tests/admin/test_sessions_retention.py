"""Retention removes staff sessions 30 days after they started (every one has ended by
then: SESSION_ABSOLUTE_HOURS is at most a week); newer ones stay for the record."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import StaffSession
from app.retention import run_retention
from tests.factories import create_staff

NOW = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(NOW)


def test_old_staff_sessions_are_removed(app, session):
    staff = create_staff(session)
    old, recent = NOW - timedelta(days=31), NOW - timedelta(days=29)
    session.add_all([
        StaffSession(staff_id=staff.id, token_hash="a" * 64, method="password", started_at=old,
                     last_seen_at=old, ended_at=old, end_reason="signed_out"),
        StaffSession(staff_id=staff.id, token_hash="b" * 64, method="sso", started_at=old,
                     last_seen_at=old),  # never signed out: expired long ago
        StaffSession(staff_id=staff.id, token_hash="c" * 64, method="password",
                     started_at=recent, last_seen_at=recent, ended_at=recent,
                     end_reason="idle"),
    ])  # fmt: skip
    session.commit()

    counts = run_retention(NOW)

    assert counts["staff sessions"] == 2
    session.expire_all()
    assert [row.token_hash for row in session.exec(select(StaffSession))] == ["c" * 64]
