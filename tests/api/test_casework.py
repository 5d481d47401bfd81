"""Checklists, decisions, handovers and representatives through the API: the same messages
as the admin page, records that cannot change refused with the differing fields, and
repeated actions that change nothing."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlmodel import select

from app.casework import checklists, decisions, handovers
from app.models import Client, Handover, OutboxMessage, OutboxStatus, Representative, StaffUser
from tests.api.conftest import client_body
from tests.factories import create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def planned(session, client_id: int) -> list[tuple]:
    session.expire_all()
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.client_id == client_id, OutboxMessage.kind != "welcome")
        .order_by(OutboxMessage.due_at, OutboxMessage.kind, OutboxMessage.representative_id)
    )
    return [(m.kind, m.channel, m.due_at, m.status, bool(m.representative_id)) for m in rows]


def errors(response) -> set[str]:
    assert response.status_code == 422, response.get_json()
    return {e["path"] for e in response.get_json()["errors"]}


# Checklists

CHECKLIST = {
    "client_source_id": "C-1",
    "application_type": "lss_application",
    "due_date": "2026-03-20",
}


def test_a_checklist_plans_what_the_domain_plans_for_staff(session, api, enrolled, caseworker):
    response = api.put("/checklists/L-1", CHECKLIST)
    assert response.status_code == 201
    body = response.get_json()
    assert [i["document_type"] for i in body["items"]] == ["lakarintyg", "id_handling"]
    karin = create_client(session, caseworker, first_name="Karin", phone="+46700000002")
    checklists.create(
        session,
        karin,
        application_type="lss_application",
        due_date=date(2026, 3, 20),
        staff_id=caseworker.id,
    )
    session.commit()
    assert planned(session, enrolled["id"]) == planned(session, karin.id)
    assert api.put("/checklists/L-1", CHECKLIST).status_code == 200


def test_a_checklist_cannot_change_once_made(api, enrolled):
    api.put("/checklists/L-1", CHECKLIST)
    changed = CHECKLIST | {"due_date": "2026-03-25", "documents": ["hyresavi"]}
    assert errors(api.put("/checklists/L-1", changed)) == {"/due_date", "/documents"}


def test_ticking_documents_thanks_once_and_completes_the_list(session, api, enrolled):
    api.put("/checklists/L-1", CHECKLIST)
    response = api.post("/checklists/L-1/received", {"documents": ["lakarintyg"]})
    assert response.status_code == 200
    assert api.post("/checklists/L-1/received", {"documents": ["lakarintyg"]}).status_code == 200
    response = api.post("/checklists/L-1/received", {"documents": ["id_handling"]})
    assert response.get_json()["status"] == "complete"
    kinds = [kind for kind, *_ in planned(session, enrolled["id"])]
    assert kinds.count("checklist_complete") == 1
    assert api.post("/checklists/L-1/cancel").status_code == 422  # complete stays complete


def test_a_document_not_on_the_list_is_named_and_nothing_is_ticked(api, enrolled):
    api.put("/checklists/L-1", CHECKLIST)
    response = api.post("/checklists/L-1/received", {"documents": ["lakarintyg", "hyresavi"]})
    assert errors(response) == {"/documents/1"}
    items = api.get("/checklists/L-1").get_json()["items"]
    assert all(item["received_at"] is None for item in items)
    assert errors(api.post("/checklists/L-1/received", {"documents": []})) == {"/documents"}


def test_withdrawing_a_checklist_twice_changes_nothing(session, api, enrolled):
    api.put("/checklists/L-1", CHECKLIST)
    first = api.post("/checklists/L-1/cancel")
    again = api.post("/checklists/L-1/cancel")
    assert first.status_code == again.status_code == 200
    assert again.get_json()["status"] == "cancelled"
    statuses = {
        status
        for kind, _c, _d, status, _r in planned(session, enrolled["id"])
        if kind == "checklist_reminder"
    }
    assert statuses == {OutboxStatus.CANCELLED}


# Decisions

HEADS_UP = {
    "client_source_id": "C-1",
    "status": "announced",
    "service": "boendestod",
    "expected_on": "2026-03-16",
}
DECIDED = {
    "client_source_id": "C-1",
    "status": "decided",
    "service": "boendestod",
    "outcome": "approved",
    "scope_amount": 10,
    "scope_unit": "hours_per_week",
    "valid_from": "2026-03-16",
    "valid_to": "2026-09-30",
    "decided_on": "2026-03-02",
}


def test_a_decision_plans_what_the_domain_plans_for_staff(session, api, enrolled, caseworker):
    response = api.put("/decisions/D-1", DECIDED)
    assert response.status_code == 201
    karin = create_client(session, caseworker, first_name="Karin", phone="+46700000002")
    values = {k: v for k, v in DECIDED.items() if k not in ("client_source_id", "status")}
    values |= {
        "valid_from": date(2026, 3, 16),
        "valid_to": date(2026, 9, 30),
        "decided_on": date(2026, 3, 2),
    }
    decisions.decide(session, karin, staff_id=caseworker.id, **values)
    session.commit()
    assert planned(session, enrolled["id"]) == planned(session, karin.id)
    assert "support_ending" in [kind for kind, *_ in planned(session, karin.id)]


def test_an_announced_decision_is_decided_by_the_same_id(session, api, enrolled):
    assert api.put("/decisions/D-1", HEADS_UP).status_code == 201
    assert api.put("/decisions/D-1", HEADS_UP).status_code == 200  # the same: nothing new
    response = api.put("/decisions/D-1", DECIDED)
    assert response.status_code == 200
    assert response.get_json()["status"] == "decided"
    assert api.put("/decisions/D-1", DECIDED).status_code == 200  # sent again: no change
    kinds = [(kind, status) for kind, _c, _d, status, _r in planned(session, enrolled["id"])]
    assert ("decision_heads_up", OutboxStatus.CANCELLED) in kinds
    assert kinds.count(("decision_approved", OutboxStatus.PENDING)) == 1
    assert errors(
        api.put(
            "/decisions/D-1", DECIDED | {"outcome": "refused", "reasons": ["need_met_otherwise"]}
        )
    ) == {"/status"}
    assert errors(api.put("/decisions/D-1", HEADS_UP)) == {"/status"}


def test_a_refusal_needs_a_reason_and_dates_in_order(api, enrolled):
    response = api.put("/decisions/D-1", DECIDED | {"outcome": "refused", "valid_to": "2026-03-01"})
    assert errors(response) == {"/reasons", "/valid_to"}
    assert errors(api.put("/decisions/D-1", HEADS_UP | {"expected_on": None})) == {"/expected_on"}


def test_withdrawing_a_decision_twice_changes_nothing(api, enrolled):
    api.put("/decisions/D-1", DECIDED)
    first = api.post("/decisions/D-1/withdraw")
    again = api.post("/decisions/D-1/withdraw")
    assert first.get_json()["version"] == again.get_json()["version"]
    assert errors(api.put("/decisions/D-1", DECIDED)) == {"/status"}


# Handovers and absences

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


# Representatives

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
