"""Checklists through the API: the same messages as the admin page, a list that cannot
change once made, and repeated actions that change nothing."""

from datetime import UTC, date, datetime

import pytest

from app.casework import checklists
from app.models import OutboxStatus
from tests.api.conftest import errors, planned
from tests.factories import create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm

pytestmark = pytest.mark.frozen_at(NOW)


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


def test_a_checklist_cannot_change_once_made_but_for_more_time(api, enrolled):
    api.put("/checklists/L-1", CHECKLIST)
    changed = CHECKLIST | {"due_date": "2026-03-25", "documents": ["hyresavi"]}
    assert errors(api.put("/checklists/L-1", changed)) == {"/documents"}
    assert api.get("/checklists/L-1").get_json()["due_date"] == "2026-03-20"  # all or nothing


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
