"""Calls in languages Twilio cannot speak, from recorded phrases: the menu, the next meeting
in one keypress, a partial set falling back to the interpreter offer (and staff seeing it),
reminder calls answered with the keypad, and recordings winning over a Twilio voice."""

import xml.etree.ElementTree as ET
from urllib.parse import urlparse

import pytest
from sqlmodel import select

from app.models import Appointment, CallStep, OutboxMessage
from app.voice import inventory, names
from app.voice.recordings import store
from app.words.languages import get_language, languages
from tests.calls.test_menu import MEETING, OPEN, Caller, voices
from tests.espeak import encode_mp3, tone
from tests.factories import book_appointment, create_client, create_staff, create_unit
from tests.recorded_sets import record
from tests.signing import BASE, post_signed

pytestmark = pytest.mark.frozen_at(OPEN)
SWEDISH_VOICE = get_language("sv").say_voice
RECORDED = ("so", "fa", "prs", "ti")


@pytest.fixture
def unit(session):
    return create_unit(
        session, phone_menu_number="+46846500401", office_hours="mon-fri 09:00-12:00"
    )


@pytest.fixture
def make_client(session, unit):
    lina = create_staff(session, unit, name="Lina Berg", phone="+46701740605")
    return lambda **values: create_client(session, staff=lina, **values)


@pytest.fixture
def phone(client):
    return Caller(client)


def played(root: ET.Element) -> list[str]:
    """The names of the recordings a step plays, in order: a value by its plain name
    ('weekday-4', not the name with its words that the file has)."""
    names_ = [urlparse(el.text).path.rsplit("/", 1)[-1].split(".")[0] for el in root.iter("Play")]
    plain = {full: base for code in RECORDED for base, full in inventory.aliases(code).items()}
    return [plain.get(name, name) for name in names_]


def swedish_says(root: ET.Element) -> bool:
    """Whether every <Say> is in the Swedish voice (names and places are Swedish words)."""
    return voices(root) <= {SWEDISH_VOICE}


def phrase(code: str, swedish_start: str, *, whole: bool = False) -> set[str]:
    """The recordings of the phrase whose Swedish starts so (or is so, `whole`)."""
    return {
        n.name
        for n in inventory.needed(code)
        if n.swedish == swedish_start or not whole and n.swedish.startswith(swedish_start)
    }


@pytest.mark.parametrize("code", RECORDED)
def test_with_a_full_set_the_next_meeting_is_one_keypress_away_in_recordings(
    session, phone, make_client, client, code
):
    caller = make_client(language=code)
    book_appointment(session, caller, starts_at=MEETING, now=OPEN)
    record(code)
    menu = phone.start()
    assert menu.find("Gather").get("action").startswith(f"{BASE}/twilio/voice/press/menu")
    assert phrase(code, "Tryck 1 för ditt nästa möte.") <= set(played(menu))
    assert swedish_says(menu)  # only the client's and the unit's names are said in Swedish
    meeting = phone.press("1")
    heard = played(meeting)
    # Thursday 5 March 14.00, from the language's own recordings of the values.
    date = [names.weekday(3), names.day(5), names.month(3)]
    assert any(heard[i : i + 3] == date for i in range(len(heard)))
    assert names.number(14) in heard
    assert phrase(code, "Du ska träffa {person} {date} klockan {time}.") <= set(heard)
    assert "Lina Berg" in " ".join(el.text for el in meeting.iter("Say"))
    assert swedish_says(meeting)
    assert meeting.find("Gather").get("action").startswith(f"{BASE}/twilio/voice/press/option1")
    for url in {el.text for el in meeting.iter("Play")}:  # Twilio can fetch each
        parts = urlparse(url)
        assert url.startswith(f"{BASE}/recordings/{code}/")
        audio = client.get(f"{parts.path}?{parts.query}")
        assert audio.status_code == 200 and audio.mimetype == "audio/wav"
        assert "max-age=86400" in audio.headers["Cache-Control"]
        audio.close()
    steps = session.exec(select(CallStep).order_by(CallStep.step)).all()
    assert [(s.language, s.voice, s.missing) for s in steps] == [(code, "recordings", 0)] * 2


