"""The phone menu: every path by keypad, in every language, with PINs and fallbacks."""

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from urllib.parse import urlparse

import pytest
import time_machine
from sqlmodel import func, select

from app.casework import decisions, pins
from app.models import Appointment, AuditEvent, CallbackRequest, CallStep, Client
from app.words.languages import get_language, languages
from tests.factories import book_appointment, create_client, create_staff, create_unit
from tests.signing import BASE, post_signed

OPEN = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # tuesday 10.00 in Stockholm: office open
CLOSED = datetime(2026, 3, 3, 18, 0, tzinfo=UTC)  # tuesday 19.00: closed
MEETING = datetime(2026, 3, 5, 13, 0, tzinfo=UTC)  # thursday 5 march 14.00
SPEAKING_RATE = 150  # words per minute, slow and clear

pytestmark = pytest.mark.frozen_at(OPEN)


@pytest.fixture
def unit(session):
    return create_unit(
        session, phone_menu_number="+46846500401", office_hours="mon-fri 09:00-12:00"
    )


@pytest.fixture
def make_client(session, unit):
    """Clients of Lina Berg, the unit's case worker."""
    lina = create_staff(
        session, unit, email="lina@ekby.example", name="Lina Berg", phone="+46701740605"
    )

    def make(**values) -> Client:
        return create_client(session, staff=lina, **values)

    return make


