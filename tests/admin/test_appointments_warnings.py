"""Booking or changing a meeting asks first when its person is away (book with the stand-in
or anyway) or when it is outside the unit's meeting hours; nothing is booked silently."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from app.casework import absences, handovers
from app.models import Appointment, Unit
from tests.admin.conftest import post
from tests.factories import book_appointment

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
MEETING = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # tuesday 10 march, 14.00 in Stockholm

pytestmark = pytest.mark.frozen_at(NOW)


def booking(staff, **changes) -> dict:
    """A form for tuesday 10 march at 14.00, at the office, with `staff`."""
    return {
        "date": "2026-03-10",
        "time": "14:00",
        "duration_minutes": "60",
        "mode": "office",
        "location": "Storgatan 12, Ekby",
        "purpose": "follow_up",
        "staff_id": str(staff.id),
    } | changes


@pytest.fixture
def lina_away(session, sara, colleague):
    """Lina is away 9-13 March; Omar stands in for Sara."""
    handover = handovers.hand_over(
        session,
        sara,
        colleague,
        kind="absence",
        starts_on=date(2026, 3, 9),
        ends_on=date(2026, 3, 13),
        now=NOW,
    )
    session.commit()
    return handover


@pytest.fixture
def office_hours(session, unit):
    """The unit's usual settings: phone 09-12 on weekdays, reminders 08-20."""
    unit.office_hours = "mon-fri 09:00-12:00"
    unit.sending_window = "08:00-20:00"
    session.add(unit)
    session.commit()
    return unit


def saved(session) -> list[Appointment]:
    session.expire_all()
    return list(session.exec(select(Appointment)))


def new_url(client) -> str:
    return f"/admin/clients/{client.id}/appointments/new"


def warned_key(html: str) -> str:
    marker = 'name="warned" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_booking_someone_who_is_away_names_the_absence_and_books_nothing(
    session, as_caseworker, sara, caseworker, lina_away
):
    response = post(as_caseworker, new_url(sara), booking(caseworker))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Lina Berg is away from Mon 9 Mar 2026 to Fri 13 Mar 2026." in html
    assert "Omar Haddad stands in." in html
    assert 'name="confirm" value="stand_in"' in html and "Book with Omar Haddad" in html
    assert 'name="confirm" value="keep"' in html and "Book with Lina Berg anyway" in html
    assert saved(session) == []


def test_booking_with_the_stand_in_books_the_stand_in(
    session, as_caseworker, sara, caseworker, colleague, lina_away
):
    first = post(as_caseworker, new_url(sara), booking(caseworker)).get_data(as_text=True)
    form = booking(caseworker, confirm="stand_in", warned=warned_key(first))

    response = post(as_caseworker, new_url(sara), form)

    assert response.status_code == 302
    (meeting,) = saved(session)
    assert meeting.staff_id == colleague.id and not meeting.keep_with_staff


def test_booking_anyway_keeps_the_meeting_with_the_person_away(
    session, as_caseworker, sara, caseworker, lina_away
):
    first = post(as_caseworker, new_url(sara), booking(caseworker)).get_data(as_text=True)
    form = booking(caseworker, confirm="keep", warned=warned_key(first))

    post(as_caseworker, new_url(sara), form)

    (meeting,) = saved(session)
    assert meeting.staff_id == caseworker.id and meeting.keep_with_staff
    assert absences.meets(session, meeting, NOW) == caseworker.id


def test_a_confirmation_of_another_warning_does_not_book(
    session, as_caseworker, sara, caseworker, lina_away
):
    form = booking(caseworker, confirm="keep", warned="away:1:2:2026-01-01:2026-01-02")

    response = post(as_caseworker, new_url(sara), form)

    assert response.status_code == 200
    assert saved(session) == []


def test_a_meeting_at_three_in_the_night_for_ten_hours_is_questioned(
    session, as_caseworker, sara, caseworker, office_hours
):
    form = booking(caseworker, time="03:00", duration_minutes="600")

    response = post(as_caseworker, new_url(sara), form)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The meeting is 03:00–13:00, outside the meeting hours of the unit, 08:00–20:00." in html
    assert "Reminders go out only between 08:00 and 20:00." in html
    assert 'name="confirm" value="anyway"' in html
    assert saved(session) == []

    post(as_caseworker, new_url(sara), form | {"confirm": "anyway", "warned": warned_key(html)})
    assert len(saved(session)) == 1


def test_a_meeting_on_a_saturday_or_a_holiday_is_questioned(
    session, as_caseworker, sara, caseworker, office_hours
):
    saturday = post(as_caseworker, new_url(sara), booking(caseworker, date="2026-03-14"))
    good_friday = post(as_caseworker, new_url(sara), booking(caseworker, date="2026-04-03"))

    assert "The unit holds meetings Monday to Friday." in saturday.get_data(as_text=True)
    assert "Fri 3 Apr 2026 is a public holiday." in good_friday.get_data(as_text=True)
    assert saved(session) == []


def test_an_ordinary_meeting_is_booked_at_once(
    session, as_caseworker, sara, caseworker, office_hours
):
    response = post(as_caseworker, new_url(sara), booking(caseworker, time="16:00"))

    assert response.status_code == 302
    assert len(saved(session)) == 1


def test_moving_a_meeting_into_the_absence_is_questioned_but_a_new_purpose_is_not(
    session, as_caseworker, sara, caseworker, colleague
):
    meeting = book_appointment(session, sara, starts_at=datetime(2026, 3, 17, 13, 0, tzinfo=UTC))
    handovers.hand_over(
        session,
        sara,
        colleague,
        kind="absence",
        starts_on=date(2026, 3, 9),
        ends_on=date(2026, 3, 13),
        now=NOW,
    )
    session.commit()
    url = f"/admin/appointments/{meeting.id}/edit"

    moved = post(as_caseworker, url, booking(caseworker))
    assert "Lina Berg is away" in moved.get_data(as_text=True)
    assert saved(session)[0].starts_at == datetime(2026, 3, 17, 13, 0, tzinfo=UTC)

    html = moved.get_data(as_text=True)
    form = booking(caseworker, confirm="stand_in", warned=warned_key(html))
    assert post(as_caseworker, url, form).status_code == 302
    changed = saved(session)[0]
    assert (changed.starts_at, changed.staff_id) == (MEETING, colleague.id)

    purpose = post(as_caseworker, url, booking(colleague, purpose="money"))
    assert purpose.status_code == 302


def test_the_edit_page_says_who_the_client_meets_during_an_absence(
    session, as_caseworker, sara, caseworker, lina_away
):
    meeting = book_appointment(session, sara, starts_at=MEETING)

    html = as_caseworker.get(f"/admin/appointments/{meeting.id}/edit").get_data(as_text=True)

    assert "Lina Berg is away that day: the client meets Omar Haddad, who stands in." in html


def test_the_unit_meeting_hours_come_from_office_hours_and_the_sending_window(session, unit):
    from app.casework import meeting_hours

    unit.office_hours, unit.sending_window = "mon-sat 07:30-12:00", "09:00-18:00"
    hours = meeting_hours.meeting_hours(session.get(Unit, unit.id))

    assert (hours.first_day, hours.last_day) == (0, 5)
    assert (hours.opens.isoformat(), hours.closes.isoformat()) == ("07:30:00", "18:00:00")