def test_pressing_1_after_the_meeting_confirms_it_in_somali(session, phone, make_client):
    caller = make_client(language="so")
    meeting = book_appointment(session, caller, starts_at=MEETING, now=OPEN)
    record("so")
    phone.start()
    phone.press("1")
    confirmed = phone.press("1")
    session.refresh(meeting)
    assert meeting.response == "confirmed"
    assert phrase("so", "Tack! Vi har skrivit upp att du kommer.") <= set(played(confirmed))
    assert confirmed.find("Gather").get("action").startswith(f"{BASE}/twilio/voice/press/menu")


def test_a_partial_set_falls_back_to_the_interpreter_offer_and_staff_see_it(
    session, phone, make_client
):
    caller = make_client(language="so")
    book_appointment(session, caller, starts_at=MEETING, now=OPEN)
    record("so", skip=set(sorted(phrase("so", "Du ska träffa {person} {date} klockan"))[:1]))
    menu = phone.start()
    assert played(menu) and swedish_says(menu)  # the menu itself is complete
    fallback = phone.press("1")
    # The offer in Somali first (its phrases are recorded), then in Swedish and English.
    assert phrase("so", "Tryck 1 så ringer vi upp dig med en tolk") <= set(played(fallback))
    assert "Vi kan inte tala somaliska i telefonen." in " ".join(
        el.text for el in fallback.iter("Say")
    )
    assert (
        fallback.find("Gather").get("action").startswith(f"{BASE}/twilio/voice/press/interpreter")
    )
    step = session.exec(select(CallStep).where(CallStep.step == 1)).one()
    assert (step.language, step.voice, step.missing) == ("so", "fallback", 1)
    swedish = phone.press("2")  # the Swedish menu, as before recordings
    assert "Tryck 1 för ditt nästa möte." in " ".join(el.text for el in swedish.iter("Say"))


def test_without_the_menu_recorded_the_caller_gets_the_interpreter_offer_at_once(
    session, phone, make_client
):
    make_client(language="ti")
    record("ti", only=phrase("ti", "Tryck 2 för papper"))  # one phrase is not a menu
    root = phone.start()
    assert root.find("Gather").get("action").startswith(f"{BASE}/twilio/voice/press/interpreter")
    assert session.exec(select(CallStep)).one().voice == "fallback"


def test_a_language_chosen_by_phone_is_spoken_when_it_has_its_recordings(
    session, phone, make_client
):
    sara = make_client(language="sv")
    record("fa")
    phone.start()
    phone.press("5")
    options = [lang.code for lang in languages()]
    root = phone.press(str(options.index("fa") + 1))
    session.refresh(sara)
    assert sara.language == "fa"
    assert phrase("fa", "Tryck 1 för ditt nästa möte.") <= set(played(root))
    assert swedish_says(root)


def test_the_language_list_names_each_language_from_recordings(session, phone, make_client):
    make_client(language="prs")
    record("prs")
    phone.start()
    root = phone.press("5")
    heard = played(root)
    assert {names.language(code) for code in ("sv", "so", "ti", "uk")} <= set(heard)
    assert not list(root.iter("Say"))


def test_a_recorded_unit_name_is_played_instead_of_said(session, unit, client, make_client):
    record("so")
    store().save("so", names.unit(unit.sender_name), tone(0.4), ".wav")
    hodan = make_client(channel="voice", language="so")
    book_appointment(session, hodan, starts_at=MEETING, now=OPEN)
    call, form = _reminder_call(session, client, hodan)
    root = ET.fromstring(post_signed(client, f"/twilio/voice/reminder/{call.id}", form).data)
    assert names.unit(unit.sender_name) in played(root)  # "Halkan waa <Ekby kommun>"
    assert unit.sender_name not in " ".join(el.text for el in root.iter("Say"))


