"""A closed client on every channel: their texts and calls, and their representatives',
are a stranger's (the access rule's world from tests/access/test_every_channel.py)."""

import pytest
from sqlmodel import select

from app.casework import closing
from app.models import InboundMessage
from tests.access.test_every_channel import (
    ANNA,
    NOW,
    OTHER_SMS,
    SARA,
    World,
    phone_reveals,
    sms_reveals,
    text,
)

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def closed_sara(session) -> World:
    world = World(session)
    closing.close(session, world.sara, actor_type="staff", actor_name="Lina Berg", now=NOW)
    session.commit()
    return world


def test_a_closed_client_and_their_representative_learn_nothing_by_sms(client, closed_sara):
    assert sms_reveals(client, SARA) == set()
    assert sms_reveals(client, ANNA) == set()


def test_a_closed_client_and_their_representative_hear_nothing_by_phone(client, closed_sara):
    assert phone_reveals(client, SARA) == set()
    assert phone_reveals(client, ANNA) == set()


def test_their_texts_are_kept_as_from_an_unknown_number(client, session, closed_sara):
    text(client, SARA, "Hej, det är Sara")
    session.expire_all()
    stored = session.exec(select(InboundMessage).order_by(InboundMessage.id.desc())).first()
    assert stored.client_id is None and stored.representative_id is None


def test_the_same_number_is_still_a_client_of_another_unit(client, session, closed_sara):
    text(client, SARA, "Hej", to=OTHER_SMS)  # Sanna, the other unit's client, has the number
    session.expire_all()
    stored = session.exec(select(InboundMessage).order_by(InboundMessage.id.desc())).first()
    assert stored.client_id == closed_sara.sanna.id
