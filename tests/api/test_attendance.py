"""Attendance through the API (POST /appointments/{source_id}/attendance): the same rule
as the admin page, the API's keys, units, errors and idempotency, and the attendance in
the appointment's representation."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.models import AuditEvent
from tests.api.conftest import Api, client_body, errors, make_key
from tests.factories import create_unit

BOOKED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
MEETING = "2026-03-05T14:00:00+01:00"  # thursday 5 march, 14.00
STARTED = datetime(2026, 3, 5, 13, 30, tzinfo=UTC)  # 14.30, half an hour in
URL = "/appointments/A-1/attendance"


@pytest.fixture
def meeting(api, frozen_clock):
    """A meeting booked on monday, and the clock at half an hour into it."""
    frozen_clock.move_to(BOOKED)
    assert api.put("/clients/C-1", client_body()).status_code == 201
    booking = {
        "client_source_id": "C-1",
        "starts_at": MEETING,
        "location": "Storgatan 12, Ekby",
    }
    booked = api.put("/appointments/A-1", booking)
    assert booked.status_code == 201, booked.get_json()
    assert booked.get_json()["attendance"] is None
    frozen_clock.move_to(STARTED)
    return booked.get_json()


pytestmark = pytest.mark.frozen_at(BOOKED)


def test_attendance_is_recorded_and_shown(session, api, meeting):
    response = api.post(URL, {"attendance": "no_show"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["attendance"], body["attendance_at"], body["attendance_staff_email"]) == (
        "no_show",
        "2026-03-05T13:30:00Z",
        None,
    )
    shown = api.get("/appointments/A-1").get_json()
    assert shown["attendance"] == "no_show" and shown["attendance_at"] == body["attendance_at"]
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "appointment_attendance")
    ).one()
    assert (event.actor_type, event.actor_name, event.detail) == ("api", "Lifecare", "no_show")


def test_it_names_who_recorded_it_and_can_be_changed(session, api, meeting):
    api.post(URL, {"attendance": "no_show"})
    response = api.post(URL, {"attendance": "came", "staff_email": "lina.berg@ekby.example"})
    body = response.get_json()
    assert (body["attendance"], body["attendance_staff_email"]) == (
        "came",
        "lina.berg@ekby.example",
    )
    again = api.post(URL, {"attendance": "came"})  # the same again: nothing changes
    assert again.status_code == 200
    assert again.get_json()["attendance_staff_email"] == "lina.berg@ekby.example"
    details = session.exec(
        select(AuditEvent.detail)
        .where(AuditEvent.action == "appointment_attendance")
        .order_by(AuditEvent.id)
    ).all()
    assert details == ["no_show", "no_show to came"]


def test_not_before_the_meeting(api, meeting, frozen_clock):
    frozen_clock.move_to(datetime(2026, 3, 5, 12, 59, tzinfo=UTC))
    assert errors(api.post(URL, {"attendance": "came"})) == {"/attendance"}
    assert api.get("/appointments/A-1").get_json()["attendance"] is None


def test_a_cancelled_meeting_is_cancelled_already(api, meeting, frozen_clock):
    frozen_clock.move_to(BOOKED)
    api.post("/appointments/A-1/cancel")
    frozen_clock.move_to(STARTED)
    assert api.get("/appointments/A-1").get_json()["attendance"] == "cancelled"
    assert api.post(URL, {"attendance": "cancelled"}).status_code == 200
    assert errors(api.post(URL, {"attendance": "came"})) == {"/attendance"}


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"attendance": "maybe"}, "/attendance"),
        ({"attendance": None}, "/attendance"),
        ({}, "/attendance"),
        ({"attendance": "came", "by": "Lina"}, "/by"),
        ({"attendance": "came", "staff_email": "nobody@ekby.example"}, "/staff_email"),
    ],
)
def test_wrong_fields_are_named(api, meeting, body, path):
    assert path in errors(api.post(URL, body))


def test_an_unknown_meeting_is_a_404(api, meeting):
    response = api.post("/appointments/A-404/attendance", {"attendance": "came"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_another_units_key_does_not_find_it(session, client, meeting):
    other = create_unit(session, name="Västby", phone="+46846500500")
    theirs = Api(client, make_key(session, other))
    assert theirs.post(URL, {"attendance": "came"}).status_code == 404


def test_a_read_key_may_not_record_it(reader, meeting):
    assert reader.post(URL, {"attendance": "came"}).status_code == 403


def test_a_retry_with_the_same_key_gets_the_same_answer(session, api, meeting):
    headers = {"Idempotency-Key": "attendance-A-1-1"}
    first = api.post(URL, {"attendance": "came"}, headers=headers)
    api.post(URL, {"attendance": "no_show"})  # changed since by another request
    retry = api.post(URL, {"attendance": "came"}, headers=headers)
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json() == first.get_json()
    assert api.get("/appointments/A-1").get_json()["attendance"] == "no_show"


def test_the_document_describes_it(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/appointments/{source_id}/attendance"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/AttendanceIn"
    )
    assert {"200", "401", "403", "404", "409", "422"} <= set(operation["responses"])
    schemas = document["components"]["schemas"]
    assert schemas["AttendanceIn"]["properties"]["attendance"]["enum"] == [
        "came",
        "no_show",
        "cancelled",
    ]
    assert "attendance" in schemas["AppointmentOut"]["properties"]
