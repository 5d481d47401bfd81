"""Appointments through the API plan exactly what the admin page plans: reminders, the
change notice, the cancellation; an unchanged PUT tells nobody."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.models import Appointment, OutboxMessage, OutboxStatus
from tests.admin.conftest import post, sign_in
from tests.api.conftest import client_body
from tests.factories import create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
MEETING = "2026-03-10T14:00:00+01:00"  # tuesday 10 march, 14.00 in Stockholm

pytestmark = pytest.mark.frozen_at(NOW)


def booking(**changes) -> dict:
    body = {
        "client_source_id": "C-1",
        "starts_at": MEETING,
        "mode": "office",
        "location": "Storgatan 12, Ekby",
        "purpose": "follow_up",
    }
    return {k: v for k, v in (body | changes).items() if v is not None}


def planned(session, client_id: int) -> list[tuple]:
    """What is planned for a client, without ids: kind, channel, due time, status."""
    session.expire_all()
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.client_id == client_id, OutboxMessage.kind != "welcome")
        .order_by(OutboxMessage.due_at, OutboxMessage.kind)
    )
    return [(m.kind, m.channel, m.due_at, m.status) for m in rows]


def test_a_booking_plans_the_same_messages_as_the_admin_page(session, client, api, caseworker):
    sara = api.put("/clients/C-1", client_body()).get_json()
    response = api.put("/appointments/A-1", booking())
    assert response.status_code == 201
    karin = create_client(session, caseworker, first_name="Karin", phone="+46700000002")
    sign_in(client, caseworker)
    form = {
        "date": "2026-03-10",
        "time": "14:00",
        "duration_minutes": "60",
        "mode": "office",
        "location": "Storgatan 12, Ekby",
        "staff_id": str(caseworker.id),
        "purpose": "follow_up",
    }
    assert post(client, f"/admin/clients/{karin.id}/appointments/new", form).status_code == 302
    through_api = planned(session, sara["id"])
    assert through_api == planned(session, karin.id)
    assert [kind for kind, *_ in through_api].count("appointment_reminder") == 2
    body = response.get_json()
    assert body["staff_email"] == "lina.berg@ekby.example"  # the case worker by default
    assert len(body["messages"]) == len(through_api)


def test_a_change_tells_the_client_and_plans_new_reminders(session, api, enrolled):
    api.put("/appointments/A-1", booking())
    response = api.put("/appointments/A-1", booking(starts_at="2026-03-11T10:00:00+01:00"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["version"] == 2 and body["previous_starts_at"] == "2026-03-10T13:00:00Z"
    kinds = [(kind, status) for kind, _c, _d, status in planned(session, enrolled["id"])]
    assert ("appointment_changed", OutboxStatus.PENDING) in kinds
    assert kinds.count(("appointment_reminder", OutboxStatus.CANCELLED)) == 2
    assert kinds.count(("appointment_reminder", OutboxStatus.PENDING)) == 2


def test_the_same_booking_sent_again_tells_nobody(session, api, enrolled):
    first = api.put("/appointments/A-1", booking())
    again = api.put("/appointments/A-1", booking(starts_at="2026-03-10T13:00:00Z"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["version"] == 1
    assert "appointment_changed" not in [kind for kind, *_ in planned(session, enrolled["id"])]


def test_cancelling_tells_the_client_once(session, api, enrolled):
    api.put("/appointments/A-1", booking())
    first = api.post("/appointments/A-1/cancel")
    again = api.post("/appointments/A-1/cancel")
    assert first.status_code == again.status_code == 200
    assert again.get_json()["status"] == "cancelled" and again.get_json()["version"] == 2
    kinds = [kind for kind, *_ in planned(session, enrolled["id"])]
    assert kinds.count("appointment_cancelled") == 1
    # A cancelled meeting cannot be changed; the same values are no change at all.
    moved = api.put("/appointments/A-1", booking(starts_at="2026-03-12T10:00:00+01:00"))
    assert moved.status_code == 422
    assert {e["path"] for e in moved.get_json()["errors"]} == {"/status"}
    assert api.put("/appointments/A-1", booking()).status_code == 200


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"starts_at": "2026-03-01T10:00:00+01:00"}, "/starts_at"),  # in the past
        ({"starts_at": "2026-03-10T14:00:00"}, "/starts_at"),  # no time zone
        ({"starts_at": "9999-12-31T23:59:59-12:00"}, "/starts_at"),
        ({"starts_at": "2100-12-31T23:00:00+01:00"}, "/starts_at"),  # years ahead
        ({"location": ""}, "/location"),  # an office meeting needs an address
        ({"purpose": "party"}, "/purpose"),
        ({"bring": ["hyresavi", "gold"]}, "/bring"),
        ({"duration_minutes": 1}, "/duration_minutes"),
        ({"duration_minutes": "60"}, "/duration_minutes"),
        ({"staff_email": "nobody@ekby.example"}, "/staff_email"),
        ({"client_source_id": "C-404"}, "/client_source_id"),
        ({"mode": "carrier pigeon"}, "/mode"),
        ({"location": "Storgatan\x00 12"}, "/location"),
    ],
)
def test_wrong_fields_are_named(api, enrolled, changes, path):
    response = api.put("/appointments/A-1", booking(**changes))
    assert response.status_code == 422, response.get_json()
    assert path in {e["path"] for e in response.get_json()["errors"]}


def test_a_meeting_cannot_move_to_another_client(api, enrolled):
    api.put("/clients/C-2", client_body(phone="+46700000002"))
    api.put("/appointments/A-1", booking())
    response = api.put("/appointments/A-1", booking(client_source_id="C-2"))
    assert response.status_code == 422
    assert {e["path"] for e in response.get_json()["errors"]} == {"/client_source_id"}


def test_documents_to_bring_are_kept_once_each_in_order(session, api, enrolled):
    response = api.put(
        "/appointments/A-1", booking(bring=["kontoutdrag", "hyresavi", "kontoutdrag"])
    )
    assert response.get_json()["bring"] == ["kontoutdrag", "hyresavi"]
    stored = session.exec(select(Appointment)).one()
    assert (stored.source_system, stored.source_id) == ("Lifecare", "A-1")


def test_the_client_s_answer_shows_when_read(session, reader, api, enrolled):
    api.put("/appointments/A-1", booking())
    stored = session.exec(select(Appointment)).one()
    stored.response = "declined"
    session.add(stored)
    session.commit()
    assert reader.get("/appointments/A-1").get_json()["response"] == "declined"
    assert reader.get("/appointments/A-1").get_json()["previous_response"] is None
    stored.response, stored.previous_response = "confirmed", "declined"  # changed the answer
    session.add(stored)
    session.commit()
    read = reader.get("/appointments/A-1").get_json()
    assert (read["response"], read["previous_response"]) == ("confirmed", "declined")
    assert reader.get("/appointments/A-404").status_code == 404
