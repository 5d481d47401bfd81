"""Settings: changing the days ahead a handover is told plans the notices not yet sent
again, and the page says so."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from app.casework import handovers
from app.models import OutboxMessage
from tests.admin.conftest import post
from tests.admin.test_settings_handover_notice import FORM
from tests.factories import create_client, create_staff

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
pytestmark = pytest.mark.frozen_at(NOW)


def test_new_days_ahead_move_the_notices_not_yet_sent(session, unit, caseworker, as_admin):
    omar = create_staff(session, unit, email="omar@ekby.example", name="Omar Haddad")
    sara = create_client(session, caseworker)
    handovers.hand_over(session, sara, omar, starts_on=date(2026, 3, 30), now=NOW)
    session.commit()
    response = post(as_admin, "/admin/settings", FORM | {"handover_notice_days": "14"})
    assert response.status_code == 302
    session.expire_all()
    (notice,) = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == "handover_permanent")
    ).all()
    assert notice.due_at.replace(tzinfo=UTC) == datetime(2026, 3, 16, 8, 0, tzinfo=UTC)


def test_the_page_says_notices_not_yet_sent_move(as_admin):
    html = as_admin.get("/admin/settings").get_data(as_text=True)
    assert "Notices not yet sent move to the new day when you save." in html
