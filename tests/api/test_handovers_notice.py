"""Handovers through the API: the confirmed papers (file_passed_on) and the notice ahead of
time, as the admin page has them."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.models import Handover, OutboxMessage
from tests.api.conftest import errors

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
pytestmark = pytest.mark.frozen_at(NOW)

PERMANENT = {
    "client_source_id": "C-1",
    "to_staff_email": "omar.haddad@ekby.example",
    "kind": "permanent",
    "starts_on": "2026-03-16",
}


def test_file_passed_on_is_saved_shown_and_part_of_the_handover(session, api, enrolled, colleague):
    response = api.put("/handovers/H-1", PERMANENT | {"file_passed_on": True})
    assert response.status_code == 201
    assert response.get_json()["file_passed_on"] is True
    assert session.exec(select(Handover)).one().file_passed_on is True
    assert api.get("/handovers/H-1").get_json()["file_passed_on"] is True
    # A handover cannot change: the same id without the confirmation is refused.
    assert errors(api.put("/handovers/H-1", PERMANENT)) == {"/file_passed_on"}


def test_without_file_passed_on_the_papers_are_not_promised(session, api, enrolled, colleague):
    response = api.put("/handovers/H-1", PERMANENT)
    assert response.get_json()["file_passed_on"] is False


def test_the_notice_is_planned_a_week_ahead(session, api, enrolled, colleague):
    api.put("/handovers/H-1", PERMANENT)
    notice = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == "handover_permanent")
    ).one()
    assert notice.due_at == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)


def test_the_openapi_document_describes_file_passed_on(api):
    spec = api.get("/openapi.json").get_json()
    described = spec["components"]["schemas"]["HandoverIn"]["properties"]["file_passed_on"]
    assert "need not start over" in described["description"]
