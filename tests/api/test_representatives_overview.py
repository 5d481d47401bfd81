"""POST /representatives/{source_id}/overview-link: a system texts a representative their
own overview link, as staff can from the client page."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.models import AuditEvent, OutboxMessage
from tests.api.conftest import errors

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(NOW)

GOD_MAN = {
    "client_source_id": "C-1",
    "name": "Per Holm",
    "role": "god_man",
    "phone": "070-000 00 09",
    "language": "uk",
    "copy_decisions": True,
}


def test_the_link_is_planned_as_a_text_to_the_representative(session, api, enrolled):
    representative = api.put("/representatives/R-1", GOD_MAN).get_json()
    response = api.post("/representatives/R-1/overview-link")
    assert response.status_code == 202, response.get_json()
    item = response.get_json()
    assert item["kind"] == "representative_overview"
    assert item["recipient"] == "representative"
    assert item["representative_id"] == representative["id"]
    assert item["status"] == "pending"
    assert item["subject"] == {
        "type": "representative",
        "id": representative["id"],
        "source_id": "R-1",
    }
    stored = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == "representative_overview")
    ).one()
    assert stored.id == item["id"]
    assert session.exec(
        select(AuditEvent).where(AuditEvent.action == "representative_overview_sent")
    ).one()


def test_a_removed_representative_gets_a_422_and_nothing_is_planned(session, api, enrolled):
    api.put("/representatives/R-1", GOD_MAN)
    api.post("/representatives/R-1/remove")
    response = api.post("/representatives/R-1/overview-link")
    assert errors(response) == {""}
    assert "removed or said STOP" in response.get_json()["errors"][0]["detail"]
    assert (
        session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "representative_overview")
        ).first()
        is None
    )


def test_an_unknown_representative_is_a_404(api, enrolled):
    assert api.post("/representatives/R-9/overview-link").status_code == 404


def test_a_read_key_may_not_send_it(api, reader, enrolled):
    api.put("/representatives/R-1", GOD_MAN)
    assert reader.post("/representatives/R-1/overview-link").status_code == 403


def test_the_operation_is_described_in_openapi(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/representatives/{source_id}/overview-link"]["post"]
    assert "only the kinds of record their copy_* fields allow" in operation["description"]
    assert "202" in operation["responses"]
