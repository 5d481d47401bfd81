"""Inbox: a text from a client whose application waits for their comment can be recorded as
that comment (the words are read by staff, never by the system), as on the application page."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import applications
from app.models import Application, AuditEvent, OutboxMessage, OutboxStatus
from tests.admin.conftest import post
from tests.factories import receive_text

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday 2 March, 09:00 in Stockholm
pytestmark = pytest.mark.frozen_at(NOW)
MARK = "Mark as the client's comment"


@pytest.fixture
def at_comment(session, sara) -> Application:
    application = applications.receive(
        session, sara, service="boendestod", received_on=date(2026, 2, 27),
        now=NOW - timedelta(days=1),
    )  # fmt: skip
    applications.move(
        session, sara, application, "comment", answer_by=date(2026, 3, 16),
        now=NOW - timedelta(days=1),
    )  # fmt: skip
    session.commit()
    return application


def test_a_text_can_be_recorded_as_the_clients_comment(session, as_caseworker, sara, at_comment):
    inbound = receive_text(session, sara, "Jag vill ha hjälp på kvällar också.")
    page = as_caseworker.get(f"/admin/inbox/{inbound.id}").get_data(as_text=True)
    assert MARK in page.replace("&#39;", "'")
    response = post(
        as_caseworker,
        f"/admin/inbox/{inbound.id}/comment",
        {"application_id": str(at_comment.id)},
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Application, at_comment.id).comment_received_on == date(2026, 3, 2)
    reminder = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == "application_comment_reminder")
    ).one()
    assert reminder.status == OutboxStatus.CANCELLED
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "application_commented")
    ).one()
    assert (event.subject_id, event.detail) == (at_comment.id, f"inbound:{inbound.id}")
    after = as_caseworker.get(f"/admin/inbox/{inbound.id}").get_data(as_text=True)
    assert MARK not in after.replace("&#39;", "'")  # recorded: no longer offered


def test_no_offer_without_an_application_waiting_for_a_comment(session, as_caseworker, sara):
    inbound = receive_text(session, sara, "Hej")
    page = as_caseworker.get(f"/admin/inbox/{inbound.id}").get_data(as_text=True)
    assert MARK not in page.replace("&#39;", "'")


def test_another_clients_application_is_not_found(
    session, as_caseworker, sara, someone_elses, at_comment
):
    theirs = applications.receive(
        session, someone_elses, service="boendestod", received_on=date(2026, 2, 27), now=NOW
    )
    session.commit()
    inbound = receive_text(session, sara, "Hej")
    for application_id in (str(theirs.id), "x", ""):
        response = post(
            as_caseworker, f"/admin/inbox/{inbound.id}/comment", {"application_id": application_id}
        )
        assert response.status_code == 404
    session.expire_all()
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.action == "application_commented")).all()
        == []
    )
