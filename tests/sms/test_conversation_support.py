"""Texting 9: the support the unit offers, in the sender's language, with the support page
for the client; never violence support to a representative, nothing to a stranger."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.casework import support_offers
from app.models import InboundMessage, LinkPurpose, LinkToken, Privacy, Representative
from app.words.compose import sms_budget
from app.words.sms_encoding import measure
from tests.factories import create_client, create_staff, create_unit, offer_support
from tests.sms.test_conversation import text

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def unit(session):
    unit = create_unit(session, phone_menu_number="+46846500401")
    offer_support(session, unit, "meeting_place", phone="", place="Lindvägen 4, Ekby")
    offer_support(session, unit, "budget_debt", phone="+46846500460")
    offer_support(session, unit, "violence", phone="+46846500450", who="Ekby stödlinje")
    return unit


@pytest.fixture
def sara(session, unit):
    return create_client(session, staff=create_staff(session, unit, name="Lina Berg"))


def test_the_menu_offers_9_for_support(client, sara):
    assert "9 Stöd du kan få" in text(client, "HJÄLP")


def test_9_lists_the_offers_with_violence_support_first_and_the_support_page(client, session, sara):
    reply = text(client, "9")
    lines = reply.splitlines()
    assert lines[0] == "Hej Sara! Det här är Ekby kommun."
    assert lines[1] == "Här är stöd som du kan få:"
    assert lines[2] == "Stöd vid våld: ring 08-465 004 50."
    assert lines[3] == "Hjälp med pengar och skulder: ring 08-465 004 60."
    assert lines[4] == "Träffpunkt."
    assert lines[5].startswith("Läs mer om stödet: https://tydligt.ekby.example/p/")
    assert lines[5].endswith("/support")
    link = session.exec(select(LinkToken)).one()
    assert link.purpose == LinkPurpose.OVERVIEW and link.client_id == sara.id
    stored = session.exec(select(InboundMessage)).one()
    assert stored.intent == "option_9" and not stored.needs_answer


@pytest.mark.parametrize(
    ("language", "heading", "violence"),
    [
        ("en", "Here is support you can get:", "Support against violence: call 08-465 004 50."),
        (
            "ar",
            "هذا هو الدعم الذي يمكنك الحصول عليه:",
            "الدعم عند العنف: اتصل على \u200e08-465 004 50.",
        ),
        ("fi", "Tässä on tukea, jota voit saada:", "Tuki väkivaltaan: soita 08-465 004 50."),
    ],
)
def test_9_answers_in_the_senders_language(client, session, sara, language, heading, violence):
    sara.language = language
    session.add(sara)
    session.commit()
    reply = text(client, "9")
    assert heading in reply
    assert violence in reply
    assert "Stöd vid våld" not in reply


def test_a_representative_is_never_told_of_violence_support(client, session, sara):
    session.add(
        Representative(client_id=sara.id, name="Anders Holm", role="god_man", phone="+46701740607")
    )
    session.commit()
    assert "9 Stöd du kan få" in text(client, "HJÄLP", sender="+46701740607")
    reply = text(client, "9", sender="+46701740607")
    assert "Hjälp med pengar och skulder: ring 08-465 004 60." in reply
    assert "våld" not in reply and "08-465 004 50" not in reply
    assert "/p/" not in reply  # the client's page is not the representative's
    assert session.exec(select(LinkToken)).first() is None


def test_a_stranger_gets_no_offers(client, session, sara):
    reply = text(client, "9", sender="+46709999999")
    assert "Vi känner inte igen ditt nummer." in reply
    assert "våld" not in reply and "Träffpunkt" not in reply and "08-465 004 60" not in reply


def test_a_discreet_client_is_told_of_the_list_and_where_to_hear_it(client, session, sara):
    """Someone else may read a discreet client's phone: no offer by SMS (violence support
    least of all), only that there is a list, heard by phone or read after the PIN."""
    sara.privacy = Privacy.DISCREET
    session.add(sara)
    session.commit()
    reply = text(client, "9")
    lines = reply.splitlines()
    assert lines[1:3] == [
        "Vi har en lista med stöd. Den skriver vi inte i sms, som du har bett om.",
        "Ring 08-465 004 01 och skriv din pinkod för att höra den.",
    ]
    assert lines[3].startswith("Eller läs den med din pinkod: https://tydligt.ekby.example/p/")
    assert lines[3].endswith("/support")
    for named in ("våld", "08-465 004 50", "skulder", "08-465 004 60", "Träffpunkt"):
        assert named not in reply
    stored = session.exec(select(InboundMessage)).one()
    assert stored.intent == "option_9"


def test_the_representative_of_a_discreet_client_gets_no_list_by_sms(client, session, sara):
    sara.privacy = Privacy.DISCREET
    session.add(
        Representative(client_id=sara.id, name="Anders Holm", role="god_man", phone="+46701740607")
    )
    session.commit()
    reply = text(client, "9", sender="+46701740607")
    assert "Vi har en lista med stöd." in reply
    assert "Ring 08-465 004 01 för att höra det." in reply  # after the client's PIN
    for named in ("våld", "08-465 004 50", "skulder", "Träffpunkt", "/p/"):
        assert named not in reply


@pytest.mark.parametrize("language", ["sv", "en", "ar", "so", "fa", "prs", "ti", "fi", "uk"])
def test_9_with_every_kind_offered_fits_its_budget_and_points_to_the_rest(
    client, session, language
):
    """A unit may offer every kind: the SMS names the first four (violence support first),
    says there is more and links to the page with all of them, within its budget."""
    unit = create_unit(session, name="Västby kommun", phone="+46846500900")
    kinds = support_offers.kinds()
    for number, kind in enumerate(kinds):
        offer_support(session, unit, kind, phone=f"+4684650046{number}", who="Västby stödteam")
    staff = create_staff(session, unit, email="o@vastby.example")
    create_client(session, staff=staff, phone="+46700000005", language=language)
    reply = text(client, "9", sender="+46700000005", To="+46846500900")
    size = measure(reply)
    assert size.segments <= sms_budget("reply_support", size.encoding, copy=False), reply
    named = [line for line in reply.splitlines() if "08-465 004 6" in line]
    assert len(named) == 4 and "08-465 004 60" in named[0]  # violence support first
    assert reply.splitlines()[-1].endswith("/support")
    if language == "sv":
        assert reply.splitlines()[-1].startswith("Det finns mer stöd. Läs om allt här: https://")


def test_a_representative_told_of_many_offers_gets_the_units_number_for_the_rest(client, session):
    unit = create_unit(session, name="Västby kommun", phone="+46846500900")
    for number, kind in enumerate(support_offers.kinds()):
        offer_support(session, unit, kind, phone=f"+4684650046{number}")
    staff = create_staff(session, unit, email="o@vastby.example")
    maja = create_client(session, staff=staff, phone="+46700000005")
    session.add(
        Representative(client_id=maja.id, name="Anders Holm", role="god_man", phone="+46701740607")
    )
    session.commit()
    reply = text(client, "9", sender="+46701740607", To="+46846500900")
    assert len([line for line in reply.splitlines() if "08-465 004 6" in line]) == 4
    assert "våld" not in reply and "08-465 004 60" not in reply
    last = reply.splitlines()[-1]
    assert last == "Det finns mer stöd. Ring oss på 08-465 009 00, så berättar vi mer."


def test_a_unit_that_offers_nothing_says_so_and_gives_its_number(client, session):
    other = create_unit(session, name="Västby kommun", phone="+46846500900")
    create_client(
        session, staff=create_staff(session, other, email="o@vastby.example"), phone="+46700000005"
    )
    reply = text(client, "9", sender="+46700000005", To="+46846500900")
    assert "Vi har inte skrivit in något stöd här ännu." in reply
    assert "Ring oss på 08-465 009 00, så berättar vi vad du kan få." in reply
    assert "/p/" not in reply
