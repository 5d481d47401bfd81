"""The phone menu: 9 reads the support the unit offers (never violence support to a
representative), and # sends a client with picture support the link to their page."""

import re
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.casework import pins
from app.models import AuditEvent, OutboxMessage, Representative
from app.outbox.sweep import send_due
from tests.calls.test_menu import OPEN, Caller
from tests.factories import create_client, create_staff, create_unit, offer_support

pytestmark = pytest.mark.frozen_at(OPEN)


@pytest.fixture
def unit(session):
    return create_unit(session, phone_menu_number="+46846500401")


@pytest.fixture
def make_client(session, unit):
    lina = create_staff(session, unit, name="Lina Berg", phone="+46701740605")
    return lambda **values: create_client(session, staff=lina, **values)


@pytest.fixture
def offers(session, unit):
    offer_support(session, unit, "budget_debt", phone="+46846500460", who="Budgetrådgivningen")
    offer_support(
        session, unit, "violence", phone="+46846500450", who="Ekby stödlinje", hours="Dygnet runt"
    )
    offer_support(session, unit, "meeting_place", phone="", place="Lindvägen 4, Ekby")


@pytest.fixture
def phone(client):
    return Caller(client)


def test_the_menu_says_9_for_support(session, offers, phone, make_client):
    make_client()
    phone.start()
    assert "Tryck 9 för stöd som du kan få." in phone.said
    assert "fyrkant" not in phone.said  # no picture support: no offer of a link


def test_9_reads_each_offer_with_what_it_is_and_how_to_reach_it(
    session,
    offers,
    phone,
    make_client,
):
    make_client()
    phone.start()
    phone.press("9")
    said = phone.said
    assert said.startswith("Här är stöd som du kan få: Stöd vid våld.")
    assert "Om någon nära dig slår, hotar eller styr dig." in said
    assert "Ring Ekby stödlinje på 08-465 004 50. Tider: Dygnet runt." in said
    assert "Hjälp med pengar och skulder. Någon hjälper dig att göra en plan" in said
    assert "Träffpunkt. Ett ställe där du kan träffa andra, fika och prata." in said
    assert "Plats: Lindvägen 4, Ekby." in said
    assert said.index("Stöd vid våld") < said.index("Hjälp med pengar") < said.index("Träffpunkt")
    assert "Tryck 0 för att höra det igen." in said
    phone.press("0")
    assert said == phone.said


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            "Support against violence. If someone close to you hits, threatens or controls you.",
        ),
        ("fi", "Tuki väkivaltaan. Jos joku läheinen lyö, uhkaa tai määräilee sinua."),
        ("ar", "الدعم عند العنف. إذا كان شخص قريب منك يضربك أو يهددك أو يتحكم بك."),
    ],
)
def test_9_in_the_callers_language(session, offers, phone, make_client, language, words):
    make_client(language=language)
    phone.start()
    phone.press("9")
    assert words in phone.said
    assert "Stöd vid våld" not in phone.said


def test_a_representative_calling_hears_no_violence_support(
    session,
    offers,
    client,
    make_client,
):
    sara = make_client()
    session.add(
        Representative(client_id=sara.id, name="Anders Holm", role="god_man", phone="+46701740607")
    )
    session.commit()
    caller = Caller(client, phone="+46701740607")
    caller.start()
    caller.press("9")
    assert "Hjälp med pengar och skulder." in caller.said
    assert "våld" not in caller.said and "08-465 004 50" not in caller.said


def test_a_discreet_client_hears_the_support_only_after_the_pin(
    session, offers, phone, make_client
):
    sara = make_client(privacy="discreet")
    pins.set_pin(session, sara, "4711")
    session.commit()
    phone.start()
    phone.press("9")
    assert "Skriv din pinkod med fyra siffror." in phone.said
    assert "våld" not in phone.said and "08-465 004 50" not in phone.said
    phone.press("4711")
    assert phone.said.startswith("Här är stöd som du kan få: Stöd vid våld.")
    assert "Ring Ekby stödlinje på 08-465 004 50." in phone.said


def test_picture_support_offers_the_page_link_by_sms_and_sends_it(
    client,
    session,
    phone,
    make_client,
    outbox_file,
):
    sara = make_client(picture_support=True)
    phone.start()
    assert "Tryck fyrkant så skickar vi en länk med bilder i ett sms." in phone.said
    phone.press("#")
    assert phone.said.startswith(
        "Vi skickar ett sms till dig nu. I sms:et finns en länk till en sida med bilder om dig."
    )
    assert "Tryck 1 för ditt nästa möte." in phone.said  # then the menu again
    planned = session.exec(select(OutboxMessage)).one()
    assert (planned.kind, planned.client_id, planned.channel) == ("picture_link", sara.id, "sms")
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "picture_link_asked")).one()
    send_due(OPEN)
    body = outbox_file.read_text()
    assert "Du bad om en sida med bilder." in body
    token = re.search(r"https://tydligt\.ekby\.example/p/([A-Za-z0-9_-]{22})", body).group(1)
    assert "Allt om dig hos Ekby kommun" in client.get(f"/p/{token}").data.decode()


def test_pressing_hash_twice_in_a_call_sends_one_link(session, phone, make_client):
    make_client(picture_support=True)
    phone.start()
    phone.press("#")
    phone.press("#")
    assert len(session.exec(select(OutboxMessage)).all()) == 1


@pytest.mark.parametrize(
    "values",
    [
        {"picture_support": False},
        {"picture_support": True, "opted_out_at": datetime(2026, 3, 1, tzinfo=UTC)},
        {"picture_support": True, "consent_at": None},
        {"picture_support": True, "unreachable_at": datetime(2026, 3, 1, tzinfo=UTC)},
    ],
)
def test_no_link_is_offered_or_sent_when_no_sms_can_go(session, phone, make_client, values):
    make_client(**values)
    phone.start()
    assert "fyrkant" not in phone.said
    phone.press("#")
    assert "Tryck 1 för ditt nästa möte." in phone.said
    assert session.exec(select(OutboxMessage)).first() is None


def test_a_representative_is_not_offered_the_clients_page(session, client, make_client):
    sara = make_client(picture_support=True)
    session.add(
        Representative(client_id=sara.id, name="Anders Holm", role="god_man", phone="+46701740607")
    )
    session.commit()
    caller = Caller(client, phone="+46701740607")
    caller.start()
    assert "fyrkant" not in caller.said
    caller.press("#")
    assert session.exec(select(OutboxMessage)).first() is None
