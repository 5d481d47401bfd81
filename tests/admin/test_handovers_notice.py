"""The handover form: staff confirm that the new contact has the client's papers (only then
do notices say so), and see when the client is told."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.models import Handover
from tests.admin.conftest import post
from tests.admin.test_handovers import handover_form

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
URL = "/admin/handovers/new"
pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture(autouse=True)
def client_page(app):
    """The client page is another area's; a stand-in where it is not there yet."""
    if "admin.client" not in app.view_functions:
        app.add_url_rule(
            "/admin/clients/<int:client_id>", "admin.client", lambda client_id: "client page"
        )


def saved(session) -> Handover:
    session.expire_all()
    (handover,) = session.exec(select(Handover))
    return handover


def test_the_form_asks_staff_to_confirm_the_papers_and_explains_why(as_caseworker, unit):
    html = as_caseworker.get(URL).get_data(as_text=True)
    assert 'type="checkbox" value="1"' in html and 'name="file_passed_on"' in html
    assert "The new contact has all the client's papers" in html
    assert "Only then does the notice say they need not start over." in html
    assert "Clients are told 7 days before the first day" in html


def test_a_confirmed_handover_is_saved_as_confirmed(as_caseworker, session, sara, colleague):
    form = handover_form([sara], colleague, file_passed_on="1", starts_on="2026-03-16")
    post(as_caseworker, URL, form)
    assert saved(session).file_passed_on is True
    page = as_caseworker.get(f"/admin/clients/{sara.id}").get_data(as_text=True)
    assert "the papers are passed on" in page


def test_without_the_tick_the_papers_are_not_promised(as_caseworker, session, sara, colleague):
    post(as_caseworker, URL, handover_form([sara], colleague))
    assert saved(session).file_passed_on is False
