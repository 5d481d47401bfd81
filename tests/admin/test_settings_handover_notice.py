"""Settings: how many days before a handover starts the unit's clients are told."""

from datetime import UTC, datetime

import pytest

from app.models import Unit
from tests.admin.conftest import post

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)

FORM = {
    "sender_name": "Ekby kommun",
    "phone": "+46846500400",
    "phone_menu_number": "+46846500401",
    "address": "Storgatan 12, Ekby",
    "first_day": "mon",
    "last_day": "fri",
    "opens": "09:00",
    "closes": "12:00",
    "window_start": "00:00",
    "window_end": "23:59",
    "reminder_offsets": "",
}


def stored_days(session, unit) -> int:
    session.expire_all()
    return session.get_one(Unit, unit.id).handover_notice_days


def test_the_page_shows_the_days_ahead_with_an_explanation(session, unit, as_admin):
    unit.handover_notice_days = 10
    session.add(unit)
    session.commit()
    html = as_admin.get("/admin/settings").get_data(as_text=True)
    assert 'name="handover_notice_days"' in html
    assert 'value="10"' in html
    assert "Days ahead a client is told of a handover" in html
    assert "An absence that starts within a day is told at once." in html


def test_an_administrator_changes_the_days_ahead(session, unit, as_admin):
    response = post(as_admin, "/admin/settings", FORM | {"handover_notice_days": "14"})
    assert response.status_code == 302
    assert stored_days(session, unit) == 14


@pytest.mark.parametrize("value", ["31", "-1", "a week", "", "1.5"])
def test_days_outside_0_to_30_are_refused(session, unit, as_admin, value):
    response = post(as_admin, "/admin/settings", FORM | {"handover_notice_days": value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Give a whole number from 0 to 30." in html
    assert 'href="#field-handover_notice_days"' in html
    assert stored_days(session, unit) == 7


def test_no_days_ahead_is_allowed(session, unit, as_admin):
    assert (
        post(as_admin, "/admin/settings", FORM | {"handover_notice_days": "0"}).status_code == 302
    )
    assert stored_days(session, unit) == 0
