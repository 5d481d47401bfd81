"""The access rule on the staff pages added for the case worker's day: one outbox message
(and what can be done to it) and the week at a glance. Same world as test_every_channel:
Lina is Sara's, Dina's and Maja's case worker, Eva the unit's administrator, Omar Sara's
former case worker, Ulla stands in for Lina for Maja only this week, Pia works in another
unit (where Sara's number is also a client, Sanna)."""

import pytest
from sqlmodel import select

from app.models import OutboxMessage, OutboxStatus
from tests.access.test_every_channel import NOW, PLACE, World
from tests.admin.conftest import post, sign_in

pytestmark = pytest.mark.frozen_at(NOW)

SEES_SARA = [("lina", True), ("eva", True), ("omar", False), ("pia", False), ("cover", False)]


@pytest.fixture
def world(session) -> World:
    return World(session)


def sara_message(session, world: World) -> OutboxMessage:
    """The reminder planned for Sara's meeting (to Sara herself)."""
    return session.exec(
        select(OutboxMessage).where(
            OutboxMessage.client_id == world.sara.id,
            OutboxMessage.kind == "appointment_reminder",
            OutboxMessage.representative_id.is_(None),  # type: ignore[union-attr]
        )
    ).first()


@pytest.mark.parametrize(("who", "sees"), SEES_SARA)
def test_one_outbox_message_is_shown_only_to_staff_who_see_the_client(
    client, session, world, who, sees
):
    message = sara_message(session, world)
    sign_in(client, getattr(world, who))
    page = client.get(f"/admin/outbox/{message.id}")
    assert page.status_code == (200 if sees else 404)
    if not sees:
        assert PLACE not in page.get_data(as_text=True)


@pytest.mark.parametrize(("who", "sees"), SEES_SARA)
@pytest.mark.parametrize("action", ["cancel", "retry", "reviewed"])
def test_a_message_is_changed_only_by_staff_who_see_the_client(
    client, session, world, who, sees, action
):
    message = sara_message(session, world)
    status = message.status
    sign_in(client, getattr(world, who))
    response = post(client, f"/admin/outbox/{message.id}/{action}")
    if sees:
        assert response.status_code == 302
        return
    assert response.status_code == 404
    session.expire_all()
    assert session.get(OutboxMessage, message.id).status == status


def test_a_cancel_by_the_case_worker_stops_the_message(client, session, world):
    message = sara_message(session, world)
    sign_in(client, world.lina)
    post(client, f"/admin/outbox/{message.id}/cancel")
    session.expire_all()
    assert session.get(OutboxMessage, message.id).status == OutboxStatus.CANCELLED


def week_text(client, who, world: World, scope: str = "mine") -> str:
    sign_in(client, getattr(world, who))
    page = client.get(f"/admin/week?scope={scope}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_the_week_shows_the_case_worker_their_own_clients_meetings(client, world):
    text = week_text(client, "lina", world)
    assert "Sara" in text
    assert "Dina" in text
    assert "Sanna" not in text  # the other unit's client with the same number


def test_the_week_shows_a_stand_in_only_the_client_they_cover(client, world):
    text = week_text(client, "cover", world)
    assert "Maja" in text
    assert "Sara" not in text
    assert "Dina" not in text


@pytest.mark.parametrize("who", ["omar", "pia"])
def test_the_week_shows_nothing_of_clients_one_does_not_see(client, world, who):
    text = week_text(client, who, world)
    for name in ("Sara", "Dina", "Maja"):
        assert name not in text
    assert PLACE not in text


def test_only_an_administrator_sees_the_whole_units_week(client, world):
    assert "Sara" in week_text(client, "eva", world, scope="unit")
    text = week_text(client, "omar", world, scope="unit")  # not an administrator: own week
    assert "Sara" not in text
