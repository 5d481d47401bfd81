"""Outbox: searching by client, kind, state and dates, reading a message's text (for staff
who may see the client), sending a failed message again and stopping a planned one."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import AuditEvent, OutboxMessage, StaffMessage
from tests.admin.conftest import post
from tests.factories import book_appointment, receive_text

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday

pytestmark = pytest.mark.frozen_at(NOW)


def test_the_outbox_filters_by_state(as_caseworker, session, sara):
    book_appointment(session, sara, starts_at=NOW + timedelta(days=5), now=NOW)
    session.add(OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key="w", due_at=NOW,
                              status="failed", final_at=NOW))  # fmt: skip
    session.commit()
    pending = as_caseworker.get("/admin/outbox?status=pending").get_data(as_text=True)
    assert "Meeting reminder" in pending and "Welcome" not in pending.split("<table")[1]
    failed = as_caseworker.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "Welcome" in failed.split("<table")[1]


def test_a_failed_message_is_sent_again_and_a_planned_one_stopped(as_caseworker, session, sara):
    failed = OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key="w", due_at=NOW,
                           status="failed", final_at=NOW, provider_id="S", attempts=5)  # fmt: skip
    planned = OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key="w2",
                            due_at=NOW + timedelta(days=1))  # fmt: skip
    session.add_all([failed, planned])
    session.commit()
    post(as_caseworker, f"/admin/outbox/{failed.id}/retry")
    post(as_caseworker, f"/admin/outbox/{planned.id}/cancel")
    session.expire_all()
    again = session.get(OutboxMessage, failed.id)
    assert (again.status, again.attempts, again.provider_id) == ("pending", 0, None)
    assert session.get(OutboxMessage, planned.id).status == "cancelled"
    # a delivered message cannot be "sent again"
    post(as_caseworker, f"/admin/outbox/{planned.id}/retry")
    assert session.get(OutboxMessage, planned.id).status == "cancelled"


def sent(session, client, kind: str, at: datetime, body: str = "Hej", **values) -> OutboxMessage:
    """A message that went out at `at`, with its text."""
    values = dict(kind=kind, client_id=client.id, dedupe_key=f"{kind}:{client.id}:{at}", due_at=at,
                  sent_at=at, status="delivered", final_at=at, body=body) | values  # fmt: skip
    message = OutboxMessage(**values)
    session.add(message)
    session.commit()
    return message


def table(page: str) -> str:
    return page.split("<table", 1)[1].split("</table>", 1)[0] if "<table" in page else ""


def test_the_outbox_is_searched_by_a_clients_name_or_number(as_caseworker, session, sara, amal):
    sent(session, sara, "welcome", NOW - timedelta(days=1))
    sent(session, amal, "welcome", NOW - timedelta(days=1))
    by_name = table(as_caseworker.get("/admin/outbox?q=ama").get_data(as_text=True))
    assert "Amal" in by_name and "Sara" not in by_name
    by_number = table(as_caseworker.get("/admin/outbox?q=070-000 00 01").get_data(as_text=True))
    assert "Sara" in by_number and "Amal" not in by_number


def test_the_outbox_is_searched_by_kind_status_and_dates(as_caseworker, session, sara):
    sent(session, sara, "welcome", datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    sent(session, sara, "checklist_request", datetime(2026, 3, 3, 23, 30, tzinfo=UTC))  # 4 March
    sent(session, sara, "staff_message", datetime(2026, 3, 4, 8, 0, tzinfo=UTC), status="failed")
    page = table(
        as_caseworker.get("/admin/outbox?from=2026-03-02&to=2026-03-04").get_data(as_text=True)
    )
    assert "Documents asked for" in page and "Message from staff" in page and "Welcome" not in page
    # the day is the unit's: 23.30 UTC on 3 March is 00.30 on 4 March in Stockholm
    only_4th = table(
        as_caseworker.get("/admin/outbox?from=2026-03-04&to=2026-03-04").get_data(as_text=True)
    )
    assert "Documents asked for" in only_4th and "Welcome" not in only_4th
    failed = table(
        as_caseworker.get("/admin/outbox?status=failed&kind=staff_message").get_data(as_text=True)
    )
    assert "Message from staff" in failed and "Documents asked for" not in failed


def test_a_wrong_date_is_said_in_the_staff_language_and_never_a_500(
    client, session, caseworker, sara
):
    from tests.admin.conftest import sign_in

    sign_in(client, caseworker, language="sv")
    sent(session, sara, "welcome", NOW - timedelta(days=1))
    wrong = client.get("/admin/outbox?from=2026-02-30")
    assert wrong.status_code == 200
    page = wrong.get_data(as_text=True)
    assert "Ange ett datum, till exempel 2026-03-04." in page
    assert 'aria-invalid="true"' in page and "Välkommen" in table(page)  # the rest still shows
    backwards = client.get("/admin/outbox?from=2026-03-04&to=2026-03-01").get_data(as_text=True)
    assert "Sista dagen är före den första." in backwards


def test_an_empty_search_says_so_and_offers_to_clear_it(as_caseworker, session, sara):
    sent(session, sara, "welcome", NOW - timedelta(days=1))
    page = as_caseworker.get("/admin/outbox?q=Zlatan").get_data(as_text=True)
    assert "No message matches." in page and 'href="/admin/outbox"' in page.split("<main")[1]


def test_pages_of_results_keep_the_search(as_caseworker, session, sara):
    for n in range(51):
        sent(session, sara, "welcome", NOW - timedelta(hours=n + 1))
    page = as_caseworker.get("/admin/outbox?q=sara&from=2026-02-01").get_data(as_text=True)
    assert "51 messages" in page
    next_page = page.split('aria-label="Pages"')[1].split("</nav>")[0]
    assert "page=2" in next_page and "q=sara" in next_page and "from=2026-02-01" in next_page
    second = as_caseworker.get("/admin/outbox?q=sara&from=2026-02-01&page=2").get_data(as_text=True)
    assert table(second).count("<tr>") == 2  # the header and one message


def test_staff_who_may_see_the_client_read_a_message_and_the_view_is_audited(
    as_caseworker, session, sara
):
    message = sent(session, sara, "decision_refused", NOW - timedelta(hours=2),
                   body="Du får inte hemtjänst. Du kan överklaga.")  # fmt: skip
    listing = as_caseworker.get("/admin/outbox").get_data(as_text=True)
    assert f'href="/admin/outbox/{message.id}"' in listing
    assert "Du får inte hemtjänst" not in listing  # texts are opened one by one
    page = as_caseworker.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert "Du får inte hemtjänst. Du kan överklaga." in page and "Decision: refused" in page
    viewed = session.exec(select(AuditEvent).where(AuditEvent.action == "client_viewed"))
    assert any("admin.outbox_message" in e.detail for e in viewed)


def test_nobody_else_reads_a_clients_messages(client, session, colleague, caseworker, sara):
    from tests.admin.conftest import sign_in

    message = sent(session, sara, "decision_refused", NOW - timedelta(hours=2), body="Avslag")
    sign_in(client, colleague)
    assert client.get(f"/admin/outbox/{message.id}").status_code == 404
    assert "Sara" not in table(client.get("/admin/outbox?q=sara").get_data(as_text=True))


def test_a_managers_answer_to_a_complaint_stays_with_the_managers(
    as_caseworker, session, sara, administrator
):
    complaint = receive_text(session, sara, "Jag vill klaga", for_managers=True)
    answer = StaffMessage(client_id=sara.id, staff_id=administrator.id, text="Vi hör av oss",
                          in_reply_to_id=complaint.id)  # fmt: skip
    session.add(answer)
    session.commit()
    message = sent(session, sara, "staff_message", NOW - timedelta(hours=1), body="Vi hör av oss",
                   subject_type="staff_message", subject_id=answer.id)  # fmt: skip
    assert as_caseworker.get(f"/admin/outbox/{message.id}").status_code == 404


def test_a_planned_message_has_no_text_yet(as_caseworker, session, sara):
    planned = OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key="p",
                            due_at=NOW + timedelta(hours=3))  # fmt: skip
    session.add(planned)
    session.commit()
    page = as_caseworker.get(f"/admin/outbox/{planned.id}").get_data(as_text=True)
    assert "The text is written when the message is sent" in page