class Caller:
    """One phone call: posts each step with the CallSid, as Twilio does."""

    def __init__(self, client, phone="+46700000001", sid="CA" + "1" * 32):
        self.client, self.phone, self.sid = client, phone, sid
        self.root = None

    def post(self, url: str, **params) -> ET.Element:
        parts = urlparse(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        data = {
            "CallSid": self.sid,
            "From": self.phone,
            "To": "+46846500401",
            "AccountSid": "AC1",
        } | params
        response = post_signed(self.client, path, data)
        assert response.status_code == 200, response.data
        assert response.mimetype == "text/xml"
        self.root = ET.fromstring(response.data)
        return self.root

    def start(self) -> ET.Element:
        return self.post(f"{BASE}/twilio/voice")

    def press(self, digits: str) -> ET.Element:
        return self.post(self.root.find("Gather").get("action"), Digits=digits)

    def silence(self) -> ET.Element:
        return self.post(self.root.find("Redirect").text)

    @property
    def said(self) -> str:
        return " ".join(el.text or "" for el in self.root.iter("Say"))


def voices(root) -> set:
    return {el.get("voice") for el in root.iter("Say")}


@pytest.fixture
def phone(client):
    return Caller(client)


# A known caller and the menu


def test_a_known_caller_hears_the_menu_in_their_language_at_once(session, unit, phone, make_client):
    make_client()
    root = phone.start()
    gather = root.find("Gather")
    assert gather.get("numDigits") == "1"
    assert gather.get("action").startswith(f"{BASE}/twilio/voice/press/menu?step=1")
    assert voices(root) == {get_language("sv").say_voice}
    # Greeted by name, then straight to the first option: the caller knows whom they called.
    assert phone.said.startswith("Hej Sara! Tryck 1 för ditt nästa möte.")
    for digit in range(1, 9):
        assert f"Tryck {digit} " in phone.said
    assert "Tryck 0 för att höra det igen." in phone.said


def test_the_next_meeting_takes_one_keypress_and_under_15_seconds(
    session, unit, phone, make_client
):
    sara = make_client()
    book_appointment(session, sara, starts_at=MEETING, now=OPEN)
    menu = phone.start()
    first_prompt = [el.text for el in menu.iter("Say")][:2]  # greeting, "Tryck 1 ..."
    words_before = sum(len(text.split()) for text in first_prompt)
    assert words_before / SPEAKING_RATE * 60 <= 15
    phone.press("1")
    # The caller asked for the next meeting: it comes first, with no heading before it.
    assert phone.said.startswith("Du ska träffa Lina Berg torsdag 5 mars klockan 14.00.")
    assert phone.said.count("Tryck 0 för att höra det igen.") == 1


def test_pressing_1_then_1_confirms_the_meeting_and_returns_to_the_menu(
    session, unit, phone, make_client
):
    sara = make_client()
    meeting = book_appointment(session, sara, starts_at=MEETING, now=OPEN)
    phone.start()
    phone.press("1")
    assert "Tryck 1 om du kommer. Tryck 2 om du inte kan komma." in phone.said
    phone.press("1")
    assert "Tack! Vi har skrivit upp att du kommer." in phone.said
    assert phone.root.find("Gather").get("action").startswith(f"{BASE}/twilio/voice/press/menu")
    session.expire_all()
    assert session.get(Appointment, meeting.id).response == "confirmed"


def test_pressing_2_on_a_meeting_declines_it(session, unit, phone, make_client):
    sara = make_client()
    meeting = book_appointment(session, sara, starts_at=MEETING, now=OPEN)
    phone.start()
    phone.press("1")
    phone.press("2")
    assert "Vi hör av oss om en ny tid." in phone.said
    session.expire_all()
    assert session.get(Appointment, meeting.id).response == "declined"


def test_0_repeats_and_star_goes_back_to_the_menu(session, unit, phone, make_client):
    make_client()
    phone.start()
    phone.press("6")
    first = phone.said
    phone.press("0")
    assert phone.said == first
    phone.press("*")
    assert "Tryck 1 för ditt nästa möte." in phone.said


def test_a_silent_caller_hears_it_again_once_then_how_to_reach_us(
    session, unit, phone, make_client
):
    make_client()
    phone.start()
    root = phone.silence()
    # The prompt once more; if that too gets no key, Twilio goes on to the goodbye.
    gather = root.find("Gather")
    assert "Tryck 1 för ditt nästa möte." in " ".join(el.text for el in gather.iter("Say"))
    after = [el for el in root if el is not gather]
    assert [el.tag for el in after] == ["Say", "Say", "Say", "Hangup"]
    assert "Vi hörde inget svar." in after[0].text
    assert after[1].text == "Ring 08-465 004 00 om du vill prata med oss."


def test_a_silent_stranger_hears_how_to_reach_us_then_goodbye(session, unit, client):
    # Silent on the screen for a number we do not know, and again when it is said once more:
    # the goodbye names the unit's number in Swedish and English, like the screen (never a 500).
    stranger = Caller(client, phone="+46709999999")
    stranger.start()
    root = stranger.silence()
    assert root[-1].tag == "Hangup"
    assert "Vi hörde inget svar." in stranger.said
    assert "We did not hear an answer." in stranger.said
    assert "Ring 08-465 004 00 om du vill prata med oss." in stranger.said
    assert "Sara" not in stranger.said


@pytest.mark.parametrize("digits", ["#", "abc", "", "##"])
def test_odd_keys_give_the_menu_again(session, unit, phone, digits, make_client):
    make_client()
    phone.start()
    phone.press(digits)
    assert "Tryck 1 för ditt nästa möte." in phone.said


def test_documents_and_decision_are_told(session, unit, phone, make_client):
    sara = make_client()
    decisions.decide(
        session,
        sara,
        now=OPEN,
        service="boendestod",
        outcome="approved",
        scope_amount=6,
        scope_unit="hours_per_week",
        valid_from=date(2026, 4, 1),
    )
    session.commit()
    phone.start()
    phone.press("2")
    assert "Vi väntar inte på några papper från dig just nu." in phone.said
    phone.press("*")
    phone.press("3")
    assert "Du får boendestöd." in phone.said
    assert "Någon hjälper dig hemma" in phone.said  # the explanation: voice keeps every row


def test_callback_with_a_recorded_message(session, unit, phone, make_client):
    make_client()
    phone.start()
    phone.press("4")
    assert "Lina Berg ringer dig senast" in phone.said
    assert "Tryck 1 om du vill lämna ett kort meddelande till oss." in phone.said
    (request,) = session.exec(select(CallbackRequest)).all()
    assert request.source == "voice"
    phone.press("0")  # hearing it again does not ask again
    assert session.exec(select(func.count()).select_from(CallbackRequest)).one() == 1
    phone.press("1")
    record = phone.root.find("Record")
    assert record is not None and record.get("maxLength") == "60"
    recording = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"
    phone.post(record.get("action"), RecordingUrl=recording)
    assert "Tack! Vi har fått ditt meddelande." in phone.said
    session.expire_all()
    assert session.get(CallbackRequest, request.id).recording_url == recording


def test_changing_the_language_by_phone(session, unit, phone, make_client):
    make_client()
    phone.start()
    phone.press("5")
    assert "Tryck 2 för engelska." in phone.said
    assert "Tryck 3 för arabiska." in phone.said
    phone.press("2")
    assert voices(phone.root) == {get_language("en").say_voice}
    assert "Press 1 for your next meeting." in phone.said
    session.expire_all()
    assert session.exec(select(Client)).one().language == "en"


def test_the_contact_person_can_be_reached_during_office_hours(session, unit, phone, make_client):
    make_client()
    phone.start()
    phone.press("6")
    assert "Din kontakt hos oss är Lina Berg." in phone.said
    assert "Tryck 1 för att bli kopplad nu." in phone.said
    phone.press("1")
    assert phone.root.find("Dial").text == "+46701740605"


def test_outside_office_hours_there_is_no_offer_to_connect(session, unit, client, make_client):
    make_client()
    with time_machine.travel(CLOSED, tick=False):
        caller = Caller(client)
        caller.start()
        caller.press("6")
        assert "bli kopplad" not in caller.said
        caller.press("1")
        assert caller.root.find("Dial") is None


def test_seven_says_where_to_complain(session, unit, phone, make_client):
    make_client()
    phone.start()
    phone.press("7")
    assert "fråga efter chefen" in phone.said


# PINs


def discreet_with_pin(session, make_client, pin="4826") -> Client:
    client = make_client(privacy="discreet")
    pins.set_pin(session, client, pin)
    session.commit()
    return client


def test_a_discreet_client_needs_the_pin_for_decisions_and_documents(
    session, unit, phone, make_client
):
    discreet_with_pin(session, make_client)
    phone.start()
    phone.press("3")
    assert phone.root.find("Gather").get("numDigits") == "4"
    assert "Skriv din pinkod med fyra siffror." in phone.said
    phone.press("4826")
    assert "Vi har inget beslut om dig att visa här." in phone.said


def test_wrong_pins_are_limited_and_logged(session, unit, phone, make_client):
    sara = discreet_with_pin(session, make_client)
    phone.start()
    phone.press("2")
    phone.press("1111")
    assert "Pinkoden var fel. Försök igen." in phone.said
    phone.press("2222")
    phone.press("3333")
    assert "Du har skrivit fel pinkod för många gånger." in phone.said
    assert "Tryck 1 för ditt nästa möte." in phone.said
    events = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert events.count("pin_failed") == 3 and events[-1] == "pin_locked"
    # Locked: even the right PIN does not open it now, in a new call.
    again = Caller(phone.client, sid="CA" + "2" * 32)
    again.start()
    again.press("2")  # locked: not even asked, told why, and back at the menu
    assert "fel pinkod för många gånger" in again.said
    assert again.root.find("Gather").get("numDigits") == "1"
    session.expire_all()
    assert session.get(Client, sara.id).pin_locked_until is not None


def test_a_discreet_client_without_a_pin_is_told_how_to_get_one(session, unit, phone, make_client):
    make_client(privacy="discreet")
    phone.start()
    phone.press("3")
    assert "Du har ingen pinkod. Be din kontakt om en pinkod." in phone.said


def test_the_unit_can_ask_everyone_for_a_pin(app, session, unit, phone, make_client):
    app.config["VOICE_PIN_REQUIRED"] = True
    make_client()
    phone.start()
    phone.press("2")
    assert "Du har ingen pinkod." in phone.said


def test_a_pin_must_be_four_digits():
    from app.errors import InvalidInput

    with pytest.raises(InvalidInput):
        pins.set_pin(None, Client(unit_id=1, first_name="x", phone="+46700000001"), "12")


# Strangers, interpreters and recordings


def test_an_unknown_caller_hears_nothing_about_anyone(session, unit, client, make_client):
    sara = make_client()
    book_appointment(session, sara, starts_at=MEETING, now=OPEN)
    stranger = Caller(client, phone="+46709999999")
    stranger.start()
    assert "Vi känner inte igen ditt nummer." in stranger.said
    assert "We do not recognise your number." in stranger.said
    assert voices(stranger.root) == {get_language("sv").say_voice, get_language("en").say_voice}
    stranger.press("3")  # a client's option: the stranger only hears the same again
    assert "Vi känner inte igen ditt nummer." in stranger.said
    assert "Sara" not in stranger.said and "Lina" not in stranger.said
    assert "torsdag" not in stranger.said  # nothing of Sara's meeting
    stranger.press("1")  # office hours: put through to the unit
    assert stranger.root.find("Dial").text == "+46846500400"


def test_an_unknown_caller_can_ask_to_be_called_back(session, unit, client):
    stranger = Caller(client, phone="+46709999999")
    stranger.start()
    stranger.press("2")
    assert "Vi ringer upp dig så snart vi kan." in stranger.said
    request = session.exec(select(CallbackRequest)).one()
    assert request.client_id is None and request.from_phone == "+46709999999"


@pytest.mark.parametrize("code", [lang.code for lang in languages() if not lang.has_voice])
def test_a_language_without_a_voice_offers_an_interpreter_callback(
    session, unit, phone, code, make_client
):
    make_client(language=code)
    phone.start()
    assert "Vi kan inte tala" in phone.said and "We cannot speak" in phone.said
    assert "Tryck 1 så ringer vi upp dig med en tolk på" in phone.said
    phone.press("1")
    request = session.exec(select(CallbackRequest)).one()
    assert request.interpreter_needed and request.language == code
    assert phone.root[-1].tag == "Hangup"


def test_the_interpreter_offer_can_lead_to_the_swedish_menu(session, unit, phone, make_client):
    make_client(language="so")
    phone.start()
    phone.press("2")
    assert voices(phone.root) == {get_language("sv").say_voice}
    assert "Tryck 1 för ditt nästa möte." in phone.said


@pytest.mark.parametrize(
    "language", [lang for lang in languages() if lang.has_voice], ids=lambda x: x.code
)
def test_every_menu_path_in_every_language_with_a_voice(
    session, unit, client, language, make_client
):
    sara = make_client(language=language.code)
    book_appointment(session, sara, starts_at=MEETING, now=OPEN)
    caller = Caller(client)
    for digit in "1234567":
        caller.start()
        caller.press(digit)
        assert caller.root.iter("Say"), digit
        assert voices(caller.root) == {language.say_voice}, (language.code, digit)
        if language.code != "sv":
            assert "Tryck" not in caller.said, (language.code, digit, caller.said)


def test_every_language_has_a_voice_or_the_interpreter_fallback():
    # Languages with a voice are tested path by path above; the others get the interpreter
    # offer (tested above), and a recorded prompt where one exists.
    with_voice = {lang.code for lang in languages() if lang.has_voice}
    without = {lang.code for lang in languages() if not lang.has_voice}
    assert with_voice | without == {lang.code for lang in languages()}
    assert without == {"so", "fa", "prs", "ti"}


# Reliability


def test_a_retried_step_gets_the_same_answer_and_acts_once(session, unit, phone, make_client):
    make_client()
    phone.start()
    action = phone.root.find("Gather").get("action")
    first = phone.post(action, Digits="4")
    again = phone.post(action, Digits="4")
    assert ET.tostring(first) == ET.tostring(again)
    assert session.exec(select(func.count()).select_from(CallbackRequest)).one() == 1
    assert session.exec(select(func.count()).select_from(CallStep)).one() == 2


def test_an_unsigned_call_is_refused(client, session, unit, make_client):
    make_client()
    assert (
        client.post("/twilio/voice", data={"CallSid": "CA1", "From": "+46700000001"}).status_code
        == 403
    )


def test_a_call_without_a_number_is_treated_as_unknown(session, unit, client):
    response = post_signed(client, "/twilio/voice", {"CallSid": "CA1"})
    assert response.status_code == 200
    assert "Vi känner inte igen ditt nummer." in response.data.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/twilio/voice/screen/menu?step=x&quiet=y",
        "/twilio/voice/screen/pin?then=abc&tries=-1",
        "/twilio/voice/screen/optionZ",
        "/twilio/voice/screen/option4?cb=not-a-number",
        "/twilio/voice/press/option99?step=99999999999999",
        "/twilio/voice/recorded?cb=%00",
    ],
)
def test_odd_urls_get_a_valid_answer_never_a_500(session, unit, client, make_client, path):
    make_client()
    response = post_signed(client, path, {"CallSid": "CA9", "From": "+46700000001", "Digits": "5"})
    assert response.status_code == 200
    assert ET.fromstring(response.data).tag == "Response"
