"""Attendance on the admin page: after a meeting, one click on the client page records
came / did not come / cancelled, goes back where it came from, can be changed, and is
audited; never before the meeting, never for someone else's client."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import appointments
from app.models import Appointment, AuditEvent
from tests.admin.conftest import post, sign_in
from tests.factories import book_appointment

BOOKED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
MEETING = datetime(2026, 3, 5, 13, 0, tzinfo=UTC)  # thursday 5 march, 14.00
NOW = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)  # 15.30 that day

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def past(session, sara):
    return book_appointment(session, sara, starts_at=MEETING, now=BOOKED)


@pytest.fixture
def ahead(session, sara):
    return book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=BOOKED)


def stored(session, appointment: Appointment) -> Appointment:
    session.expire_all()
    return session.get_one(Appointment, appointment.id)


def test_the_client_page_asks_whether_the_client_came(as_caseworker, sara, past, ahead):
    page = as_caseworker.get(f"/admin/clients/{sara.id}").get_data(as_text=True)
    assert "<details open>" in page
    assert "1 without attendance" in page
    action = f'action="/admin/appointments/{past.id}/attendance"'
    assert page.count(action) == 1  # only the meeting that has started
    assert f"/admin/appointments/{ahead.id}/attendance" not in page
    # Each button's name says which meeting: the page may list several.
    assert 'aria-label="Came, meeting Thu 5 Mar 14:00"' in page
    assert 'aria-label="Did not come, meeting Thu 5 Mar 14:00"' in page
    assert 'aria-label="Cancelled, meeting Thu 5 Mar 14:00"' in page
    assert page.count('aria-pressed="false"') == 3
    assert f'name="back" value="/admin/clients/{sara.id}"' in page


def test_one_click_records_it_and_goes_back(session, as_caseworker, caseworker, sara, past):
    response = post(
        as_caseworker,
        f"/admin/appointments/{past.id}/attendance",
        {"attendance": "no_show", "back": "/admin/?week=1"},
    )
    assert response.status_code == 302 and response.location == "/admin/?week=1"
    meeting = stored(session, past)
    assert (meeting.attendance, meeting.attendance_by_staff_id, meeting.attendance_at) == (
        "no_show",
        caseworker.id,
        NOW,
    )
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "appointment_attendance")
    ).one()
    assert (event.actor_id, event.client_id, event.subject_id, event.detail) == (
        caseworker.id,
        sara.id,
        past.id,
        "no_show",
    )
    page = as_caseworker.get(f"/admin/clients/{sara.id}").get_data(as_text=True)
    assert "The client did not come: the meeting Thu 5 Mar 14:00." in page  # the notice
    assert "The client did not come (Lina Berg, Thu 5 Mar 15:30)." in page
    assert re.search(r'value="no_show"\s+aria-pressed="true"', page)
    assert "without attendance" not in page


def test_it_can_be_changed_and_each_change_is_audited(session, as_caseworker, past):
    url = f"/admin/appointments/{past.id}/attendance"
    post(as_caseworker, url, {"attendance": "no_show"})
    post(as_caseworker, url, {"attendance": "came"})
    post(as_caseworker, url, {"attendance": "came"})  # the same again: nothing new
    assert stored(session, past).attendance == "came"
    details = session.exec(
        select(AuditEvent.detail)
        .where(AuditEvent.action == "appointment_attendance")
        .order_by(AuditEvent.id)
    ).all()
    assert details == ["no_show", "no_show to came"]


def test_without_a_way_back_it_returns_to_the_client_page(as_caseworker, sara, past):
    for back in ("", "https://evil.example/admin/"):
        response = post(
            as_caseworker,
            f"/admin/appointments/{past.id}/attendance",
            {"attendance": "came", "back": back},
        )
        assert response.location in (f"/admin/clients/{sara.id}", "/admin/")


def test_not_before_the_meeting_and_the_reason_is_in_swedish(
    session, client, caseworker, sara, ahead
):
    sign_in(client, caseworker, language="sv")
    response = post(
        client, f"/admin/appointments/{ahead.id}/attendance", {"attendance": "came"},
        follow_redirects=True,
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert "när mötet har börjat" in page
    assert stored(session, ahead).attendance is None


def test_a_wrong_answer_is_refused_in_words(session, as_caseworker, past):
    response = post(
        as_caseworker,
        f"/admin/appointments/{past.id}/attendance",
        {"attendance": "maybe"},
        follow_redirects=True,
    )
    assert "Choose came, did not come or cancelled." in response.get_data(as_text=True)
    assert stored(session, past).attendance is None


def test_a_meeting_cancelled_in_advance_shows_as_cancelled(session, as_caseworker, sara, ahead):
    appointments.cancel(session, ahead, now=BOOKED)
    session.commit()
    page = as_caseworker.get(f"/admin/clients/{sara.id}").get_data(as_text=True)
    assert "The meeting was cancelled." in page
    assert f"/admin/appointments/{ahead.id}/attendance" not in page


def test_someone_elses_client_is_not_found(session, as_caseworker, someone_elses):
    theirs = book_appointment(session, someone_elses, starts_at=MEETING, now=BOOKED)
    url = f"/admin/appointments/{theirs.id}/attendance"
    assert post(as_caseworker, url, {"attendance": "came"}).status_code == 404
    assert post(as_caseworker, "/admin/appointments/9999/attendance", {}).status_code == 404
    assert stored(session, theirs).attendance is None


def test_without_the_form_secret_nothing_is_recorded(session, as_caseworker, past):
    response = as_caseworker.post(
        f"/admin/appointments/{past.id}/attendance", data={"attendance": "came"}
    )
    assert response.status_code == 400
    assert stored(session, past).attendance is None


def test_the_administrator_may_record_it_too(session, client, administrator, past):
    sign_in(client, administrator)
    post(client, f"/admin/appointments/{past.id}/attendance", {"attendance": "cancelled"})
    assert stored(session, past).attendance_by_staff_id == administrator.id
