"""POST /twilio/sms: the two-way conversation, end to end through the signed webhook."""

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from app.casework import checklists, decisions, handovers
from app.models import (
    Appointment,
    CallbackRequest,
    Client,
    FeedbackAnswer,
    InboundMessage,
    OutboxMessage,
    Representative,
)
from app.outbox.sweep import send_due
from app.words.languages import languages
from tests.factories import book_appointment, create_client, create_staff, create_unit
from tests.signing import post_signed

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
_counter = iter(range(1, 10**9))

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def team(session):
    unit = create_unit(session, phone_menu_number="+46846500401")
    lina = create_staff(
        session, unit, email="lina@ekby.example", name="Lina Berg", phone="+46701740605"
    )
    omar = create_staff(
        session, unit, email="omar@ekby.example", name="Omar Haddad", phone="+46701740606"
    )
    return unit, lina, omar


@pytest.fixture
def sara(session, team):
    return create_client(session, staff=team[1])


def text(client, body, sender="+46700000001", sid=None, **extra):
    params = {
        "MessageSid": sid or f"SM{next(_counter):032d}",
        "AccountSid": "AC1",
        "From": sender,
        "To": "+46846500400",
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
    } | extra
    response = post_signed(client, "/twilio/sms", params)
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    return "\n".join(m.text or "" for m in root.iter("Message"))


def count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


# The menu and the options


@pytest.mark.parametrize("body", ["HJÄLP", "hjalp", " Meny! ", "?", "help", "HELP me", "info"])
def test_help_in_any_form_gives_the_numbered_menu(client, sara, body):
    reply = text(client, body)
    assert "Svara med en siffra:" in reply
    for line in (
        "1 Nästa möte",
        "2 Papper vi väntar på",
        "3 Senaste beslutet",
        "4 Ring mig",
        "5 Byt språk",
        "6 Min kontakt",
        "7 Tyck till eller klaga",
    ):
        assert line in reply


@pytest.mark.parametrize("body", ["1", "١", "۱", " 1 "])
def test_one_tells_the_next_meeting_in_any_digits(client, session, sara, body):
    book_appointment(session, sara, starts_at=datetime(2026, 3, 4, 13, 0, tzinfo=UTC), now=NOW)
    reply = text(client, body)
    assert "Ditt nästa möte:" in reply
    assert "Du ska träffa Lina Berg onsdag 4 mars klockan 14.00." in reply


def test_one_without_a_meeting_says_so(client, sara):
    assert "Du har inget bokat möte just nu." in text(client, "1")


def test_two_lists_only_the_missing_documents(client, session, sara):
    checklist = checklists.create(
        session,
        sara,
        application_type="ekonomiskt_bistand",
        due_date=date(2026, 3, 9),
        documents=["hyresavi", "kontoutdrag"],
        now=NOW,
    )
    checklists.receive(session, checklist, "hyresavi", now=NOW)
    session.commit()
    reply = text(client, "2")
    assert "Vi väntar på kontoutdrag. Skicka dem senast måndag 9 mars." in reply
    assert "hyresavi" not in reply


def test_two_with_nothing_missing(client, sara):
    assert "Vi väntar inte på några papper från dig just nu." in text(client, "2")


def test_three_gives_the_latest_decision(client, session, sara):
    decisions.decide(
        session,
        sara,
        now=NOW,
        service="boendestod",
        outcome="approved",
        scope_amount=6,
        scope_unit="hours_per_week",
        valid_from=date(2026, 4, 1),
    )
    session.commit()
    reply = text(client, "3")
    assert "Du får boendestöd." in reply and "överklaga senast måndag 23 mars" in reply


def test_an_old_decision_no_longer_offers_an_appeal_date(client, session, sara):
    decisions.decide(
        session,
        sara,
        now=NOW - timedelta(days=60),
        service="boendestod",
        outcome="approved",
        decided_on=date(2025, 12, 1),
    )
    session.commit()
    reply = text(client, "3")
    assert "Du får boendestöd." in reply and "överklaga" not in reply