def test_a_recording_wins_over_the_twilio_voice_for_the_same_phrase(session, phone, make_client):
    make_client(language="sv")
    (greeting,) = phrase("sv", "Hej {name}!", whole=True)
    record("sv", only={greeting})
    root = phone.start()
    assert played(root) == [greeting]
    says = [el.text for el in root.iter("Say")]
    assert says[0] == "Sara"  # the name after the recorded "Hej", in the Swedish voice
    assert "Tryck 1 för ditt nästa möte." in " ".join(says)  # the rest by the voice
    assert session.exec(select(CallStep)).one().voice == "mixed"


def test_the_recording_route_serves_only_recordings(session, client, app):
    monday = inventory.aliases("so")[names.weekday(0)]
    record("so", only={monday})
    served = client.get(f"/recordings/so/{monday}.wav")
    assert served.status_code == 200 and served.headers["X-Content-Type-Options"] == "nosniff"
    served.close()
    for path in (
        f"/recordings/tlh/{monday}.wav",
        "/recordings/so/..%2F..%2Fconfig.wav",
        f"/recordings/so/.{monday}.wav.part",
        f"/recordings/so/{monday}.ogg",
        f"/recordings/so/{inventory.aliases('so')[names.weekday(1)]}.wav",
    ):
        assert client.get(path).status_code == 404, path


def test_a_phrase_recorded_anew_in_the_other_format_still_plays_from_its_old_address(
    session, client, app
):
    monday = inventory.aliases("so")[names.weekday(0)]
    record("so", only={monday})
    store().save("so", monday, encode_mp3(tone(0.4)), ".mp3")  # a call was given the .wav
    served = client.get(f"/recordings/so/{monday}.wav")
    assert served.status_code == 200 and served.mimetype == "audio/mpeg"
    served.close()


def test_a_file_that_is_not_audio_is_no_recording(session, phone, make_client):
    make_client(language="so")
    record("so")
    menu = next(iter(phrase("so", "Tryck 1 för ditt nästa möte.")))
    (store().folder("so") / f"{menu}.wav").write_bytes(b"not audio at all")
    store().forget("so")
    root = phone.start()  # the menu lacks it now: the interpreter offer, not a broken file
    assert root.find("Gather").get("action").startswith(f"{BASE}/twilio/voice/press/interpreter")


# Reminder calls


@pytest.mark.parametrize("code", RECORDED)
def test_a_client_with_a_full_set_gets_reminder_calls(session, code):
    record(code, only={n.name for n in inventory.needed(code) if "reminder_call" in n.used_in})
    client = create_client(session, channel="voice", language=code)
    book_appointment(session, client, starts_at=MEETING, now=OPEN)
    kinds = session.exec(select(OutboxMessage.channel).where(OutboxMessage.client_id == client.id))
    assert "voice" in set(kinds)


def test_without_a_full_reminder_set_reminders_go_by_text(session):
    reminder = {n.name for n in inventory.needed("so") if "reminder_call" in n.used_in}
    record("so", only=reminder, skip={sorted(reminder)[0]})
    client = create_client(session, channel="voice", language="so")
    book_appointment(session, client, starts_at=MEETING, now=OPEN)
    channels = session.exec(
        select(OutboxMessage.channel).where(
            OutboxMessage.client_id == client.id, OutboxMessage.kind == "appointment_reminder"
        )
    )
    assert set(channels) == {"sms"}


def test_a_reminder_call_in_somali_plays_and_confirms_with_1(session, client):
    record("so")
    hodan = create_client(session, channel="voice", language="so", first_name="Hodan")
    meeting = book_appointment(session, hodan, starts_at=MEETING, now=OPEN)
    call = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.channel == "voice", OutboxMessage.kind == "appointment_reminder"
        )
    ).first()
    form = {"CallSid": "CA" + "7" * 32, "AccountSid": "AC1", "To": hodan.phone}
    response = post_signed(client, f"/twilio/voice/reminder/{call.id}", form)
    root = ET.fromstring(response.data)
    heard = played(root)
    assert phrase("so", "Tryck 1 om du kommer. Tryck 2 om du inte kan komma.") <= set(heard)
    assert names.weekday(3) in heard and names.day(5) in heard
    assert swedish_says(root)
    answer = post_signed(client, f"/twilio/voice/reminder/{call.id}/answer", form | {"Digits": "1"})
    session.refresh(meeting)
    assert meeting.response == "confirmed"
    thanks = ET.fromstring(answer.data)
    assert phrase("so", "Tack! Vi har skrivit upp att du kommer.") <= set(played(thanks))
    assert thanks.find("Hangup") is not None
    assert session.get(Appointment, meeting.id).response == "confirmed"


