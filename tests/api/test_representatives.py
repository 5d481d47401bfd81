"""Representatives through the API: copies as the client allows, updated and removed by the
system's own id, never moved to another client."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.models import OutboxMessage, Representative
from tests.api.conftest import client_body, errors, planned

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm

pytestmark = pytest.mark.frozen_at(NOW)


GOD_MAN = {
    "client_source_id": "C-1",
    "name": "Per Holm",
    "role": "god_man",
    "phone": "070-000 00 09",
    "copy_appointments": True,
}


def test_a_representative_gets_copies_the_client_allows(session, api, enrolled):
    response = api.put("/representatives/R-1", GOD_MAN)
    assert response.status_code == 201
    assert response.get_json()["phone"] == "+46700000009"
    meeting = {
        "client_source_id": "C-1",
        "starts_at": "2026-03-10T14:00:00+01:00",
        "location": "Storgatan 12, Ekby",
    }
    api.put("/appointments/A-1", meeting)
    copies = [kind for kind, _c, _d, _s, copy in planned(session, enrolled["id"]) if copy]
    assert copies.count("appointment_reminder") == 2


def test_a_representative_is_updated_and_removed_by_the_system_s_id(session, api, enrolled):
    api.put("/representatives/R-1", GOD_MAN)
    response = api.put(
        "/representatives/R-1",
        {"client_source_id": "C-1", "name": "Per Holm", "phone": "0700000009", "language": "en"},
    )
    assert response.status_code == 200
    assert (response.get_json()["language"], response.get_json()["copy_appointments"]) == (
        "en",
        True,
    )
    removed = api.post("/representatives/R-1/remove").get_json()
    assert removed["opted_out_at"] is not None and removed["copy_appointments"] is False
    stored = session.exec(select(Representative)).one()
    assert (stored.source_system, stored.source_id) == ("Lifecare", "R-1")


def test_a_representative_cannot_move_to_another_client(api, enrolled):
    api.put("/clients/C-2", client_body(phone="+46700000002"))
    api.put("/representatives/R-1", GOD_MAN)
    response = api.put("/representatives/R-1", GOD_MAN | {"client_source_id": "C-2"})
    assert errors(response) == {"/client_source_id"}
    assert errors(api.put("/representatives/R-2", GOD_MAN | {"phone": "123"})) == {"/phone"}


def test_a_landline_or_the_client_s_own_number_is_refused_with_a_422(session, api, enrolled):
    assert errors(api.put("/representatives/R-1", GOD_MAN | {"phone": "08-123 456 78"})) == {
        "/phone"
    }
    own = api.put("/representatives/R-1", GOD_MAN | {"phone": enrolled["phone"]})
    assert errors(own) == {"/phone"}
    assert "client's own number" in own.get_json()["errors"][0]["detail"]
    assert session.exec(select(Representative)).first() is None
    api.put("/representatives/R-1", GOD_MAN)
    assert errors(api.put("/representatives/R-1", GOD_MAN | {"phone": "070-000 00 01"})) == {
        "/phone"
    }


def test_a_representative_added_through_the_api_is_welcomed(session, api, enrolled):
    api.put("/representatives/R-1", GOD_MAN)
    welcomes = [m for m in outbox_rows(session) if m.kind == "representative_welcome"]
    assert [m.representative_id is not None for m in welcomes] == [True]


def outbox_rows(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))
