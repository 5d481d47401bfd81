"""Two units through the API: a key finds and matches records only within its own unit,
whatever the key is called; a phone number may be a client of both units; a client's new
phone number stops their page links."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.models import (
    Appointment,
    AuditEvent,
    Checklist,
    Client,
    Decision,
    Handover,
    LinkToken,
    Representative,
    utcnow,
)
from app.pages import links
from tests.api.conftest import Api, client_body, make_key
from tests.factories import create_client, create_staff, create_unit

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm

# One record of every kind, for client C-1, as either unit's system sends it.
RECORDS = {
    "appointments": (Appointment, {"client_source_id": "C-1",
                                   "starts_at": "2026-03-10T14:00:00+01:00", "mode": "office",
                                   "location": "Storgatan 12", "purpose": "follow_up"}),
    "checklists": (Checklist, {"client_source_id": "C-1", "application_type": "lss_application",
                               "due_date": "2026-03-20"}),
    "decisions": (Decision, {"client_source_id": "C-1", "status": "announced",
                             "service": "boendestod", "expected_on": "2026-03-16"}),
    "handovers": (Handover, {"client_source_id": "C-1", "to_staff_email": "{colleague}",
                             "kind": "absence", "starts_on": "2026-03-09",
                             "ends_on": "2026-03-13"}),
    "representatives": (Representative, {"client_source_id": "C-1", "name": "Per Holm",
                                         "role": "god_man", "phone": "070-000 00 09"}),
}  # fmt: skip

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def vastby(session):
    other = create_unit(session, name="Västby kommun", phone="+46846500500")
    create_staff(session, other, email="per@vastby.example", name="Per Västby")
    create_staff(session, other, email="eva@vastby.example", name="Eva Västby")
    return other


@pytest.fixture
def same_name(client, session, vastby) -> Api:
    """Västby's key, named like Ekby's (Lifecare): a name says nothing about the unit."""
    return Api(client, make_key(session, vastby, name="Lifecare"))


def vastby_client(**changes) -> dict:
    return client_body(caseworker_email="per@vastby.example", **changes)


def body_for(kind: str, colleague: str) -> dict:
    body = dict(RECORDS[kind][1])
    if "to_staff_email" in body:
        body["to_staff_email"] = colleague
    return body


def test_a_key_of_another_unit_with_the_same_name_gets_its_own_client(
    session, api, enrolled, same_name
):
    response = same_name.put("/clients/C-1", vastby_client(first_name="Nils"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["id"] != enrolled["id"]
    assert api.get("/clients/C-1").get_json()["first_name"] == "Sara"
    assert same_name.get("/clients/C-1").get_json()["first_name"] == "Nils"
    assert same_name.post("/clients/C-1/opt-out").status_code == 200
    session.expire_all()
    assert session.get(Client, enrolled["id"]).opted_out_at is None


def test_a_unit_that_used_an_id_first_does_not_block_another_unit(session, api, same_name):
    assert same_name.put("/clients/C-1", vastby_client(first_name="Nils")).status_code == 201
    response = api.put("/clients/C-1", client_body())
    assert response.status_code == 201, response.get_json()
    assert api.get("/clients/C-1").get_json()["first_name"] == "Sara"


@pytest.mark.parametrize("kind", list(RECORDS))
def test_every_record_s_id_belongs_to_its_unit(session, api, enrolled, colleague, same_name, kind):
    model = RECORDS[kind][0]
    ours = api.put(f"/{kind}/X-1", body_for(kind, "omar.haddad@ekby.example"))
    assert ours.status_code == 201, ours.get_json()
    assert same_name.put("/clients/C-1", vastby_client(phone="+46700000002")).status_code == 201
    theirs = same_name.put(f"/{kind}/X-1", body_for(kind, "eva@vastby.example"))
    assert theirs.status_code == 201, theirs.get_json()["errors"]
    assert theirs.get_json()["id"] != ours.get_json()["id"]
    assert api.get(f"/{kind}/X-1").get_json()["id"] == ours.get_json()["id"]
    session.expire_all()
    [mine, other] = session.exec(select(model).order_by(model.id)).all()
    assert mine.client_id == enrolled["id"] and other.client_id != enrolled["id"]


def test_a_number_a_client_of_another_unit_has_is_not_refused(session, api, vastby):
    per = session.exec(select(Client).where(Client.unit_id == vastby.id)).first()
    assert per is None
    create_client(session, staff_of(session, vastby), first_name="Nils", phone="+46700000001")
    response = api.put("/clients/C-1", client_body(phone="070-000 00 01"))
    assert response.status_code == 201, response.get_json()
    assert api.put("/clients/C-2", client_body(phone="070-000 00 01")).status_code == 422


def test_a_client_staff_of_another_unit_registered_is_not_linked(session, api, vastby):
    theirs = create_client(
        session, staff_of(session, vastby), first_name="Nils", phone="+46700000001"
    )
    response = api.put("/clients/C-1", client_body(phone="070-000 00 01"))
    assert response.status_code == 201
    session.expire_all()
    assert session.get(Client, theirs.id).source_id is None
    assert response.get_json()["id"] != theirs.id


def staff_of(session, unit):
    from app.models import StaffUser

    return session.exec(select(StaffUser).where(StaffUser.unit_id == unit.id)).first()


def test_a_new_phone_number_stops_every_page_link(session, api, enrolled):
    sara = session.get(Client, enrolled["id"])
    links.create(session, sara, "message", utcnow())
    session.commit()
    assert api.put("/clients/C-1", client_body(first_name="Sarah")).status_code == 200
    session.expire_all()
    assert session.exec(select(LinkToken)).one().revoked_at is None
    assert (
        api.put("/clients/C-1", client_body(first_name="Sarah", phone="070-000 00 05")).status_code
        == 200
    )
    session.expire_all()
    assert session.exec(select(LinkToken)).one().revoked_at is not None
    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.actor_type == "api", AuditEvent.action != "api_call")
        .order_by(AuditEvent.id)  # PostgreSQL gives no order without one
    ).all()
    assert [(e.action, e.detail) for e in events][-3:] == [
        ("client_changed", "first_name"),
        ("client_changed", "phone"),
        ("links_revoked", "1 (new phone number)"),
    ]
