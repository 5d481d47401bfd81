"""E-mail through the API: a client's address and choice of copies by e-mail, checked with
the field's path; the outbox feed shows e-mail copies as the channel `email`."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import Client, OutboxMessage
from tests.api.conftest import client_body

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


def paths(response) -> set[str]:
    return {error["path"] for error in response.get_json()["errors"]}


def test_a_client_can_get_every_message_by_email_too(session, api):
    body = client_body(email="Sara.Lind@Example.org", email_copies=True)
    response = api.put("/clients/C-1", body)
    assert response.status_code == 201, response.get_json()
    shown = response.get_json()
    assert (shown["email"], shown["email_copies"]) == ("Sara.Lind@example.org", True)
    assert shown["email_unreachable_at"] is None
    welcome = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.kind, m.channel) for m in welcome] == [("welcome", "sms"), ("welcome", "email")]


def test_an_update_can_turn_email_off_and_keeps_the_address(session, api):
    api.put("/clients/C-1", client_body(email="sara@example.org", email_copies=True))
    response = api.put(
        "/clients/C-1", {"first_name": "Sara", "phone": "+46700000001", "email_copies": False}
    )
    assert response.status_code == 200
    assert (response.get_json()["email"], response.get_json()["email_copies"]) == (
        "sara@example.org",
        False,
    )


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"email": "sara.example.org"}, "/email"),
        ({"email": "sara@example"}, "/email"),
        ({"email_copies": True}, "/email_copies"),
    ],
)
def test_a_wrong_address_is_refused_with_its_path(session, api, fields, path):
    response = api.put("/clients/C-1", client_body(**fields))
    assert response.status_code == 422 and paths(response) == {path}
    assert session.exec(select(Client)).first() is None


def test_the_outbox_feed_shows_email_copies(api, frozen_clock):
    api.put("/clients/C-1", client_body(email="sara@example.org", email_copies=True))
    frozen_clock.move_to(NOW + timedelta(minutes=1))
    response = api.get("/outbox")
    assert response.status_code == 200
    channels = sorted(item["channel"] for item in response.get_json()["items"])
    assert channels == ["email", "sms"]
