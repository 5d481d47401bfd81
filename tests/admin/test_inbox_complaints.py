"""Complaints and requests for another case worker on the admin pages: the unit's managers
see them ("Complaints and requests"), the client's case worker never does, unless a
manager passes one on (issue 17)."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.casework import staff_messages
from app.models import AuditEvent, InboundMessage, OutboxMessage, StaffUser
from tests.admin.conftest import post, sign_in
from tests.factories import create_client
from tests.signing import post_signed

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 09.00 in Stockholm
SARA = "+46700000001"
COMPLAINT = "Lina lyssnar aldrig på mig"
_sid = iter(range(1, 10**9))

pytestmark = pytest.mark.frozen_at(NOW)


def text(web, body: str) -> None:
    params = {"MessageSid": f"SM{next(_sid):032d}", "AccountSid": "AC1", "From": SARA,
              "To": "+46846500400", "Body": body, "NumMedia": "0"}  # fmt: skip
    response = post_signed(web, "/twilio/sms", params)
    assert response.status_code == 200
    ET.fromstring(response.data)


@pytest.fixture
def sara(session, caseworker):
    return create_client(session, staff=caseworker, phone=SARA)


@pytest.fixture
def complaint(client, session, sara) -> InboundMessage:
    text(client, "7")
    text(client, COMPLAINT)
    text(client, "8")
    session.expire_all()
    return session.exec(select(InboundMessage).where(InboundMessage.intent == "complaint")).one()


def pages(web, client_id: int) -> dict[str, str]:
    return {
        url: web.get(url).get_data(as_text=True)
        for url in (
            "/admin/",
            "/admin/inbox",
            "/admin/inbox?state=all",
            "/admin/inbox?state=handled",
            f"/admin/clients/{client_id}",
            f"/admin/simulator?client_id={client_id}",  # the console transport's phone
        )
    }


def test_the_case_worker_never_sees_the_complaint_nor_that_the_client_asked(
    client, session, caseworker, sara, complaint
):
    sign_in(client, caseworker)
    for url, page in pages(client, sara.id).items():
        assert COMPLAINT not in page, url
        assert "Asked how to complain" not in page, url
        assert "another case worker" not in page, url
        assert "Complaints and requests" not in page, url
    assert client.get(f"/admin/inbox/{complaint.id}").status_code == 404
    assert post(client, f"/admin/inbox/{complaint.id}/handled").status_code == 404
    assert post(client, f"/admin/inbox/{complaint.id}/pass-on").status_code == 404
    assert client.get("/admin/inbox?state=managers").status_code == 200  # a plain inbox


def test_an_administrator_sees_complaints_and_requests_on_today_with_what_each_is(
    client, session, administrator, sara, complaint
):
    sign_in(client, administrator)
    today = client.get("/admin/").get_data(as_text=True)
    assert "Complaints and requests" in today
    assert COMPLAINT in today and "Sara Lind" in today
    assert "Complaint or feedback" in today
    assert "Asks for another case worker" in today
    managers = client.get("/admin/inbox?state=managers").get_data(as_text=True)
    assert COMPLAINT in managers and "Asks for another case worker" in managers
    assert client.get(f"/admin/inbox/{complaint.id}").status_code == 200


def test_a_named_manager_sees_them_for_every_client_of_the_unit(
    client, session, colleague, sara, complaint
):
    sign_in(client, colleague)  # Omar is not Sara's case worker
    assert COMPLAINT not in client.get("/admin/").get_data(as_text=True)
    client.get("/admin/logout")
    session.get(StaffUser, colleague.id).manager = True
    session.commit()
    sign_in(client, colleague)
    assert COMPLAINT in client.get("/admin/").get_data(as_text=True)
    assert client.get(f"/admin/inbox/{complaint.id}").status_code == 200
    # Still not Sara's case worker: her page stays closed to him.
    assert client.get(f"/admin/clients/{sara.id}").status_code == 404


def test_a_manager_passes_a_complaint_on_to_the_case_worker_audited(
    client, session, administrator, caseworker, sara, complaint
):
    sign_in(client, administrator)
    response = post(client, f"/admin/inbox/{complaint.id}/pass-on")
    assert response.status_code == 302
    session.expire_all()
    passed = session.get(InboundMessage, complaint.id)
    assert not passed.for_managers and passed.assigned_staff_id == caseworker.id
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "complaint_passed_on")).one()
    assert event.actor_id == administrator.id and event.subject_id == complaint.id
    client.get("/admin/logout")
    sign_in(client, caseworker)
    assert COMPLAINT in client.get("/admin/").get_data(as_text=True)
    assert client.get(f"/admin/inbox/{complaint.id}").status_code == 200


def test_a_managers_answer_is_not_on_the_case_workers_client_page(
    client, session, administrator, caseworker, sara, complaint
):
    staff_messages.send(
        session, sara, text="Jag ringer dig i morgon om Lina.", author=administrator,
        in_reply_to=complaint,
    )  # fmt: skip
    session.commit()
    sign_in(client, caseworker)
    page = client.get(f"/admin/clients/{sara.id}").get_data(as_text=True)
    assert "Jag ringer dig i morgon" not in page
    answer = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "staff_message")).one()
    listed = client.get(f"/admin/outbox?client_id={sara.id}").get_data(as_text=True)
    assert f"/admin/outbox/{answer.id}/" not in listed  # nor in the outbox, nor acted on
    assert post(client, f"/admin/outbox/{answer.id}/cancel").status_code == 404
    client.get("/admin/logout")
    sign_in(client, administrator)
    page = client.get(f"/admin/clients/{sara.id}").get_data(as_text=True)
    assert COMPLAINT in page


def test_an_administrator_names_a_manager_on_the_staff_page_audited(
    client, session, administrator, colleague
):
    sign_in(client, administrator)
    form = client.get(f"/admin/staff/{colleague.id}/edit").get_data(as_text=True)
    assert 'name="manager"' in form
    response = post(
        client,
        f"/admin/staff/{colleague.id}/edit",
        {"name": colleague.name, "email": colleague.email, "phone": "070-174 06 06",
         "role": "caseworker", "active": "1", "manager": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    session.expire_all()
    assert session.get(StaffUser, colleague.id).manager
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "staff_changed")).one()
    assert "manager" in event.detail
    listing = client.get("/admin/staff").get_data(as_text=True)
    assert "Manager" in listing
