"""Webhook subscriptions through the API: a key registers an address and its events, gets
the secret once, reads the log, pauses, resumes, rotates and removes; never another key's."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.models import WebhookSubscription
from tests.api.conftest import Api, make_key
from tests.factories import create_unit

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)
URL = "https://lifecare.ekby.example/tydligt/events"


@pytest.fixture
def subscription(api) -> dict:
    response = api.post("/subscriptions", {"url": URL, "events": ["outbox.status"]})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_subscribing_gives_the_secret_once(api, subscription, session):
    assert subscription["secret"].startswith("whsec_")
    assert subscription["events"] == ["outbox.status"]
    assert subscription["paused"] is False and subscription["waiting"] == 0
    listed = api.get("/subscriptions").get_json()["items"]
    assert [s["url"] for s in listed] == [URL]
    assert "secret" not in listed[0]
    stored = session.exec(select(WebhookSubscription)).one()
    assert stored.secret == subscription["secret"]


@pytest.mark.parametrize(
    "url",
    [
        "http://lifecare.ekby.example/events",
        "https://127.0.0.1/events",
        "https://10.1.2.3/events",
        "https://localhost/events",
        "https://[::1]/events",
        "https://user:pw@lifecare.ekby.example/events",
        "ftp://lifecare.ekby.example/events",
    ],
)
def test_private_plain_and_odd_addresses_are_refused(api, url):
    response = api.post("/subscriptions", {"url": url, "events": ["outbox.status"]})

    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"] == "/url"


def test_unknown_events_are_refused(api):
    response = api.post("/subscriptions", {"url": URL, "events": ["everything"]})

    assert response.status_code == 422


def test_a_key_sees_and_changes_only_its_own_subscriptions(client, session, subscription):
    other_unit = create_unit(session, name="Västby", phone_menu_number="+46846500402")
    other = Api(client, make_key(session, other_unit, name="Treserva"))

    assert other.get("/subscriptions").get_json()["items"] == []
    assert other.post(f"/subscriptions/{subscription['id']}/pause").status_code == 404
    assert (
        other.web.delete(
            f"/api/v1/subscriptions/{subscription['id']}", headers=other.headers()
        ).status_code
        == 404
    )
    assert other.get(f"/subscriptions/{subscription['id']}/attempts").status_code == 404


def test_pause_resume_rotate_events_and_remove(api, subscription, session):
    sid = subscription["id"]

    paused = api.post(f"/subscriptions/{sid}/pause").get_json()
    assert (paused["paused"], paused["paused_reason"]) == (True, "by_hand")
    resumed = api.post(f"/subscriptions/{sid}/resume").get_json()
    assert resumed["paused"] is False
    rotated = api.post(f"/subscriptions/{sid}/secret").get_json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != subscription["secret"]
    changed = api.put(
        f"/subscriptions/{sid}/events", {"events": ["inbound.received", "callback.requested"]}
    ).get_json()
    assert changed["events"] == ["callback.requested", "inbound.received"]
    assert api.get(f"/subscriptions/{sid}/attempts").get_json() == {"items": []}
    assert api.web.delete(f"/api/v1/subscriptions/{sid}", headers=api.headers()).status_code == 204
    assert session.exec(select(WebhookSubscription)).all() == []


def test_a_key_has_at_most_five_addresses(api):
    for number in range(5):
        url = f"{URL}/{number}"
        assert (
            api.post("/subscriptions", {"url": url, "events": ["outbox.status"]}).status_code == 201
        )

    response = api.post("/subscriptions", {"url": URL, "events": ["outbox.status"]})

    assert response.status_code == 422


def test_the_openapi_document_describes_each_event_and_its_signature(client):
    document = client.get("/api/v1/openapi.json").get_json()

    assert set(document["webhooks"]) == {
        "outbox.status",
        "inbound.received",
        "callback.requested",
        "attendance.recorded",
    }
    post = document["webhooks"]["outbox.status"]["post"]
    assert {p["name"] for p in post["parameters"]} == {
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    }
    assert "HMAC-SHA256" in post["description"]
    data = post["requestBody"]["content"]["application/json"]["schema"]["properties"]["data"]
    assert "body" not in data["properties"] and "status" in data["properties"]
    assert "/subscriptions" in document["paths"]


def test_a_read_only_key_manages_its_own_subscriptions(reader, session):
    created = reader.post("/subscriptions", {"url": URL, "events": ["outbox.status"]})
    assert created.status_code == 201, created.get_json()
    sid = created.get_json()["id"]

    assert reader.post(f"/subscriptions/{sid}/pause").get_json()["paused"] is True
    assert reader.post(f"/subscriptions/{sid}/resume").get_json()["paused"] is False
    assert reader.post(f"/subscriptions/{sid}/secret").status_code == 200
    changed = reader.put(f"/subscriptions/{sid}/events", {"events": ["callback.requested"]})
    assert changed.status_code == 200
    assert reader.get(f"/subscriptions/{sid}/attempts").status_code == 200
    deleted = reader.web.delete(f"/api/v1/subscriptions/{sid}", headers=reader.headers())
    assert deleted.status_code == 204
    assert session.exec(select(WebhookSubscription)).all() == []


def test_a_read_only_key_still_may_not_write_records(reader):
    response = reader.post("/clients/C-9/close", {})

    assert response.status_code == 403


def test_the_openapi_document_says_subscriptions_need_only_the_read_scope(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert paths["/subscriptions"]["post"]["x-scope"] == "read"
    assert paths["/subscriptions/{subscription_id}"]["delete"]["x-scope"] == "read"
    assert paths["/clients/{source_id}"]["put"]["x-scope"] == "write"
