"""Odd input on the admin pages gets a clear answer, never a 500: an id no database
integer can hold is a page that does not exist (404, in the admin's look), and a query
value out of range is read as the nearest sensible one or said to be wrong."""

from datetime import UTC, datetime

import pytest

from tests.admin.conftest import post, sign_in
from tests.signing import post_signed

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday
pytestmark = pytest.mark.frozen_at(NOW)

HUGE = "99999999999999999999999"  # more than any database integer holds
BEYOND = str(2**31)  # more than an id (a PostgreSQL INTEGER) holds
LARGEST = str(2**31 - 1)  # the largest id a row can have: simply not found


@pytest.fixture(autouse=True)
def answers_not_raises(app):
    """Answer as in production: an uncaught error is a 500 page, not an exception here."""
    app.config["PROPAGATE_EXCEPTIONS"] = False


@pytest.mark.parametrize("number", [HUGE, BEYOND, LARGEST])
@pytest.mark.parametrize(
    "path",
    [
        "/admin/outbox/{}",
        "/admin/clients/{}",
        "/admin/decisions/{}",
        "/admin/appointments/{}/edit",
    ],
)
def test_an_impossible_id_in_a_path_is_not_found(as_caseworker, sara, path, number):
    response = as_caseworker.get(path.format(number))
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)  # the admin's error page


def test_an_impossible_id_in_a_form_action_is_not_found(as_caseworker, sara):
    response = post(as_caseworker, f"/admin/appointments/{HUGE}/attendance", {"attendance": "came"})
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin/outbox", "/admin/clients", "/admin/inbox"])
def test_a_page_number_past_any_list_shows_an_empty_page(as_caseworker, sara, path):
    for page in (HUGE, "-5", "två"):
        assert as_caseworker.get(f"{path}?page={page}").status_code == 200, page


def test_a_client_no_database_can_hold_has_no_messages(as_caseworker, session, sara):
    from tests.factories import receive_text

    receive_text(session, sara, "Hej")
    session.commit()
    response = as_caseworker.get(f"/admin/outbox?client_id={HUGE}")
    assert response.status_code == 200
    assert "No message matches." in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin/send?client_id={}", "/admin/simulator?client_id={}"])
def test_a_preset_client_no_database_can_hold_is_not_found(as_caseworker, sara, path):
    assert as_caseworker.get(path.format(HUGE)).status_code == 404


def test_outbox_days_outside_any_sensible_range_are_form_errors(client, caseworker, sara):
    sign_in(client, caseworker, language="sv")
    for query, field in (("from=0001-01-01", "from"), ("to=9999-12-31", "to")):
        response = client.get(f"/admin/outbox?{query}")
        assert response.status_code == 200, query
        page = response.get_data(as_text=True)
        assert f'id="error-{field}"' in page and "Ange ett datum mellan år 2000 och 2100." in page


@pytest.mark.parametrize("number", [HUGE, BEYOND])
def test_a_signed_reminder_call_to_an_impossible_message_is_not_found(client, number):
    response = post_signed(client, f"/twilio/voice/reminder/{number}", {"CallSid": "CA1"})
    assert response.status_code == 404


DECISION = {
    "form": "decision",
    "action": "preview",
    "service": "boendestod",
    "outcome": "approved",
    "scope_amount": "6",
    "scope_unit": "hours_per_week",
    "valid_from": "2026-04-01",
    "valid_to": "2026-09-30",
    "decided_on": "2026-03-04",
    "received_on": "",
}


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("scope_amount", "1e400", "Give a number, like 12 or 7,5."),
        ("scope_amount", "inf", "Give a number, like 12 or 7,5."),
        ("scope_amount", "NaN", "Give a number, like 12 or 7,5."),
        ("scope_amount", "1e20", "A week has 168 hours: give at most 168."),
        ("decided_on", "9999-12-31", "Give a date between the years 2000 and 2100."),
        ("decided_on", "2030-01-01", "A decision cannot be dated after today."),
        ("received_on", "9999-12-31", "Give a date between the years 2000 and 2100."),
        ("received_on", "2026-06-01", "The letter date can be at most four weeks from today."),
        ("valid_to", "2099-12-31", "Give a date from 2000-01-01 to 2036-03-04."),
    ],
)
def test_a_decision_nobody_could_have_made_is_a_form_error_and_nothing_is_saved(
    as_caseworker, session, sara, field, value, said
):
    from sqlmodel import select

    from app.models import Decision

    response = post(
        as_caseworker, f"/admin/clients/{sara.id}/decisions/new", DECISION | {field: value}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'href="#field-{field}"' in page and said in page
    assert session.exec(select(Decision)).first() is None


def test_a_decision_at_the_edge_of_the_sensible_is_previewed(as_caseworker, session, sara):
    edge = DECISION | {"scope_amount": "168", "received_on": "2026-04-01"}
    response = post(as_caseworker, f"/admin/clients/{sara.id}/decisions/new", edge)
    assert response.status_code == 302
    assert as_caseworker.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("day", "said"),
    [
        ("9999-12-31", "Give a date between the years 2000 and 2100."),
        ("2028-12-31", "The meeting can be at most two years ahead."),
    ],
)
def test_a_meeting_years_ahead_is_a_form_error_and_nothing_is_booked(
    as_caseworker, session, sara, day, said
):
    from sqlmodel import select

    from app.models import Appointment

    meeting = {
        "date": day,
        "time": "23:00",  # outside the meeting hours too: the warning would come next
        "duration_minutes": "60",
        "mode": "office",
        "location": "Storgatan 12",
        "staff_id": str(sara.caseworker_id),
        "purpose": "follow_up",
    }
    response = post(as_caseworker, f"/admin/clients/{sara.id}/appointments/new", meeting)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'href="#field-date"' in page and said in page
    assert session.exec(select(Appointment)).first() is None