def test_a_discreet_client_gets_no_details_by_sms(client, session, team):
    create_client(session, staff=team[1], privacy="discreet")
    book_appointment(
        session, session.exec(select(Client)).one(), starts_at=NOW + timedelta(days=2), now=NOW
    )
    for option in ("1", "2", "3"):
        reply = text(client, option)
        assert "Det här skriver vi inte i sms" in reply
        assert "08-465 004 01" in reply
        assert "klockan" not in reply


def test_four_and_ring_queue_a_callback_with_language_and_interpreter(client, session, sara):
    reply = text(client, "RING")
    assert "Lina Berg ringer dig senast onsdag 4 mars." in reply
    request = session.exec(select(CallbackRequest)).one()
    assert (request.client_id, request.language, request.interpreter_needed) == (
        sara.id,
        "sv",
        False,
    )
    assert request.source == "sms"
    text(client, "4")
    assert count(session, CallbackRequest) == 2
    assert (
        session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "callback_confirmation")
        ).all()
        == []
    )


def test_five_then_a_number_changes_the_language_and_confirms_in_it(client, session, sara):
    reply = text(client, "5")
    assert "Vilket språk vill du ha? Svara med siffran." in reply
    for number, language in enumerate(languages(), 1):
        assert f"{number} {language.native_name}" in reply
    reply = text(client, "2")
    assert reply.startswith("Hello Sara! This is Ekby kommun.")
    assert "We will now write to you in English." in reply
    session.expire_all()
    assert session.get(Client, sara.id).language == "en"


def test_a_number_long_after_the_language_list_is_an_ordinary_option(client, session, sara):
    text(client, "SPRÅK")
    with time_machine.travel(NOW + timedelta(minutes=20), tick=False):
        reply = text(client, "2")
    assert "Vi väntar inte på några papper" in reply
    session.expire_all()
    assert session.get(Client, sara.id).language == "sv"


def test_six_names_the_contact_and_the_stand_in_during_an_absence(client, session, team, sara):
    assert "Din kontakt hos oss är Lina Berg." in text(client, "6")
    handovers.hand_over(
        session,
        sara,
        team[2],
        kind="absence",
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 13),
        now=NOW,
    )
    session.commit()
    reply = text(client, "6")
    assert "Omar Haddad hjälper dig medan Lina Berg är borta." in reply
    assert "070-174 06 06" in reply


def test_seven_says_where_to_complain(client, sara):
    assert "fråga efter chefen" in text(client, "7")


@pytest.mark.parametrize("body", ["10", "0", "99"])
def test_an_unknown_number_gives_the_menu(client, sara, body):
    assert "Svara med en siffra:" in text(client, body)


# Answers to a meeting


def test_ja_confirms_the_nearest_meeting_awaiting_an_answer(client, session, sara):
    first = book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    book_appointment(session, sara, starts_at=NOW + timedelta(days=9), now=NOW)
    reply = text(client, "Ja, jag kommer!")
    assert "Tack! Vi har skrivit upp att du kommer." in reply
    session.expire_all()
    assert session.get(Appointment, first.id).response == "confirmed"


def test_nej_declines_tells_staff_and_stops_the_reminders(client, session, sara, team):
    appointment = book_appointment(session, sara, starts_at=NOW + timedelta(days=5), now=NOW)
    reply = text(client, "nej")
    assert "Vi hör av oss om en ny tid." in reply
    session.expire_all()
    assert session.get(Appointment, appointment.id).response == "declined"
    task = session.exec(select(InboundMessage)).one()
    assert task.needs_answer and task.assigned_staff_id == team[1].id
    assert send_due(NOW + timedelta(days=5)).sent == 0


def test_ja_without_a_meeting_says_there_is_none(client, sara):
    assert "Du har inget möte som väntar på svar." in text(client, "JA")


# Opt-out and back


