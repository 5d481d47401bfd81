"""Complaints and the right to ask for another case worker, by SMS, by phone and in the
API: what follows menu option 7 and option 8 reaches the unit's managers, never the
client's own case worker (issue 17)."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest
import time_machine
from sqlmodel import select

from app import access
from app.api import keys
from app.casework import representatives, staff_messages
from app.models import InboundMessage, StaffRole, StaffUser
from tests.factories import book_appointment, create_client, create_staff, create_unit
from tests.signing import BASE, post_signed

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
BY = "onsdag 4 mars"  # two working days later (CALLBACK_WORKING_DAYS)
SARA = "+46700000001"
ANNA = "+46700000010"  # Sara's god man, allowed nothing but help
_sid = iter(range(1, 10**9))

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def team(session):
    unit = create_unit(session, phone_menu_number="+46846500401")
    lina = create_staff(session, unit, email="lina@ekby.example", name="Lina Berg")
    boss = create_staff(
        session, unit, email="boss@ekby.example", name="Berit Chef", role=StaffRole.ADMIN
    )
    return unit, lina, boss


@pytest.fixture
def sara(session, team):
    return create_client(session, staff=team[1], phone=SARA)


def text(web, body: str, sender: str = SARA) -> str:
    params = {"MessageSid": f"SM{next(_sid):032d}", "AccountSid": "AC1", "From": sender,
              "To": "+46846500400", "Body": body, "NumMedia": "0"}  # fmt: skip
    response = post_signed(web, "/twilio/sms", params)
    assert response.status_code == 200, response.data
    return "\n".join(m.text or "" for m in ET.fromstring(response.data).iter("Message"))


def last_inbound(session) -> InboundMessage:
    session.expire_all()
    return session.exec(select(InboundMessage).order_by(InboundMessage.id.desc())).first()


# Option 7 -----------------------------------------------------------------------------------


def test_seven_says_a_manager_reads_it_not_the_contact_and_by_when(client, session, sara):
    reply = text(client, "7")
    assert "Skriv det här" in reply
    assert "Det läser bara en chef hos oss. Din kontakt ser det inte." in reply
    assert f"Chefen svarar dig senast {BY}." in reply
    assert "Inspektionen för vård och omsorg" in reply
    assert "fråga efter chefen" in reply
    asked = last_inbound(session)
    assert asked.intent == "option_7" and asked.for_managers


def test_a_complaint_after_seven_goes_to_the_managers_not_the_case_worker(
    client, session, team, sara
):
    text(client, "7")
    reply = text(client, "Lina lyssnar aldrig på mig")
    complaint = last_inbound(session)
    assert complaint.intent == "complaint"
    assert complaint.for_managers and complaint.needs_answer
    assert complaint.assigned_staff_id is None  # not in Lina's inbox
    assert "Tack! Vi har fått det du skrev." in reply
    assert "Din kontakt ser det inte." in reply
    assert f"Chefen svarar dig senast {BY}." in reply
    assert "Inspektionen för vård och omsorg" in reply
    assert "Lina Berg svarar" not in reply


def test_a_complaint_in_several_texts_stays_with_the_managers(client, session, sara):
    text(client, "7")
    text(client, "Jag vill klaga.")
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        text(client, "Hon kom inte till mötet.")
    second = last_inbound(session)
    assert second.intent == "complaint" and second.for_managers


def test_a_text_a_day_after_seven_is_an_ordinary_text_again(client, session, team, sara):
    text(client, "7")
    with time_machine.travel(NOW + timedelta(hours=25), tick=False):
        reply = text(client, "När kommer pengarna?")
    later = last_inbound(session)
    assert later.intent == "free_text" and not later.for_managers
    assert later.assigned_staff_id == team[1].id
    assert "Lina Berg svarar dig" in reply


def test_words_after_a_command_on_the_same_day_still_go_to_the_managers(
    client, session, team, sara
):
    """The answer said «Vill du skriva mer? Skriv det här i dag»: a look at the next
    meeting in between does not send the rest of the complaint to the case worker."""
    text(client, "7")
    text(client, "Lina är otrevlig mot mig")
    text(client, "1")
    reply = text(client, "Jag vill inte träffa henne igen")
    more = last_inbound(session)
    assert more.intent == "complaint" and more.for_managers
    assert more.assigned_staff_id is None and "Lina" not in reply


def test_call_me_in_a_complaint_is_for_the_managers_not_a_callback_for_the_case_worker(
    client, session, team, sara
):
    from app.models import CallbackRequest

    text(client, "7")
    text(client, "Lina är otrevlig")
    reply = text(client, "Ring mig")
    asked = last_inbound(session)
    assert asked.for_managers and asked.assigned_staff_id is None
    assert "Lina" not in reply and "Chefen svarar dig senast" in reply
    assert session.exec(select(CallbackRequest)).all() == []


def test_a_reply_to_a_managers_answer_goes_back_to_the_managers(client, session, team, sara):
    _, lina, boss = team
    text(client, "7")
    text(client, "Lina är otrevlig")
    complaint = last_inbound(session)
    later = NOW + timedelta(days=2, hours=3)
    with time_machine.travel(later, tick=False):
        staff_messages.send(session, sara, text="Jag ringer dig i morgon. /Berit",
                            author=boss, in_reply_to=complaint, now=later)  # fmt: skip
        session.commit()
    with time_machine.travel(later + timedelta(hours=1), tick=False):
        reply = text(client, "Tack Berit. Hon var otrevlig igen idag.")
    answer = last_inbound(session)
    assert answer.intent == "complaint" and answer.for_managers
    assert answer.assigned_staff_id is None and "Lina Berg svarar" not in reply
    # Once the case worker writes again, a text is theirs as usual.
    with time_machine.travel(later + timedelta(hours=2), tick=False):
        staff_messages.send(session, sara, text="Hej Sara! Vi ses på onsdag.", author=lina,
                            now=later + timedelta(hours=2))  # fmt: skip
        session.commit()
        text(client, "Vilken tid?")
    assert not last_inbound(session).for_managers


@pytest.mark.parametrize(("body", "intent"), [("1", "option_1"), ("HJÄLP", "help")])
def test_a_command_after_seven_is_still_that_command(client, session, sara, body, intent):
    text(client, "7")
    text(client, body)
    after = last_inbound(session)
    assert after.intent == intent and not after.for_managers


def test_yes_after_seven_still_confirms_the_meeting(client, session, sara):
    meeting = book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    text(client, "7")
    text(client, "JA")
    session.expire_all()
    assert meeting.response == "confirmed"
    assert not last_inbound(session).for_managers


def test_stop_after_seven_still_stops(client, session, sara):
    text(client, "7")
    text(client, "STOPP")
    session.expire_all()
    assert sara.opted_out_at is not None


# Option 8: another case worker -------------------------------------------------------------


def test_the_menu_offers_another_case_worker(client, sara):
    assert "8 Be om en annan kontakt" in text(client, "HJÄLP")


def test_eight_asks_the_managers_for_another_case_worker(client, session, sara):
    reply = text(client, "8")
    asked = last_inbound(session)
    assert asked.intent == "option_8"
    assert asked.for_managers and asked.needs_answer and asked.assigned_staff_id is None
    assert "Det bestämmer en chef." in reply
    assert f"Chefen svarar dig senast {BY}." in reply
    assert "Din kontakt ser inte att du har frågat." in reply


def test_why_after_eight_goes_to_the_managers_too(client, session, sara):
    text(client, "8")
    text(client, "Vi förstår inte varandra")
    why = last_inbound(session)
    assert why.intent == "new_caseworker" and why.for_managers and why.assigned_staff_id is None


def test_a_representative_may_ask_for_another_case_worker(client, session, sara):
    anna = representatives.add(session, sara, name="Anna Holm", phone=ANNA, role="god_man")
    session.commit()
    assert "8 Be om en annan kontakt" in text(client, "MENY", sender=ANNA)
    text(client, "8", sender=ANNA)
    asked = last_inbound(session)
    assert asked.intent == "option_8" and asked.for_managers
    assert asked.client_id == sara.id and asked.representative_id == anna.id


# By phone -------------------------------------------------------------------------------------


class Caller:
    def __init__(self, web, phone: str = SARA):
        self.web, self.phone, self.root = web, phone, None
        self.sid = f"CA{next(_sid):032d}"

    def post(self, url: str, **params) -> "Caller":
        parts = urlparse(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        data = {"CallSid": self.sid, "From": self.phone, "To": "+46846500401", "AccountSid": "AC1"}
        response = post_signed(self.web, path, data | params)
        assert response.status_code == 200
        self.root = ET.fromstring(response.data)
        return self

    def start(self) -> "Caller":
        return self.post(f"{BASE}/twilio/voice")

    def press(self, digits: str) -> "Caller":
        return self.post(self.root.find("Gather").get("action"), Digits=digits)

    @property
    def said(self) -> str:
        return " ".join(el.text or "" for el in self.root.iter("Say"))


def test_the_phone_menu_offers_eight_and_the_request_reaches_the_managers(client, session, sara):
    call = Caller(client).start()
    assert "Tryck 8" in call.said
    call.press("8")
    assert "Det bestämmer en chef." in call.said
    assert f"Chefen svarar dig senast {BY}." in call.said
    asked = last_inbound(session)
    assert asked.intent == "option_8" and asked.for_managers and asked.needs_answer
    assert asked.client_id == sara.id and asked.assigned_staff_id is None
    call.press("0")  # hearing it again asks nothing twice
    session.expire_all()
    rows = session.exec(select(InboundMessage).where(InboundMessage.intent == "option_8")).all()
    assert len(rows) == 1


def test_seven_by_phone_says_to_text_and_who_reads_it(client, session, sara):
    call = Caller(client).start().press("7")
    assert "Skicka ett sms till 08-465 004 00" in call.said
    assert "Det läser bara en chef hos oss." in call.said
    assert "Inspektionen för vård och omsorg" in call.said


def test_a_text_after_seven_by_phone_is_a_complaint(client, session, sara):
    Caller(client).start().press("7")
    text(client, "Jag vill klaga på min handläggare")
    assert last_inbound(session).intent == "complaint"


# The API: an integration feeds the case system, which case workers read ---------------------


def test_the_inbound_feed_never_carries_complaints_or_requests(client, session, team, sara):
    _key, secret = keys.create(session, unit_id=team[0].id, name="Lifecare", scopes="read")
    session.commit()
    text(client, "7")
    text(client, "Lina lyssnar aldrig")
    text(client, "8")
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        text(client, "När kommer pengarna?")
    with time_machine.travel(NOW + timedelta(days=2, minutes=1), tick=False):
        feed = client.get("/api/v1/inbound", headers={"Authorization": f"Bearer {secret}"})
    bodies = [item["body"] for item in feed.get_json()["items"]]
    intents = {item["intent"] for item in feed.get_json()["items"]}
    assert bodies == ["När kommer pengarna?"]
    assert not intents & {"option_7", "complaint", "option_8"}


def test_the_outbox_feed_never_carries_a_managers_answer_to_a_complaint(
    client, session, team, sara
):
    _key, secret = keys.create(session, unit_id=team[0].id, name="Lifecare", scopes="read")
    session.commit()
    text(client, "7")
    text(client, "Lina lyssnar aldrig")
    complaint = last_inbound(session)
    staff_messages.send(
        session, sara, text="Vi ringer dig i morgon.", author=team[2], in_reply_to=complaint
    )
    staff_messages.send(session, sara, text="Välkommen på tisdag.", author=team[1])
    session.commit()
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        feed = client.get("/api/v1/outbox", headers={"Authorization": f"Bearer {secret}"})
    kinds = [item["kind"] for item in feed.get_json()["items"]]
    assert kinds.count("staff_message") == 1


# The rule ---------------------------------------------------------------------------------


def test_managers_are_administrators_and_named_staff_while_active(session, team):
    unit, lina, boss = team
    assert not access.is_manager(lina) and access.is_manager(boss)
    lina.manager = True
    assert access.is_manager(lina)
    lina.active = False
    assert not access.is_manager(lina)


def test_a_units_outcomes_are_seen_by_its_own_active_managers_only(session, team):
    unit, lina, boss = team
    assert access.may_see_unit_outcomes(boss, unit.id)
    assert not access.may_see_unit_outcomes(boss, unit.id + 1)  # another unit's figures
    assert not access.may_see_unit_outcomes(lina, unit.id)  # a case worker
    lina.manager = True
    assert access.may_see_unit_outcomes(lina, unit.id)
    boss.active = False
    assert not access.may_see_unit_outcomes(boss, unit.id)


def test_a_managers_row_is_seen_by_the_managers_of_its_unit_only(session, team, sara):
    unit, lina, boss = team
    other = create_unit(session, name="Västby", sender_name="Västby", phone="+46855500500")
    other_boss = create_staff(session, other, email="b@vastby.example", role=StaffRole.ADMIN)
    named = create_staff(session, unit, email="m@ekby.example", name="Maria Chef", manager=True)
    row = InboundMessage(provider_id="SMx", from_phone=SARA, client_id=sara.id,
                         unit_id=unit.id, intent="complaint", for_managers=True)  # fmt: skip
    session.add(row)
    session.commit()

    def sees(staff: StaffUser) -> bool:
        from app.models import Client

        query = (
            select(InboundMessage.id)
            .outerjoin(Client, Client.id == InboundMessage.client_id)
            .where(access.staff_inbound_rows(staff, NOW.date()))
        )
        return row.id in session.exec(query).all()

    assert [sees(s) for s in (lina, boss, named, other_boss)] == [False, True, True, False]
    assert access.staff_may_see_inbound(session, boss, row, NOW.date())
    assert not access.staff_may_see_inbound(session, lina, row, NOW.date())
