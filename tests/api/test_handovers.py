"""Handovers and absences through the API: the same messages as the admin page, refused
handovers with the differing fields, and repeated actions that change nothing."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from app.casework import handovers
from app.models import Client, Handover, StaffUser
from tests.api.conftest import errors, planned
from tests.factories import create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm

pytestmark = pytest.mark.frozen_at(NOW)


ABSENCE = {
    "client_source_id": "C-1",
    "to_staff_email": "omar.haddad@ekby.example",
    "kind": "absence",
    "starts_on": "2026-03-09",
    "ends_on": "2026-03-13",
}


def test_an_absence_plans_what_the_domain_plans_for_staff(session, api, enrolled, colleague):
    response = api.put("/handovers/H-1", ABSENCE)
    assert response.status_code == 201
    assert response.get_json()["from_staff_email"] == "lina.berg@ekby.example"
    lina = session.exec(select(StaffUser).where(StaffUser.email == "lina.berg@ekby.example")).one()
    karin = create_client(session, lina, first_name="Karin", phone="+46700000002")
    handovers.hand_over(
        session,
        karin,
        colleague,
        kind="absence",
        starts_on=date(2026, 3, 9),
        ends_on=date(2026, 3, 13),
    )
    session.commit()
    assert planned(session, enrolled["id"]) == planned(session, karin.id)
    assert api.put("/handovers/H-1", ABSENCE).status_code == 200
    assert errors(api.put("/handovers/H-1", ABSENCE | {"ends_on": "2026-03-20"})) == {"/ends_on"}


def test_a_permanent_handover_today_moves_the_client_and_cannot_be_cancelled(
    session, api, enrolled, colleague
):
    body = ABSENCE | {"kind": "permanent", "starts_on": "2026-03-02", "ends_on": None}
    response = api.put("/handovers/H-1", body)
    assert response.status_code == 201
    assert session.get(Client, enrolled["id"]).caseworker_id == colleague.id
    assert errors(api.post("/handovers/H-1/cancel")) == {"/status"}
    assert session.get(Handover, response.get_json()["id"]).cancelled_at is None


def test_a_handover_to_the_current_contact_or_unknown_staff_is_refused(api, enrolled, colleague):
    assert errors(
        api.put("/handovers/H-1", ABSENCE | {"to_staff_email": "lina.berg@ekby.example"})
    ) == {"/to_staff_email"}
    assert errors(api.put("/handovers/H-1", ABSENCE | {"to_staff_email": "x@ekby.example"})) == {
        "/to_staff_email"
    }


def test_cancelling_an_absence_twice_changes_nothing(api, enrolled, colleague):
    api.put("/handovers/H-1", ABSENCE)
    first = api.post("/handovers/H-1/cancel")
    again = api.post("/handovers/H-1/cancel")
    assert first.status_code == again.status_code == 200
    assert first.get_json()["cancelled_at"] == again.get_json()["cancelled_at"] is not None
