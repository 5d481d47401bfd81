"""Closing a client through the API: idempotent, audited, described in OpenAPI, and a closed
client is no longer changed."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.models import AuditEvent, CallbackRequest, Client, OutboxMessage, OutboxStatus
from tests.api.conftest import Api, appointment_body, client_body, make_key
from tests.factories import create_unit, receive_text

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


def test_closing_cancels_the_welcome_and_is_audited(session, api):
    created = api.put("/clients/C-1", client_body()).get_json()
    response = api.post("/clients/C-1/close")
    assert response.status_code == 200
    body = response.get_json()
    assert body["closed_at"] == "2026-12-07T09:00:00Z" or body["closed_at"].startswith(
        "2026-12-07T09:00:00"
    )
    session.expire_all()
    stored = session.get(Client, created["id"])
    assert (stored.closed_at, stored.closed_by) == (NOW, "Lifecare")
    welcome = session.exec(select(OutboxMessage)).one()
    assert (welcome.status, welcome.last_error) == (OutboxStatus.CANCELLED, "no longer a client")
    closed = session.exec(select(AuditEvent).where(AuditEvent.action == "client_closed")).one()
    assert (closed.actor_type, closed.actor_name) == ("api", "Lifecare")


def test_closing_again_answers_the_same_and_changes_nothing(session, api, frozen_clock):
    api.put("/clients/C-1", client_body())
    first = api.post("/clients/C-1/close").get_json()
    frozen_clock.shift(3600)
    again = api.post("/clients/C-1/close")
    assert again.status_code == 200
    assert again.get_json()["closed_at"] == first["closed_at"]
    session.expire_all()
    closings = select(AuditEvent).where(AuditEvent.action == "client_closed")
    assert len(session.exec(closings).all()) == 1


def test_a_closed_client_is_read_but_not_changed(api):
    api.put("/clients/C-1", client_body())
    api.post("/clients/C-1/close")
    assert api.get("/clients/C-1").get_json()["closed_at"] is not None
    for response in (
        api.put("/clients/C-1", client_body(first_name="Sanna")),
        api.post("/clients/C-1/opt-out"),
    ):
        assert response.status_code == 409, response.get_data(as_text=True)
        assert "no longer a client" in response.get_json()["detail"]


def test_only_a_write_key_of_the_clients_unit_closes(session, client, api, reader):
    api.put("/clients/C-1", client_body())
    assert reader.post("/clients/C-1/close").status_code == 403
    other = Api(client, make_key(session, create_unit(session, name="Ådala", phone="+46846500999")))
    assert other.post("/clients/C-1/close").status_code == 404
    assert api.get("/clients/C-1").get_json()["closed_at"] is None


def test_the_close_operation_is_described(api):
    document = api.get("/openapi.json").get_json()
    operation = document["paths"]["/clients/{source_id}/close"]["post"]
    assert operation["summary"] == "The person is no longer a client"
    assert "retention" in operation["description"]
    schema = document["components"]["schemas"]["ClientOut"]["properties"]
    assert "closed_at" in schema


def test_no_record_is_written_for_a_closed_client(session, api):
    api.put("/clients/C-1", client_body())
    api.post("/clients/C-1/close")
    response = api.put("/appointments/A-1", appointment_body())
    assert response.status_code == 409
    assert "no longer a client" in response.get_json()["detail"]
    session.expire_all()
    assert [m.kind for m in session.exec(select(OutboxMessage))] == ["welcome"]


def test_a_reopened_client_is_changed_again_and_reopening_twice_is_once(session, api):
    api.put("/clients/C-1", client_body())
    api.post("/clients/C-1/close")
    first = api.post("/clients/C-1/reopen")
    again = api.post("/clients/C-1/reopen")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.get_json()["closed_at"] is None
    assert api.put("/clients/C-1", client_body(first_name="Sanna")).status_code == 200
    session.expire_all()
    reopened = select(AuditEvent).where(AuditEvent.action == "client_reopened")
    assert len(session.exec(reopened).all()) == 1


def test_a_recycled_number_is_someone_new_and_blocks_reopening(session, api):
    api.put("/clients/C-1", client_body())
    api.post("/clients/C-1/close")
    created = api.put("/clients/C-2", client_body(first_name="Nils", last_name="Nyman"))
    assert created.status_code == 201
    assert created.get_json()["first_name"] == "Nils"
    refused = api.post("/clients/C-1/reopen")
    assert refused.status_code == 409
    assert "phone number" in refused.get_json()["detail"]
    session.expire_all()
    sara = session.exec(select(Client).where(Client.source_id == "C-1")).one()
    assert sara.closed_at is not None and sara.first_name == "Sara"


def test_closing_answers_with_what_was_still_open(session, api):
    api.put("/clients/C-1", client_body())
    api.put("/appointments/A-1", appointment_body())
    sara = session.exec(select(Client).where(Client.source_id == "C-1")).one()
    session.add(CallbackRequest(client_id=sara.id, unit_id=sara.unit_id, language="sv"))
    session.commit()
    receive_text(session, sara, "Ring mig")
    answer = api.post("/clients/C-1/close").get_json()
    assert answer["closed_at"] is not None
    assert answer["still_open"] == {"unanswered_texts": 1, "callbacks": 1, "meetings_ahead": 1}
    document = api.get("/openapi.json").get_json()
    operation = document["paths"]["/clients/{source_id}/close"]["post"]
    assert "still_open" in operation["description"]
    assert "409" in operation["responses"]


def test_openapi_says_writes_to_a_closed_client_answer_409_and_deletion_404(api):
    document = api.get("/openapi.json").get_json()
    assert "Closed clients" in document["info"]["description"]
    assert "a 404 for a client you know means they were deleted" in document["info"]["description"]
    put = document["paths"]["/clients/{source_id}"]["put"]
    assert "closed as no longer a client" in put["responses"]["409"]["description"]