@pytest.fixture
def representative_of_two(session, make_client):
    """A Somali-speaking god man of two clients, calling from their own number."""
    from app.models import Representative

    for first_name, phone in (("Hodan", "+46700000011"), ("Amina", "+46700000012")):
        client = make_client(first_name=first_name, phone=phone, language="so")
        session.add(
            Representative(
                client_id=client.id,
                name="Faysal Warsame",
                phone="+46700000001",
                role="god_man",
                language="so",
                copy_appointments=True,
            )
        )
    session.commit()


def test_whose_matters_is_asked_in_swedish_when_somali_has_no_recordings(
    session, phone, representative_of_two
):
    root = phone.start()
    assert root.find("Gather").get("action").startswith(f"{BASE}/twilio/voice/press/whose")
    assert "Tryck 1 för Hodan." in " ".join(el.text for el in root.iter("Say"))
    assert swedish_says(root) and not played(root)


def test_whose_matters_falls_back_to_swedish_then_the_menu_plays_in_somali(
    session, phone, representative_of_two
):
    record("so", skip=phrase("so", "Tryck {number} för {name}."))
    root = phone.start()
    assert "Tryck 1 för Hodan." in " ".join(el.text for el in root.iter("Say"))
    assert session.exec(select(CallStep)).one().voice == "fallback"
    menu = phone.press("2")
    assert phrase("so", "Tryck 1 för ditt nästa möte.") <= set(played(menu))
    assert "Amina" in " ".join(el.text for el in menu.iter("Say"))  # whose matters, by name


def _reminder_call(session, client, hodan) -> tuple[OutboxMessage, dict]:
    call = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.channel == "voice", OutboxMessage.client_id == hodan.id
        )
    ).first()
    return call, {"CallSid": "CA" + "8" * 32, "AccountSid": "AC1", "To": hodan.phone}


def test_a_discreet_somali_client_hears_only_who_calls_and_the_pin_question(session, client):
    from app.casework import pins

    record("so")
    hodan = create_client(session, channel="voice", language="so", privacy="discreet")
    pins.set_pin(session, hodan, "2468")
    session.commit()
    book_appointment(session, hodan, starts_at=MEETING, now=OPEN)
    call, form = _reminder_call(session, client, hodan)
    root = ET.fromstring(post_signed(client, f"/twilio/voice/reminder/{call.id}", form).data)
    heard = played(root)
    assert phrase("so", "Vi har ett nytt meddelande till dig.") <= set(heard)
    assert names.weekday(3) not in heard and names.day(5) not in heard  # nothing about it
    after = post_signed(client, f"/twilio/voice/reminder/{call.id}/pin", form | {"Digits": "2468"})
    redirect = ET.fromstring(after.data).find("Redirect").text
    told = ET.fromstring(post_signed(client, urlparse(redirect).path + "?pin=1", form).data)
    assert names.weekday(3) in played(told) and names.day(5) in played(told)


def test_a_recording_gone_after_planning_leaves_the_reminder_call_in_swedish(session, client):
    record("so")
    hodan = create_client(session, channel="voice", language="so")
    book_appointment(session, hodan, starts_at=MEETING, now=OPEN)
    call, form = _reminder_call(session, client, hodan)
    store().delete("so", inventory.aliases("so")[names.weekday(3)])
    root = ET.fromstring(post_signed(client, f"/twilio/voice/reminder/{call.id}", form).data)
    assert not played(root) and swedish_says(root)
    assert "torsdag 5 mars" in " ".join(el.text for el in root.iter("Say"))


