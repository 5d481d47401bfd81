"""Checklist pages for papers and money: send a paper back with a reason, give more time,
ask for documents every month and stop it; every action audited, every mistake shown in
the staff language, never a 500."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import checklist_series, checklists
from app.models import AuditEvent, Checklist, OutboxMessage, OutboxStatus
from tests.admin.conftest import post

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
DUE = date(2026, 3, 9)

pytestmark = pytest.mark.frozen_at(NOW)


def ask(session, client, **values) -> Checklist:
    created = checklists.create(
        session,
        client,
        application_type="ekonomiskt_bistand",
        due_date=DUE,
        documents=["hyresavi", "kontoutdrag"],
        now=NOW,
        **values,
    )
    session.commit()
    return created


def pending(session, kind: str) -> list[OutboxMessage]:
    session.expire_all()
    return list(
        session.exec(
            select(OutboxMessage).where(
                OutboxMessage.kind == kind, OutboxMessage.status == OutboxStatus.PENDING
            )
        )
    )


def audited(session, action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action)
    return list(session.exec(query.order_by(AuditEvent.id)))  # in the order made


def flashes(web) -> list[str]:
    with web.session_transaction() as stored:
        return [text for _category, text in stored.get("_flashes", [])]


def test_a_received_paper_is_sent_back_with_a_reason(session, as_caseworker, sara):
    created = ask(session, sara)
    checklists.receive(session, created, "hyresavi", now=NOW)
    session.commit()
    page = as_caseworker.get(f"/admin/checklists/{created.id}").get_data(as_text=True)
    assert "Send a document back" in page and "A page is missing." in page
    response = post(
        as_caseworker,
        f"/admin/checklists/{created.id}/send-back",
        {"sent_back": "hyresavi", "problem": "page_missing"},
    )
    assert response.status_code == 302
    assert flashes(as_caseworker) == [
        "Rent invoice is on the list of missing documents again. The client is told why."
    ]
    assert len(pending(session, "document_unclear")) == 1
    (event,) = audited(session, "document_sent_back")
    assert event.detail == "hyresavi: page_missing"
    page = as_caseworker.get(f"/admin/checklists/{created.id}").get_data(as_text=True)
    assert "Sent back" in page and "A page is missing." in page


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"sent_back": "kontoutdrag", "problem": "page_missing"}, "field-sent_back"),  # not in
        ({"sent_back": "hyresavi", "problem": "ugly"}, "field-problem"),
        ({"sent_back": "hyresavi"}, "field-problem"),
    ],
)
def test_a_wrong_send_back_shows_the_error_and_sends_nothing(
    session, as_caseworker, sara, form, field
):
    created = ask(session, sara)
    checklists.receive(session, created, "hyresavi", now=NOW)
    session.commit()
    response = post(as_caseworker, f"/admin/checklists/{created.id}/send-back", form)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Choose one of the options." in page and f'href="#{field}"' in page
    assert pending(session, "document_unclear") == []


def test_more_time_moves_the_due_date_and_tells_the_client(session, as_caseworker, sara):
    created = ask(session, sara)
    response = post(
        as_caseworker, f"/admin/checklists/{created.id}/due-date", {"due_date": "2026-03-20"}
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Checklist, created.id).due_date == date(2026, 3, 20)
    assert len(pending(session, "checklist_due_moved")) == 1
    assert [m.due_at.date() for m in pending(session, "checklist_overdue")] == [date(2026, 3, 23)]
    assert flashes(as_caseworker) == ["The new due date is saved. The client is told it now."]
    assert audited(session, "checklist_due_date_moved")[0].detail == "2026-03-20"


@pytest.mark.parametrize(
    ("due_date", "error"),
    [
        ("2026-03-01", "The due date must be today or later."),
        ("soon", "Give a date like 2026-03-04."),
        ("", "Give a date like 2026-03-04."),
    ],
)
def test_a_wrong_new_date_shows_the_error(session, as_caseworker, sara, due_date, error):
    created = ask(session, sara)
    response = post(
        as_caseworker, f"/admin/checklists/{created.id}/due-date", {"due_date": due_date}
    )
    assert response.status_code == 200
    assert error in response.get_data(as_text=True)
    assert pending(session, "checklist_due_moved") == []


def test_the_same_date_again_sends_nothing(session, as_caseworker, sara):
    created = ask(session, sara)
    post(as_caseworker, f"/admin/checklists/{created.id}/due-date", {"due_date": "2026-03-09"})
    assert flashes(as_caseworker) == ["That is the due date already. Nothing was sent."]
    assert pending(session, "checklist_due_moved") == []


def test_a_monthly_application_is_made_and_stopped(session, as_caseworker, sara):
    form = {
        "application_type": "ekonomiskt_bistand",
        "due_date": "2026-03-09",
        "documents": ["hyresavi", "kontoutdrag"],
        "repeat_monthly_day": "31",
    }
    response = post(as_caseworker, f"/admin/clients/{sara.id}/checklists/new", form)
    assert response.status_code == 302
    created = session.exec(select(Checklist)).one()
    assert (created.repeat_monthly_day, created.series_id) == (31, created.id)
    assert "A new list goes out every month, 14 days before day 31." in flashes(as_caseworker)[0]
    checklist_series.create_due_months(session, datetime(2026, 4, 16, 7, 0, tzinfo=UTC))
    april = checklist_series.months(session, created)[-1]
    page = as_caseworker.get(f"/admin/checklists/{april.id}").get_data(as_text=True)
    assert "Monthly application" in page and f"/admin/checklists/{created.id}" in page
    assert "Due on day 31 of each month (the last day in a shorter month)." in page
    post(as_caseworker, f"/admin/checklists/{april.id}/stop-repeating")
    session.expire_all()
    assert session.get(Checklist, created.id).repeat_stopped_at == NOW
    assert audited(session, "checklist_series_stopped")[0].subject_id == created.id
    page = as_caseworker.get(f"/admin/checklists/{april.id}").get_data(as_text=True)
    assert "Stop the monthly lists" not in page and "No new lists are made." in page


@pytest.mark.parametrize("day", ["0", "32", "x"])
def test_a_wrong_monthly_day_shows_the_error_and_saves_nothing(session, as_caseworker, sara, day):
    form = {
        "application_type": "ekonomiskt_bistand",
        "due_date": "2026-03-09",
        "documents": ["hyresavi"],
        "repeat_monthly_day": day,
    }
    response = post(as_caseworker, f"/admin/clients/{sara.id}/checklists/new", form)
    assert response.status_code == 200
    assert "Give a whole number from 1 to 31." in response.get_data(as_text=True)
    assert session.exec(select(Checklist)).all() == []


def test_a_list_that_does_not_repeat_cannot_be_stopped(session, as_caseworker, sara):
    created = ask(session, sara)
    response = post(as_caseworker, f"/admin/checklists/{created.id}/stop-repeating")
    assert response.status_code == 302
    assert flashes(as_caseworker) == ["This list does not repeat."]


def test_another_case_workers_checklist_is_not_found(session, as_caseworker, someone_elses):
    created = ask(session, someone_elses)
    for url in ("send-back", "due-date", "stop-repeating"):
        assert post(as_caseworker, f"/admin/checklists/{created.id}/{url}").status_code == 404


def test_the_page_says_when_a_list_is_overdue(session, as_caseworker, sara):
    late = checklists.create(
        session, sara, application_type="ekonomiskt_bistand", due_date=date(2026, 2, 27),
        now=NOW - timedelta(days=10),
    )  # fmt: skip
    session.commit()
    page = as_caseworker.get(f"/admin/checklists/{late.id}").get_data(as_text=True)
    assert "(overdue)" in page and "Give more time" in page
    on_time = as_caseworker.get(f"/admin/checklists/{ask(session, sara).id}")
    assert "(overdue)" not in on_time.get_data(as_text=True)


def test_a_complete_list_can_have_a_document_sent_back(session, as_caseworker, sara):
    created = ask(session, sara)
    for document in ("hyresavi", "kontoutdrag"):
        checklists.receive(session, created, document, now=NOW)
    session.commit()
    page = as_caseworker.get(f"/admin/checklists/{created.id}").get_data(as_text=True)
    assert "Send a document back" in page and "Give more time" not in page
    form = {"sent_back": "kontoutdrag", "problem": "wrong_person"}
    assert post(as_caseworker, f"/admin/checklists/{created.id}/send-back", form).status_code == 302
    session.expire_all()
    assert session.get(Checklist, created.id).status == "open"
