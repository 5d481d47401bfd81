"""Today lists checklists whose due date passed with documents missing, for the clients
the person handles, with a link to give more time."""

from datetime import UTC, date, datetime

import pytest

from app.casework import checklists
from tests.admin.test_today import section

NOW = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)  # a Wednesday
ASKED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(NOW)


def ask(session, client, due_date: date):
    created = checklists.create(
        session, client, application_type="ekonomiskt_bistand", due_date=due_date,
        documents=["hyresavi", "kontoutdrag"], now=ASKED,
    )  # fmt: skip
    session.commit()
    return created


def test_overdue_lists_are_on_today_with_a_link(as_caseworker, session, sara, someone_elses):
    late = ask(session, sara, date(2026, 3, 9))
    ask(session, sara, date(2026, 3, 11))  # due today: not late yet
    complete = ask(session, sara, date(2026, 3, 6))
    for document in ("hyresavi", "kontoutdrag"):
        checklists.receive(session, complete, document, now=ASKED)
    withdrawn = ask(session, sara, date(2026, 3, 5))
    checklists.cancel(session, withdrawn, now=ASKED)
    ask(session, someone_elses, date(2026, 3, 9))  # another case worker's client
    session.commit()
    page = as_caseworker.get("/admin/").get_data(as_text=True)
    overdue = section(page, "h-overdue")
    assert '<span class="count">1</span>' in overdue
    assert f"/admin/checklists/{late.id}" in overdue
    assert "Sara" in overdue and "Due " in overdue


def test_none_overdue_says_so(as_caseworker, session, sara):
    page = as_caseworker.get("/admin/").get_data(as_text=True)
    assert "No list of documents is overdue." in section(page, "h-overdue")
