"""The access rule for clients who are no longer clients, case by case and fast: each
condition pinned so that weakening it fails a test (make mutation checks that)."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select

from app import access
from app.access import Channel, Role, Topic, Verdict
from app.models import Client, Representative, StaffRole
from tests.factories import create_client, create_staff, create_unit

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
TODAY = date(2026, 12, 7)
UNIT_SMS = "+46846500400"
pytestmark = pytest.mark.frozen_at(NOW)


def client(**values) -> Client:
    return Client(id=1, unit_id=1, first_name="Sara", phone="+46700000001", **values)


def test_a_client_is_one_until_closed():
    assert access.is_client(client())
    assert not access.is_client(client(closed_at=NOW))


@pytest.mark.parametrize("topic", list(Topic))
def test_a_closed_client_gets_nothing_on_any_channel(app, topic):
    role = Role(client(closed_at=NOW))
    for channel in Channel:
        assert access.decide(role, topic, channel, pin_given=True) == Verdict.DENY
    assert not access.permitted(role, topic)


def test_a_closed_clients_representative_gets_nothing(app):
    anna = Representative(id=7, client_id=1, name="Anna Holm", phone="+46700000010",
                          copy_appointments=True, copy_documents=True, copy_decisions=True,
                          copy_handovers=True)  # fmt: skip
    role = Role(client(closed_at=NOW), anna)
    assert access.menu(role) == []
    assert access.page_topics(role, pin_given=True) == frozenset()
    assert access.menu(Role(client(), anna)) != []


def test_roles_finds_neither_a_closed_client_nor_their_representatives(session):
    lina = create_staff(session, create_unit(session, phone=UNIT_SMS))
    sara = create_client(session, lina)
    karin = create_client(session, lina, first_name="Karin", phone="+46700000002")
    for owner in (sara, karin):
        session.add(Representative(client_id=owner.id, name="Anna Holm", phone="+46700000010"))
    sara.closed_at = NOW
    session.add(sara)
    session.commit()
    assert access.roles(session, sara.phone, UNIT_SMS) == []
    assert [r.client.id for r in access.roles(session, "+46700000010", UNIT_SMS)] == [karin.id]
    assert [r.client.id for r in access.roles(session, karin.phone, UNIT_SMS)] == [karin.id]


def test_open_clients_leaves_out_the_closed(session):
    lina = create_staff(session)
    sara = create_client(session, lina, closed_at=NOW)
    karin = create_client(session, lina, first_name="Karin", phone="+46700000002")
    found = session.exec(select(Client.id).where(access.open_clients()).order_by(col(Client.id)))
    assert list(found) == [karin.id]
    assert sara.id is not None


@pytest.mark.parametrize(
    ("role", "active", "same_unit", "allowed"),
    [
        (StaffRole.ADMIN, True, True, True),
        (StaffRole.ADMIN, False, True, False),  # a closed account
        (StaffRole.ADMIN, True, False, False),  # another unit's administrator
        (StaffRole.CASEWORKER, True, True, False),  # even the client's own case worker
    ],
)
def test_only_an_active_administrator_of_the_clients_unit_takes_a_register_extract(
    session, role, active, same_unit, allowed
):
    unit = create_unit(session)
    other = create_unit(session, name="Ådala", phone="+46846500999")
    staff = create_staff(session, unit if same_unit else other, role=role, active=active)
    sara = create_client(session, create_staff(session, unit, email="lina@ekby.example"))
    assert access.may_take_register_extract(staff, sara) is allowed
    sara.closed_at = NOW  # also once closed, until deleted
    assert access.may_take_register_extract(staff, sara) is allowed
