"""Settings, Support: administrators choose which kinds of support the unit offers, with
who, phone, where, when and a web link; errors are shown in the staff language."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.models import AuditEvent, SupportOffer
from tests.admin.conftest import post, sign_in
from tests.factories import create_unit, offer_support

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(NOW)


def test_settings_link_to_the_support_page(as_admin):
    html = as_admin.get("/admin/settings").get_data(as_text=True)
    assert 'href="/admin/settings/support"' in html


def test_the_list_shows_every_kind_and_what_the_unit_offers(as_admin, session, unit):
    offer_support(session, unit, "budget_debt", who="Budgetrådgivningen")
    html = as_admin.get("/admin/settings/support").get_data(as_text=True)
    assert "Support against violence in close relationships" in html
    assert "Budget and debt advice" in html and "Budgetrådgivningen" in html
    assert 'href="/admin/settings/support/violence"' in html
    assert html.index("Support against violence") < html.index("Budget and debt advice")


def test_an_administrator_offers_a_kind_of_support(as_admin, session, unit):
    form = as_admin.get("/admin/settings/support/budget_debt").get_data(as_text=True)
    assert "Någon hjälper dig att göra en plan för dina pengar" in form  # what clients read
    response = post(
        as_admin,
        "/admin/settings/support/budget_debt",
        {
            "who": "Budgetrådgivningen",
            "phone": "08-465 004 60",
            "place": "Storgatan 12, Ekby",
            "hours": "Tis och tor 13-16",
            "web": "https://ekby.example/budget",
        },
    )
    assert response.status_code == 302
    offer = session.exec(select(SupportOffer)).one()
    assert (offer.unit_id, offer.kind, offer.phone) == (unit.id, "budget_debt", "+46846500460")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "support_offer_saved")).one()
    assert event.actor_type == "staff" and event.detail == "budget_debt"
    listed = as_admin.get("/admin/settings/support").get_data(as_text=True)
    assert "Saved: Budget and debt advice." in listed


def test_wrong_details_are_shown_in_the_staff_language_and_nothing_is_saved(
    client, session, administrator
):
    sign_in(client, administrator, language="sv")
    response = post(
        client,
        "/admin/settings/support/bills",
        {"who": "Ekonomi", "phone": "inget nummer", "web": "http://ekby.example"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Skriv ett telefonnummer, till exempel 08-123 456 78." in html
    assert "Skriv en webbadress som börjar med https://." in html
    assert 'value="inget nummer"' in html  # what was typed stays
    assert session.exec(select(SupportOffer)).first() is None


def test_stop_offering(as_admin, session, unit):
    offer_support(session, unit, "bills")
    html = as_admin.get("/admin/settings/support/bills").get_data(as_text=True)
    assert 'action="/admin/settings/support/bills/remove"' in html
    assert post(as_admin, "/admin/settings/support/bills/remove").status_code == 302
    assert session.exec(select(SupportOffer)).first() is None


def test_an_unknown_kind_is_not_found(as_admin):
    assert as_admin.get("/admin/settings/support/lottery").status_code == 404
    assert (
        post(as_admin, "/admin/settings/support/lottery", {"phone": "08-465 004 60"}).status_code
        == 404
    )


def test_only_administrators(as_caseworker):
    assert as_caseworker.get("/admin/settings/support").status_code == 403
    assert as_caseworker.get("/admin/settings/support/bills").status_code == 403
    assert (
        post(as_caseworker, "/admin/settings/support/bills", {"phone": "08-465 004 60"}).status_code
        == 403
    )


def test_an_administrator_sees_and_changes_only_their_own_unit(as_admin, session, unit):
    other = create_unit(session, name="Västby kommun", phone="+46846500900")
    offer_support(session, other, "bills", who="Västby skuldrådgivning")
    assert "Västby skuldrådgivning" not in as_admin.get("/admin/settings/support").get_data(
        as_text=True
    )
    post(as_admin, "/admin/settings/support/bills/remove")
    assert session.exec(select(SupportOffer)).one().unit_id == other.id