# Found by the outside review


@pytest.mark.parametrize("recorded", ["none", "partial"])
def test_a_silent_caller_without_a_spoken_language_is_said_goodbye_and_hung_up(
    session, phone, make_client, recorded
):
    make_client(language="so")
    if recorded == "partial":
        record("so", skip=phrase("so", "Vi hörde inget svar."))
    phone.start()
    root = phone.silence()  # the offer said once more, then goodbye
    assert root[-1].tag == "Hangup"
    assert "Vi hörde inget svar." in " ".join(el.text for el in root.iter("Say"))


def test_office_hours_are_played_as_clock_times_not_said_in_swedish(
    session, unit, phone, make_client
):
    unit.office_hours = "mon-fri 08:30-16:30"
    session.add(unit)
    session.commit()
    make_client(language="so")
    record("so")
    phone.start()
    root = phone.press("6")
    heard = played(root)
    assert [n for n in heard if n.startswith("number-")][-4:] == [
        "number-8", "number-30", "number-16", "number-30",
    ]  # fmt: skip
    says = " ".join(el.text for el in root.iter("Say"))
    assert "8.30" not in says and "16.30" not in says


def test_an_answer_is_not_taken_when_its_confirmation_cannot_be_said(session, phone, make_client):
    caller = make_client(language="so")
    meeting = book_appointment(session, caller, starts_at=MEETING, now=OPEN)
    record("so", skip=phrase("so", "Tack! Vi har skrivit upp att du kommer."))
    phone.start()
    root = phone.press("1")  # option 1 lacks a recording: the offer, before anything is done
    assert root.find("Gather").get("action").startswith(f"{BASE}/twilio/voice/press/interpreter")
    session.refresh(meeting)
    assert meeting.response is None


def test_a_callback_is_not_asked_for_twice_when_option_4_cannot_be_said(
    session, phone, make_client
):
    from app.models import CallbackRequest

    make_client(language="so")
    record("so", skip=phrase("so", "Tryck 1 om du vill lämna ett kort meddelande"))
    phone.start()
    phone.press("4")
    assert session.exec(select(CallbackRequest)).all() == []
    phone.press("1")  # the interpreter offer's 1: one callback, with an interpreter
    (request,) = session.exec(select(CallbackRequest)).all()
    assert request.interpreter_needed


def test_a_caller_whose_language_has_no_recordings_is_counted_for_staff(
    session, phone, make_client
):
    make_client(language="ti")
    phone.start()
    step = session.exec(select(CallStep)).one()
    assert (step.language, step.voice, step.screen) == ("ti", "fallback", "menu")
    assert step.missing == inventory.missing_on("ti", "menu") > 0


def test_a_damaged_file_is_no_recording_and_the_screen_falls_back(session, phone, make_client):
    """A file cut short by a copy passes a look at its first bytes, not the audio check."""
    make_client(language="so")
    record("so")
    menu = sorted(phrase("so", "Tryck 2 för papper"))[0]
    with (store().folder("so") / f"{menu}.wav").open("r+b") as cut:
        cut.truncate(60)
    store().forget("so")
    assert not inventory.spoken("so", "menu")
    root = phone.start()
    assert root.find("Gather").get("action").startswith(f"{BASE}/twilio/voice/press/interpreter")
    assert menu not in played(root)


def test_a_support_offer_s_name_keeps_its_full_stop_for_the_voice(
    session, unit, phone, make_client
):
    from tests.factories import offer_support

    offer_support(session, unit, "budget_debt", phone="+46846500460", who="Budgetrådgivningen")
    make_client(language="sv")
    record("sv", only=phrase("sv", "Tryck 0 för att höra det igen.", whole=True))
    phone.start()
    root = phone.press("9")
    says = " ".join(el.text for el in root.iter("Say"))
    assert "Hjälp med pengar och skulder." in says