@pytest.mark.parametrize("body", ["STOPP", "stop", "Sluta", "avsluta", "STOP."])
def test_stop_words_opt_out_of_everything_but_the_confirmation(client, session, sara, body):
    book_appointment(session, sara, starts_at=NOW + timedelta(hours=20), now=NOW)
    reply = text(client, body)
    assert "Du får inga fler sms från oss." in reply
    assert "Skriv START om du vill ha sms igen." in reply
    session.expire_all()
    assert session.get(Client, sara.id).opted_out_at is not None
    assert send_due(NOW).sent == 0


def test_stop_inside_a_sentence_goes_to_a_person_instead(client, session, sara):
    reply = text(client, "stopp min tid på tisdag, jag är sjuk")
    assert "Tack! Vi har fått ditt sms." in reply
    session.expire_all()
    assert session.get(Client, sara.id).opted_out_at is None


def test_twilio_s_own_stop_is_respected_without_a_second_reply(client, session, sara):
    assert text(client, "STOP", OptOutType="STOP") == ""
    session.expire_all()
    assert session.get(Client, sara.id).opted_out_at is not None


def test_start_turns_messages_back_on(client, session, sara):
    text(client, "STOPP")
    reply = text(client, "START")
    assert "Välkommen tillbaka! Nu får du sms från oss igen." in reply
    session.expire_all()
    assert session.get(Client, sara.id).opted_out_at is None


# Free text, strangers and representatives


def test_free_text_goes_to_the_case_worker_with_a_promise_of_when(client, session, sara, team):
    reply = text(client, "Hej! Jag har fått ett brev som jag inte förstår.")
    assert "Tack! Vi har fått ditt sms." in reply
    assert "Lina Berg svarar dig senast onsdag 4 mars." in reply
    stored = session.exec(select(InboundMessage)).one()
    assert stored.body == "Hej! Jag har fått ett brev som jag inte förstår."
    assert stored.needs_answer and stored.assigned_staff_id == team[1].id


def test_free_text_during_an_absence_goes_to_the_stand_in(client, session, sara, team):
    handovers.hand_over(
        session,
        sara,
        team[2],
        kind="absence",
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 13),
        now=NOW,
    )
    session.commit()
    assert "Omar Haddad svarar dig" in text(client, "Kan vi ses nästa vecka?")
    stored = session.exec(select(InboundMessage)).one()
    assert stored.assigned_staff_id == team[2].id


def test_an_unknown_number_learns_nothing_about_anyone(client, session, sara):
    book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    for body in ("1", "HJÄLP", "3", "Hej, vem är detta?"):
        reply = text(client, body, sender="+46709999999")
        assert "Vi känner inte igen ditt nummer." in reply
        assert "We do not recognise your number." in reply
        assert "08-465 004 00" in reply
        assert "Sara" not in reply and "Lina" not in reply and "klockan" not in reply
    assert count(session, InboundMessage) == 4


def test_a_representative_gets_only_what_the_client_allowed(client, session, sara):
    session.add(
        Representative(
            client_id=sara.id,
            name="Anders Holm",
            role="god_man",
            phone="+46701740607",
            copy_appointments=True,
        )
    )
    session.commit()
    book_appointment(session, sara, starts_at=datetime(2026, 3, 4, 13, 0, tzinfo=UTC), now=NOW)
    menu = text(client, "HJÄLP", sender="+46701740607")
    assert menu.startswith("Hej Anders Holm!")
    assert "1 Nästa möte" in menu and "3 Senaste beslutet" not in menu
    assert "onsdag 4 mars klockan 14.00" in text(client, "1", sender="+46701740607")
    refused = text(client, "3", sender="+46701740607")  # decisions not allowed: the menu again
    assert "Svara med en siffra:" in refused and "3 Senaste beslutet" not in refused


def test_a_photo_is_kept_and_goes_to_staff(client, session, sara):
    text(
        client,
        "",
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
    )
    stored = session.exec(select(InboundMessage)).one()
    assert stored.media.endswith("/Media/ME1") and stored.needs_answer


# Feedback answers are anonymous


