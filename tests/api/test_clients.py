"""Clients through the API: create or update by the system's own id, consent and the
welcome, field errors with paths, and one unit never seeing another's clients."""

from sqlmodel import select

from app.models import AuditEvent, Client, OutboxMessage, Privacy
from tests.api.conftest import Api, client_body, make_key
from tests.factories import create_client, create_staff, create_unit


def outbox(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def paths(response) -> set[str]:
    return {error["path"] for error in response.get_json()["errors"]}


def test_a_new_client_with_consent_is_welcomed_and_marked_with_the_system(session, api):
    response = api.put("/clients/C-1", client_body(phone="070-000 00 01"))
    assert response.status_code == 201
    body = response.get_json()
    assert body["source_id"] == "C-1" and body["phone"] == "+46700000001"
    assert body["caseworker_email"] == "lina.berg@ekby.example"
    assert body["consent_method"] == "written" and body["consent_at"]
    stored = session.get(Client, body["id"])
    assert (stored.source_system, stored.source_id) == ("Lifecare", "C-1")
    [welcome] = outbox(session)
    assert (welcome.kind, welcome.client_id) == ("welcome", stored.id)
    actions = {e.action: e for e in session.exec(select(AuditEvent))}
    assert actions["client_created"].actor_type == "api"
    assert actions["client_created"].actor_name == "Lifecare"
    assert actions["api_call"].detail == "PUT /api/v1/clients/C-1 201"


def test_sending_the_same_client_again_changes_nothing_and_welcomes_once(session, api):
    first = api.put("/clients/C-1", client_body())
    again = api.put("/clients/C-1", client_body())
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["updated_at"] == first.get_json()["updated_at"]
    assert len(outbox(session)) == 1
    assert not session.exec(select(AuditEvent).where(AuditEvent.action == "client_changed")).all()


def test_an_update_changes_only_the_fields_sent(session, api, enrolled):
    stored = session.get(Client, enrolled["id"])
    stored.privacy = Privacy.DISCREET  # set by staff in Tydligt
    session.add(stored)
    session.commit()
    response = api.put(
        "/clients/C-1", {"first_name": "Sara", "phone": "+46700000001", "language": "en"}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["language"], body["privacy"], body["last_name"]) == ("en", "discreet", "Lind")


def test_language_codes_are_read_the_way_case_systems_write_them(api):
    assert api.put("/clients/C-1", client_body(language="SV-se")).get_json()["language"] == "sv"
    response = api.put("/clients/C-2", client_body(phone="+46700000002", language="fa-AF"))
    assert response.get_json()["language"] == "prs"


def test_every_wrong_field_is_named_with_its_path(api):
    response = api.put(
        "/clients/C-1",
        client_body(phone="12", language="xx", channel="fax", picture_support="yes"),
    )
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert paths(response) == {"/channel", "/picture_support"}  # types first, then the domain
    response = api.put("/clients/C-1", client_body(phone="12", language="xx"))
    assert response.status_code == 422
    assert paths(response) == {"/phone", "/language"}
    problem = response.get_json()
    assert problem["status"] == 422 and problem["type"].endswith("invalid-input")


def test_unknown_fields_and_unknown_staff_are_refused(api):
    response = api.put("/clients/C-1", client_body(nickname="Sassa"))
    assert response.status_code == 422 and paths(response) == {"/nickname"}
    response = api.put("/clients/C-1", client_body(caseworker_email="nobody@ekby.example"))
    assert response.status_code == 422 and paths(response) == {"/caseworker_email"}


def test_consent_cannot_be_dated_ahead_or_without_how_it_was_given(api):
    response = api.put("/clients/C-1", client_body(consent_date="2099-01-01"))
    assert response.status_code == 422 and paths(response) == {"/consent_date"}
    response = api.put("/clients/C-1", client_body(consent_method=None, consent_date="2020-01-01"))
    assert response.status_code == 422 and paths(response) == {"/consent_date"}


def test_consent_given_earlier_is_dated_that_day(api):
    response = api.put("/clients/C-1", client_body(consent_date="2024-05-02"))
    assert response.get_json()["consent_at"].startswith("2024-05-02")


def test_a_client_without_consent_gets_no_welcome_until_consent_is_sent(session, api):
    api.put("/clients/C-1", client_body(consent_method=None))
    assert outbox(session) == []
    api.put("/clients/C-1", client_body(consent_method="verbal"))
    assert [m.kind for m in outbox(session)] == ["welcome"]


def test_a_client_staff_registered_is_linked_by_phone_number(session, api, caseworker):
    registered = create_client(session, caseworker, phone="+46700000001")
    response = api.put("/clients/C-1", client_body(phone="0700000001", first_name="Sarah"))
    assert response.status_code == 200
    assert response.get_json()["id"] == registered.id
    session.expire_all()
    assert session.get(Client, registered.id).source_id == "C-1"
    assert session.get(Client, registered.id).first_name == "Sarah"


def test_a_phone_number_of_another_linked_client_is_refused(api, enrolled):
    response = api.put("/clients/C-2", client_body(phone="+46700000001"))
    assert response.status_code == 422 and paths(response) == {"/phone"}


def test_another_unit_s_client_is_not_found(session, client, api, enrolled):
    other = create_unit(session, name="Västby kommun", phone="+46846500500")
    create_staff(session, other, email="per@vastby.example", name="Per Västby")
    other_api = Api(client, make_key(session, other, name="Treserva"))
    assert other_api.get("/clients/C-1").status_code == 404
    assert other_api.post("/clients/C-1/opt-out").status_code == 404
    # A system with the same name in another unit has its own ids (tests/api/test_units_apart.py)
    same_name = Api(client, make_key(session, other, name="Lifecare"))
    assert same_name.get("/clients/C-1").status_code == 404


def test_opting_out_and_in_is_recorded_once(session, api, enrolled):
    first = api.post("/clients/C-1/opt-out")
    again = api.post("/clients/C-1/opt-out")
    assert first.status_code == again.status_code == 200
    assert first.get_json()["opted_out_at"] == again.get_json()["opted_out_at"] is not None
    assert api.post("/clients/C-1/opt-in").get_json()["opted_out_at"] is None
    events = session.exec(
        select(AuditEvent.action)
        .where(AuditEvent.actor_type == "api")
        .order_by(AuditEvent.id)  # PostgreSQL gives no order without one
    )
    assert [e for e in events if e.startswith("opted")] == ["opted_out", "opted_in"]


def test_a_client_is_read_by_the_system_s_id(reader, api, enrolled):
    response = reader.get("/clients/C-1")
    assert response.status_code == 200
    assert response.get_json() == api.get("/clients/C-1").get_json()
    assert reader.get("/clients/C-404").status_code == 404
    assert reader.get("/clients/not%20an%20id").status_code == 422


def test_a_landline_is_refused_with_a_clear_422(session, api):
    response = api.put("/clients/C-1", client_body(phone="08-123 456 78"))
    assert response.status_code == 422 and paths(response) == {"/phone"}
    (error,) = response.get_json()["errors"]
    assert "landline" in error["detail"]
    assert session.exec(select(Client)).first() is None
