"""Papers and money through the API: more time by a new due date, a document sent back
with a reason, a monthly application (each month by its own source id) and its stop."""

from datetime import UTC, datetime

import pytest

from app.casework import checklist_series
from tests.api.conftest import errors, planned

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm

pytestmark = pytest.mark.frozen_at(NOW)

CHECKLIST = {
    "client_source_id": "C-1",
    "application_type": "ekonomiskt_bistand",
    "due_date": "2026-03-09",
    "documents": ["hyresavi", "kontoutdrag"],
}


def kinds(session, client_id: int, status: str = "pending") -> list[str]:
    return [kind for kind, _c, _d, state, copy in planned(session, client_id) if state == status]


def test_a_later_due_date_gives_more_time_and_tells_the_client(session, api, enrolled):
    api.put("/checklists/E-1", CHECKLIST)
    response = api.put("/checklists/E-1", CHECKLIST | {"due_date": "2026-03-20"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["due_date"] == "2026-03-20" and body["overdue"] is False
    assert kinds(session, enrolled["id"]).count("checklist_due_moved") == 1
    again = api.put("/checklists/E-1", CHECKLIST | {"due_date": "2026-03-20"})
    assert again.status_code == 200
    assert kinds(session, enrolled["id"]).count("checklist_due_moved") == 1  # nothing new
    assert errors(api.put("/checklists/E-1", CHECKLIST | {"due_date": "2026-03-01"})) == {
        "/due_date"
    }


def test_a_document_is_sent_back_with_a_reason(session, api, enrolled):
    api.put("/checklists/E-1", CHECKLIST)
    api.post("/checklists/E-1/received", {"documents": ["hyresavi", "kontoutdrag"]})
    response = api.post(
        "/checklists/E-1/send-back", {"document_type": "kontoutdrag", "problem": "cannot_read"}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "open"  # complete no more
    sent_back = next(i for i in body["items"] if i["document_type"] == "kontoutdrag")
    assert sent_back["received_at"] is None and sent_back["problem"] == "cannot_read"
    assert sent_back["problem_at"] is not None
    assert "document_unclear" in kinds(session, enrolled["id"])
    assert "checklist_reminder" in kinds(session, enrolled["id"])


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"document_type": "kontoutdrag", "problem": "cannot_read"}, "/document_type"),
        ({"document_type": "hyresavi", "problem": "ugly"}, "/problem"),
        ({"document_type": "hyresavi"}, "/problem"),
        ({"document_type": "hyresavi", "problem": "cannot_read", "why": "x"}, "/why"),
    ],
)
def test_a_wrong_send_back_names_the_field(session, api, enrolled, body, path):
    api.put("/checklists/E-1", CHECKLIST)
    api.post("/checklists/E-1/received", {"documents": ["hyresavi"]})
    assert errors(api.post("/checklists/E-1/send-back", body)) == {path}
    assert "document_unclear" not in kinds(session, enrolled["id"])


def test_a_monthly_application_repeats_by_its_own_ids_until_stopped(session, api, enrolled):
    response = api.put("/checklists/E-1", CHECKLIST | {"repeat_monthly_day": 31})
    assert response.status_code == 201
    assert response.get_json()["repeat_monthly_day"] == 31
    assert response.get_json()["series_month"] == "2026-03"
    assert checklist_series.create_due_months(session, datetime(2026, 4, 16, 7, tzinfo=UTC)) == 1
    april = api.get("/checklists/E-1:2026-04")
    assert april.status_code == 200
    assert april.get_json()["due_date"] == "2026-04-30"
    stopped = api.post("/checklists/E-1:2026-04/stop-repeating")
    assert stopped.status_code == 200
    assert stopped.get_json()["repeat_stopped_at"] is not None
    assert api.post("/checklists/E-1/stop-repeating").status_code == 200  # twice: the same
    assert checklist_series.create_due_months(session, datetime(2026, 5, 20, tzinfo=UTC)) == 0


def test_the_due_day_of_a_series_cannot_change_and_must_be_a_day(api, enrolled):
    api.put("/checklists/E-1", CHECKLIST | {"repeat_monthly_day": 31})
    changed = CHECKLIST | {"repeat_monthly_day": 5}
    assert errors(api.put("/checklists/E-1", changed)) == {"/repeat_monthly_day"}
    assert errors(api.put("/checklists/E-2", CHECKLIST | {"repeat_monthly_day": 32})) == {
        "/repeat_monthly_day"
    }


def test_a_list_that_does_not_repeat_cannot_be_stopped(api, enrolled):
    api.put("/checklists/E-1", CHECKLIST)
    assert errors(api.post("/checklists/E-1/stop-repeating")) == {"/repeat_monthly_day"}


def test_the_catalog_lists_why_a_document_can_be_sent_back(reader):
    problems = reader.get("/catalog").get_json()["paper_problems"]
    assert {"key": "page_missing", "name": "En sida saknas."} in problems
    assert len(problems) == 6