def test_an_answer_to_the_feedback_question_is_stored_without_the_client(client, session, sara):
    book_appointment(session, sara, starts_at=NOW + timedelta(hours=20), now=NOW)
    send_due(NOW + timedelta(hours=22, minutes=1))  # the question goes out after the meeting
    with time_machine.travel(NOW + timedelta(hours=23), tick=False):
        reply = text(client, "2")
    assert "Tack för ditt svar!" in reply
    answer = session.exec(select(FeedbackAnswer)).one()
    assert answer.score == 2 and not hasattr(answer, "client_id")
    stored = session.exec(select(InboundMessage).where(InboundMessage.intent == "feedback")).one()
    assert stored.body is None
    with time_machine.travel(NOW + timedelta(hours=23, minutes=5), tick=False):
        assert "Vi väntar inte på några papper" in text(client, "2")  # only one answer counts


# Reliability


def test_a_retried_webhook_neither_stores_nor_acts_twice(client, session, sara):
    first = text(client, "RING", sid="SM" + "7" * 32)
    again = text(client, "RING", sid="SM" + "7" * 32)
    assert first == again
    assert count(session, InboundMessage) == 1
    assert count(session, CallbackRequest) == 1


def test_an_unsigned_text_is_refused_and_stored_nowhere(client, session, sara):
    response = client.post(
        "/twilio/sms", data={"MessageSid": "SM1", "From": "+46700000001", "Body": "STOPP"}
    )
    assert response.status_code == 403
    assert count(session, InboundMessage) == 0
    session.expire_all()
    assert session.get(Client, sara.id).opted_out_at is None


@pytest.mark.parametrize(
    "params",
    [
        {"Body": ""},
        {"Body": "x" * 1600},
        {"Body": "😀🎉👍 hej"},
        {"Body": "مرحبا، أريد موعدا"},
        {"Body": "hej\x00\x01\x1b[31m"},
        {"Body": "hej", "UnknownNewField": "value"},
        {},
    ],
)
def test_odd_input_gets_valid_twiml_and_is_kept(client, session, sara, params):
    base = {"MessageSid": f"SM{next(_counter):032d}", "From": "+46700000001", "To": "+46846500400"}
    response = post_signed(client, "/twilio/sms", base | params)
    assert response.status_code == 200
    root = ET.fromstring(response.data)
    assert all(len(m.text or "") <= 1600 for m in root.iter("Message"))
    assert count(session, InboundMessage) == 1


def test_missing_message_sid_and_sender_still_get_an_answer(client, session):
    response = post_signed(client, "/twilio/sms", {"Body": "hej"})
    assert response.status_code == 200
    assert ET.fromstring(response.data).tag == "Response"
    assert count(session, InboundMessage) == 1


def test_every_keyword_in_every_language_is_understood(client, session, team):
    for index, language in enumerate(languages(), 1):
        phone = f"+4670000{index:04d}"
        create_client(
            session, staff=team[1], phone=phone, language=language.code, first_name=f"Klient{index}"
        )
        for word in language.keywords["help"]:
            assert text(client, word, sender=phone), (language.code, word)
            assert (
                session.exec(select(InboundMessage).order_by(InboundMessage.id.desc()))
                .first()
                .intent
                == "help"
            )
        for intent in ("yes", "no", "call", "language", "start"):
            for word in language.keywords[intent]:
                text(client, f"  {word.lower()}! ", sender=phone)
                latest = session.exec(
                    select(InboundMessage).order_by(InboundMessage.id.desc())
                ).first()
                expected = {
                    "yes": "yes",
                    "no": "no",
                    "call": "call",
                    "language": "language",
                    "start": "start",
                }[intent]
                assert latest.intent == expected, (language.code, word, latest.intent)
        for word in language.keywords["stop"]:
            text(client, word, sender=phone)
            latest = session.exec(select(InboundMessage).order_by(InboundMessage.id.desc())).first()
            assert latest.intent == "stop", (language.code, word)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.text(max_size=1700))
def test_any_text_gets_a_valid_short_answer(client, sara, body):
    response = post_signed(
        client,
        "/twilio/sms",
        {"MessageSid": f"SM{next(_counter):032d}", "From": "+46700000001", "Body": body},
    )
    assert response.status_code == 200
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    assert all(len(m.text or "") <= 1600 for m in root.iter("Message"))
