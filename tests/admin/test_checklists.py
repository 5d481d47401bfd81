"""Checklist pages: ask a client for documents, tick what arrived, withdraw a list; only for
the client's own case worker, every action audited."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from app.casework import checklists
from app.models import (
    AuditEvent,
    Checklist,
    ChecklistItem,
    ChecklistStatus,
    OutboxMessage,
    OutboxStatus,
)
from tests.admin.conftest import post

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
DUE = date(2026, 3, 9)

pytestmark = pytest.mark.frozen_at(NOW)


def ask(session, client, documents=("hyresavi", "kontoutdrag")) -> Checklist:
    created = checklists.create(
        session,
        client,
        application_type="ekonomiskt_bistand",
        due_date=DUE,
        documents=list(documents),
        now=NOW,
    )
    session.commit()
    return created


def messages(session, kind: str, status: str | None = OutboxStatus.PENDING) -> list:
    session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.kind == kind)
    if status:
        query = query.where(OutboxMessage.status == status)
    return list(session.exec(query.order_by(OutboxMessage.due_at)))


def audited(session, action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action)
    return list(session.exec(query.order_by(AuditEvent.id)))  # in the order made


def flashes(web) -> list[str]:
    with web.session_transaction() as stored:
        return [text for _category, text in stored.get("_flashes", [])]


def received(session, checklist: Checklist) -> dict[str, datetime | None]:
    session.expire_all()
    return {i.document_type: i.received_at for i in checklists.items(session, checklist)}


def test_the_first_step_lists_the_application_types(as_caseworker, sara):
    page = as_caseworker.get(f"/admin/clients/{sara.id}/checklists/new")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"/admin/clients/{sara.id}/checklists/new?application_type=lss_application" in html


def test_the_second_step_ticks_the_documents_the_application_needs(as_caseworker, sara):
    url = f"/admin/clients/{sara.id}/checklists/new?application_type=lss_application"
    html = as_caseworker.get(url).get_data(as_text=True)
    ticked = [
        key for key in ("lakarintyg", "id_handling", "hyresavi") if f'value="{key}" checked' in html
    ]
    assert ticked == ["lakarintyg", "id_handling"]
    assert 'name="due_date"' in html


def test_creating_a_checklist_sends_the_list_plans_reminders_and_is_audited(
    session, as_caseworker, sara, caseworker
):
    form = {
        "application_type": "lss_application",
        "due_date": "2026-03-09",
        "documents": ["id_handling", "lakarintyg"],
    }
    response = post(as_caseworker, f"/admin/clients/{sara.id}/checklists/new", form)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/clients/{sara.id}"
    created = session.exec(select(Checklist)).one()
    assert (created.application_type, created.due_date, created.staff_id) == (
        "lss_application",
        DUE,
        caseworker.id,
    )
    assert list(received(session, created)) == ["id_handling", "lakarintyg"]
    (request,) = messages(session, "checklist_request")
    assert request.subject_id == created.id and request.due_at == NOW
    assert len(messages(session, "checklist_reminder")) == 2
    (event,) = audited(session, "checklist_created")
    assert (event.client_id, event.subject_type, event.subject_id) == (
        sara.id,
        "checklist",
        created.id,
    )
    assert flashes(as_caseworker) == [
        "The list of documents goes to the client now. "
        "2 reminders: Fri 6 Mar 09:00, Sun 8 Mar 09:00."
    ]


@pytest.mark.parametrize(
    ("due_date", "documents", "error"),
    [
        ("2026-03-01", ["hyresavi"], "The due date must be today or later."),
        ("next week", ["hyresavi"], "Give a date like 2026-03-04."),
        ("2026-03-09", [], "Ask for at least one document."),
    ],
)
def test_a_bad_checklist_shows_its_error_and_saves_nothing(
    session, as_caseworker, sara, due_date, documents, error
):
    form = {"application_type": "lss_application", "due_date": due_date, "documents": documents}
    response = post(as_caseworker, f"/admin/clients/{sara.id}/checklists/new", form)
    assert response.status_code == 200
    assert error in response.get_data(as_text=True)
    assert session.exec(select(Checklist)).all() == []
    assert session.exec(select(OutboxMessage)).all() == []
    assert audited(session, "checklist_created") == []


def test_the_checklist_page_shows_each_document_and_the_messages(session, as_caseworker, sara):
    created = ask(session, sara)
    page = as_caseworker.get(f"/admin/checklists/{created.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<th scope="row">rent invoice</th>' in html
    assert '<th scope="row">bank statement</th>' in html
    assert html.count("Not yet") == 2
    assert "Documents asked for" in html  # the request in the messages table
    assert "Documents reminder" in html
    assert 'name="received" type="checkbox" value="kontoutdrag"' in html


def test_ticking_a_document_marks_it_received_and_plans_a_thank_you(session, as_caseworker, sara):
    created = ask(session, sara)
    url = f"/admin/checklists/{created.id}/received"
    response = post(as_caseworker, url, {"received": ["hyresavi"]})

    assert response.status_code == 302
    assert received(session, created) == {"hyresavi": NOW, "kontoutdrag": None}
    (thanks,) = messages(session, "documents_received")
    assert thanks.subject_id == created.id
    assert len(messages(session, "checklist_reminder")) == 2  # kontoutdrag is still missing
    session.expire_all()
    assert session.get(Checklist, created.id).status == ChecklistStatus.OPEN
    (event,) = audited(session, "documents_ticked")
    assert (event.subject_id, event.detail) == (created.id, "hyresavi")
    assert flashes(as_caseworker) == ["1 document ticked as received. The client gets a thank-you."]
    page = as_caseworker.get(f"/admin/checklists/{created.id}").get_data(as_text=True)
    assert "Yes, Mon 2 Mar 09:00" in page and page.count("Not yet") == 1
    ticking = page[page.index("Tick what has come in") : page.index("Send a document back")]
    assert 'value="hyresavi"' not in ticking  # only what is missing can be ticked
    assert 'value="kontoutdrag"' in ticking


def test_ticking_every_document_completes_the_list(session, as_caseworker, sara):
    created = ask(session, sara)
    url = f"/admin/checklists/{created.id}/received"
    post(as_caseworker, url, {"received": ["hyresavi", "kontoutdrag"]})

    session.expire_all()
    assert session.get(Checklist, created.id).status == ChecklistStatus.COMPLETE
    assert len(messages(session, "checklist_complete")) == 1
    assert messages(session, "checklist_reminder") == []
    assert flashes(as_caseworker) == [
        "Every document is in. The client is told the list is complete."
    ]


def test_ticking_nothing_or_an_unknown_document_shows_an_error_and_saves_nothing(
    session, as_caseworker, sara
):
    created = ask(session, sara)
    url = f"/admin/checklists/{created.id}/received"
    empty = post(as_caseworker, url, {})
    assert empty.status_code == 200
    assert "Tick the documents that have come in." in empty.get_data(as_text=True)
    unknown = post(as_caseworker, url, {"received": ["hyresavi", "pass"]})
    assert unknown.status_code == 200
    assert "Choose among the options." in unknown.get_data(as_text=True)
    assert set(received(session, created).values()) == {None}
    assert messages(session, "documents_received", status=None) == []
    assert audited(session, "documents_ticked") == []


def test_withdrawing_asks_first_then_stops_the_reminders(session, as_caseworker, sara):
    created = ask(session, sara)
    confirm = as_caseworker.get(f"/admin/checklists/{created.id}/cancel")
    assert "Yes, withdraw the list" in confirm.get_data(as_text=True)
    assert session.get(Checklist, created.id).status == ChecklistStatus.OPEN

    response = post(as_caseworker, f"/admin/checklists/{created.id}/cancel")

    assert response.status_code == 302
    session.expire_all()
    assert session.get(Checklist, created.id).status == ChecklistStatus.CANCELLED
    assert messages(session, "checklist_reminder") == []
    assert len(messages(session, "checklist_reminder", OutboxStatus.CANCELLED)) == 2
    (event,) = audited(session, "checklist_cancelled")
    assert (event.client_id, event.subject_id) == (sara.id, created.id)


def test_a_complete_list_is_not_withdrawn(session, as_caseworker, sara):
    created = ask(session, sara, documents=["hyresavi"])
    checklists.receive(session, created, "hyresavi")
    session.commit()
    post(as_caseworker, f"/admin/checklists/{created.id}/cancel")
    session.expire_all()
    assert session.get(Checklist, created.id).status == ChecklistStatus.COMPLETE
    assert audited(session, "checklist_cancelled") == []


def test_someone_elses_client_is_not_found_on_any_checklist_page(
    session, as_caseworker, someone_elses
):
    new = f"/admin/clients/{someone_elses.id}/checklists/new"
    assert as_caseworker.get(new).status_code == 404
    form = {"application_type": "lss_application", "due_date": "2026-03-09"}
    assert post(as_caseworker, new, form | {"documents": ["lakarintyg"]}).status_code == 404

    theirs = ask(session, someone_elses)
    assert as_caseworker.get(f"/admin/checklists/{theirs.id}").status_code == 404
    received_url = f"/admin/checklists/{theirs.id}/received"
    assert post(as_caseworker, received_url, {"received": ["hyresavi"]}).status_code == 404
    assert as_caseworker.get(f"/admin/checklists/{theirs.id}/cancel").status_code == 404
    assert post(as_caseworker, f"/admin/checklists/{theirs.id}/cancel").status_code == 404

    assert len(session.exec(select(Checklist)).all()) == 1
    assert session.exec(select(ChecklistItem.received_at)).all() == [None, None]
    assert session.get(Checklist, theirs.id).status == ChecklistStatus.OPEN
    assert audited(session, "client_viewed") == []


def test_an_unknown_checklist_is_not_found(as_caseworker):
    assert as_caseworker.get("/admin/checklists/999").status_code == 404
