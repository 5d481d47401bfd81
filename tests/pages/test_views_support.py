"""GET /p/<token>/support: the support the unit offers, under an overview link, with
violence support first for the client and never on a representative's page."""

from datetime import UTC, datetime

import pytest

from app.casework import pins
from app.models import LinkPurpose, LinkToken, Representative
from app.pages import links
from tests.factories import create_client, create_staff, create_unit, offer_support

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def unit(session):
    unit = create_unit(session, phone_menu_number="+46846500401")
    offer_support(
        session,
        unit,
        "budget_debt",
        who="Budgetrådgivningen",
        phone="+46846500460",
        place="Storgatan 12, Ekby",
        hours="Tis och tor 13-16",
        web="https://ekby.example/budget",
    )
    offer_support(session, unit, "violence", who="Ekby stödlinje", phone="+46846500450")
    return unit


@pytest.fixture
def sara(session, unit):
    lina = create_staff(session, unit, name="Lina Berg", phone="+46701740605")
    return create_client(session, staff=lina)


def overview_token(session, client, representative=None, purpose=LinkPurpose.OVERVIEW) -> str:
    token, row = links.issue(client, purpose, NOW)
    session.add(
        LinkToken(**(row | {"representative_id": representative.id if representative else None}))
    )
    session.commit()
    return token


def test_the_overview_links_to_the_support_page(client, session, sara):
    token = overview_token(session, sara)
    html = client.get(f"/p/{token}").data.decode()
    assert f'href="/p/{token}/support"' in html
    assert "Stöd som du kan få" in html


def test_the_support_page_lists_each_offer_in_plain_words_violence_first(client, session, sara):
    token = overview_token(session, sara)
    response = client.get(f"/p/{token}/support")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.data.decode()
    assert "<h1>Stöd som du kan få</h1>" in html
    assert html.index("Stöd vid våld") < html.index("Hjälp med pengar och skulder")
    assert "Om någon nära dig slår, hotar eller styr dig." in html
    assert "Budgetrådgivningen" in html and "Tis och tor 13-16" in html
    assert 'href="tel:+46846500460"' in html
    assert 'href="https://ekby.example/budget"' in html
    assert '<img src="/pictograms/money.svg" alt="Pengar"' in html
    assert f'href="/p/{token}"' in html  # back to the overview
    assert "Din kontakt hos oss är Lina Berg." in html


def test_the_support_page_in_another_language(client, session, sara):
    token = overview_token(session, sara)
    html = client.get(f"/p/{token}/support?lang=uk").data.decode()
    assert '<html lang="uk"' in html
    assert "Допомога при насильстві" in html
    assert "Допомога з грошима і боргами" in html
    assert "Budgetrådgivningen" in html  # the unit's own words as written
    assert f'href="/p/{token}?lang=uk"' in html


def test_a_representatives_page_never_shows_violence_support(client, session, sara):
    god_man = Representative(
        client_id=sara.id, name="Anders Holm", role="god_man", phone="+46701740607"
    )
    session.add(god_man)
    session.commit()
    token = overview_token(session, sara, god_man)
    html = client.get(f"/p/{token}/support").data.decode()
    assert "Hjälp med pengar och skulder" in html
    assert "våld" not in html and "+46846500450" not in html and "Ekby stödlinje" not in html


def test_a_message_link_has_no_support_page(client, session, sara):
    token = overview_token(session, sara, purpose=LinkPurpose.MESSAGE)
    response = client.get(f"/p/{token}/support")
    assert response.status_code == 404
    assert "Stöd vid våld" not in response.data.decode()


def test_an_unknown_token_has_no_support_page(client, sara):
    response = client.get("/p/Xq3vR8kLm2Tn5wYz7bCd9f/support")
    assert response.status_code == 404


def test_a_discreet_client_gives_the_pin_first(client, session, sara):
    sara.privacy = "discreet"
    pins.set_pin(session, sara, "4826")
    session.add(sara)
    session.commit()
    token = overview_token(session, sara)
    first = client.get(f"/p/{token}/support").data.decode()
    assert "Stöd vid våld" not in first and "Lina Berg" not in first
    assert client.post(f"/p/{token}/support", data={"pin": "4826"}).status_code == 303
    assert "Stöd vid våld" in client.get(f"/p/{token}/support").data.decode()


def test_a_unit_that_offers_nothing_says_to_ask(client, session):
    other = create_unit(session, name="Västby kommun", phone="+46846500900")
    ali = create_client(
        session, staff=create_staff(session, other, email="o@vastby.example"), phone="+46700000005"
    )
    token = overview_token(session, ali)
    html = client.get(f"/p/{token}/support").data.decode()
    assert "Vi har inte skrivit in något stöd här ännu. Fråga oss vad du kan få." in html
