"""Closing a client on their page: the case worker or an administrator, after ticking that
they mean it; a closed client leaves the lists and Today, and a "closed" list shows them."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import AuditEvent, CallbackRequest, Client
from tests.admin.conftest import post
from tests.factories import book_appointment, receive_text

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


def stored(session, client) -> Client:
    session.expire_all()
    return session.get(Client, client.id)


def test_the_case_worker_closes_after_ticking_the_box(session, as_caseworker, caseworker, sara):
    page = as_caseworker.get(f"/admin/clients/{sara.id}").get_data(as_text=True)
    assert "Close as client" in page
    refused = post(as_caseworker, f"/admin/clients/{sara.id}/close", follow_redirects=True)
    assert "Tick the box" in refused.get_data(as_text=True)
    assert stored(session, sara).closed_at is None
    done = post(as_caseworker, f"/admin/clients/{sara.id}/close", {"confirm": "yes"},
                follow_redirects=True)  # fmt: skip
    html = done.get_data(as_text=True)
    assert "The client is closed." in html and "No longer a client" in html
    assert "Close as client" not in html and "Plan a meeting" not in html
    assert (stored(session, sara).closed_at, stored(session, sara).closed_by) == (
        NOW,
        caseworker.name,
    )
    deleted_on = (NOW + timedelta(days=730)).strftime("%Y")
    assert deleted_on in html  # when everything about them goes


def test_another_case_workers_client_cannot_be_closed(session, as_caseworker, someone_elses):
    response = post(as_caseworker, f"/admin/clients/{someone_elses.id}/close", {"confirm": "yes"})
    assert response.status_code == 404
    assert stored(session, someone_elses).closed_at is None


def test_a_closed_client_leaves_the_list_and_today_and_the_closed_list_shows_them(
    session, as_admin, sara, amal
):
    receive_text(session, sara, "Hej, kan du ringa mig?")
    assert "Hej, kan du ringa mig?" in as_admin.get("/admin/").get_data(as_text=True)
    seen = {"confirm": "yes", "confirm_open": "yes", "open_seen": "1"}  # the text
    post(as_admin, f"/admin/clients/{sara.id}/close", seen)
    listed = as_admin.get("/admin/clients").get_data(as_text=True)
    assert "Amal" in listed and "Sara" not in listed
    closed = as_admin.get("/admin/clients?show=closed").get_data(as_text=True)
    assert "Sara" in closed and "Amal" not in closed
    assert "No longer a client since" in closed
    assert "Hej, kan du ringa mig?" not in as_admin.get("/admin/").get_data(as_text=True)
    # Their page is still there (for the register extract), but no form acts for them.
    assert as_admin.get(f"/admin/clients/{sara.id}").status_code == 200
    assert as_admin.get(f"/admin/clients/{sara.id}/edit").status_code == 404


def test_closing_twice_is_one_closing(session, as_admin, sara):
    post(as_admin, f"/admin/clients/{sara.id}/close", {"confirm": "yes"})
    post(as_admin, f"/admin/clients/{sara.id}/close", {"confirm": "yes"})
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "client_closed")).all()
    assert len(events) == 1


def test_a_client_closed_by_mistake_is_reopened(session, as_caseworker, sara):
    post(as_caseworker, f"/admin/clients/{sara.id}/close", {"confirm": "yes"})
    response = post(as_caseworker, f"/admin/clients/{sara.id}/reopen", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "The client is a client again." in html and "Close as client" in html
    assert stored(session, sara).closed_at is None
    assert "Sara" in as_caseworker.get("/admin/clients").get_data(as_text=True)


def test_a_recycled_number_is_registered_again_and_blocks_reopening(
    session, as_caseworker, caseworker, sara
):
    post(as_caseworker, f"/admin/clients/{sara.id}/close", {"confirm": "yes"})
    new = {
        "first_name": "Nils",
        "last_name": "Nyman",
        "phone": sara.phone,
        "language": "sv",
        "channel": "sms",
        "privacy": "full",
        "consent_method": "verbal",
    }
    post(as_caseworker, "/admin/clients/new", new)
    session.expire_all()
    holders = session.exec(select(Client).where(Client.phone == sara.phone)).all()
    assert sorted(c.first_name for c in holders) == ["Nils", "Sara"]
    response = post(as_caseworker, f"/admin/clients/{sara.id}/reopen", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Another client now has this phone number" in html
    assert stored(session, sara).closed_at == NOW


def test_what_is_still_open_is_shown_and_confirmed_before_closing(session, as_caseworker, sara):
    receive_text(session, sara, "Snälla ring mig om hyran")
    session.add(CallbackRequest(client_id=sara.id, unit_id=sara.unit_id, language="sv"))
    session.commit()
    book_appointment(session, sara, starts_at=NOW + timedelta(days=3), now=NOW)
    page = as_caseworker.get(f"/admin/clients/{sara.id}").get_data(as_text=True)
    assert "Still open" in page and "Snälla ring mig om hyran" in page
    assert "A callback asked for" in page and "A meeting" in page
    assert 'name="confirm_open"' in page
    unseen = {"confirm": "yes", "open_seen": "3"}
    refused = post(as_caseworker, f"/admin/clients/{sara.id}/close", unseen, follow_redirects=True)
    assert "Tick that you have seen what is still open" in refused.get_data(as_text=True)
    assert stored(session, sara).closed_at is None
    receive_text(session, sara, "En till", provider_id="SMnew")
    stale = {"confirm": "yes", "confirm_open": "yes", "open_seen": "3"}
    refused = post(as_caseworker, f"/admin/clients/{sara.id}/close", stale, follow_redirects=True)
    assert "Something more came in" in refused.get_data(as_text=True)
    assert stored(session, sara).closed_at is None
    seen = stale | {"open_seen": "4"}
    post(as_caseworker, f"/admin/clients/{sara.id}/close", seen)
    assert stored(session, sara).closed_at == NOW


def test_a_closed_clients_callback_stays_on_today_until_called(session, as_caseworker, sara):
    callback = CallbackRequest(client_id=sara.id, unit_id=sara.unit_id, language="sv")
    session.add(callback)
    session.commit()
    post(as_caseworker, f"/admin/clients/{sara.id}/close",
         {"confirm": "yes", "confirm_open": "yes", "open_seen": "1"})  # fmt: skip
    assert stored(session, sara).closed_at == NOW
    today = as_caseworker.get("/admin/").get_data(as_text=True)
    assert "Sara Lind" in today and "no longer a client" in today
    done = post(as_caseworker, f"/admin/callbacks/{callback.id}/handled")
    assert done.status_code == 302
    session.expire_all()
    assert session.get(CallbackRequest, callback.id).handled_at is not None
    assert "Sara Lind" not in as_caseworker.get("/admin/").get_data(as_text=True)
