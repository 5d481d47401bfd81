"""A client may change an answer until the meeting (JA then NEJ, NEJ then JA), by text or by
phone; the answer is about the meeting they were last asked about; staff see the change on
Today; a representative's JA/NEJ answers for the client they write about."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import Appointment, AuditEvent, InboundMessage, Representative
from app.outbox.sweep import send_due
from tests.admin.conftest import sign_in
from tests.factories import (
    book_appointment,
    create_client,
    create_staff,
    create_unit,
    password_hash_of,
)
from tests.sms.test_conversation import text

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def lina(session):
    unit = create_unit(session, phone_menu_number="+46846500401")
    return create_staff(
        session, unit, email="lina@ekby.example", name="Lina Berg", phone="+46701740605"
    )


@pytest.fixture
def sara(session, lina):
    return create_client(session, staff=lina)


def fresh(session, appointment) -> Appointment:
    session.expire_all()
    return session.get(Appointment, appointment.id)


def test_a_client_who_said_ja_and_falls_ill_can_say_nej(client, session, sara, lina):
    meeting = book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    assert "Vi har skrivit upp att du kommer." in text(client, "JA")
    reply = text(client, "NEJ")
    assert "Du behöver inte komma" in reply and "onsdag 4 mars" in reply
    assert "inget möte som väntar på svar" not in reply
    changed = fresh(session, meeting)
    assert changed.response == "declined" and changed.previous_response == "confirmed"
    task = session.exec(select(InboundMessage).where(InboundMessage.intent == "no")).one()
    assert task.needs_answer and task.assigned_staff_id == lina.id
    assert send_due(NOW + timedelta(days=1)).sent == 0  # no reminder for a meeting declined


def test_nej_then_ja_confirms_again(client, session, sara):
    meeting = book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    text(client, "NEJ")
    assert "Vi har skrivit upp att du kommer." in text(client, "JA")
    changed = fresh(session, meeting)
    assert changed.response == "confirmed" and changed.previous_response == "declined"
    changed_answer = AuditEvent.action == "appointment_changed_answer"
    audit = session.exec(select(AuditEvent).where(changed_answer))
    assert [e.detail for e in audit] == ["declined to confirmed by sms"]


def test_the_same_answer_twice_is_no_change(client, session, sara):
    meeting = book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    text(client, "JA")
    text(client, "JA")
    assert fresh(session, meeting).previous_response is None


def test_no_change_once_the_meeting_has_started(client, session, sara, frozen_clock):
    meeting = book_appointment(session, sara, starts_at=NOW + timedelta(hours=2), now=NOW)
    text(client, "JA")
    frozen_clock.move_to(NOW + timedelta(hours=2, minutes=5))
    assert "Du har inget möte som väntar på svar." in text(client, "NEJ")
    assert fresh(session, meeting).response == "confirmed"


def test_the_answer_is_about_the_meeting_last_asked_about(client, session, sara):
    """Confirmed tomorrow's meeting, another is booked for next week: falling ill and
    texting NEJ is about tomorrow's, not next week's (which nobody has asked about yet)."""
    tomorrow = book_appointment(session, sara, starts_at=NOW + timedelta(days=1), now=NOW)
    text(client, "JA")
    next_week = book_appointment(session, sara, starts_at=NOW + timedelta(days=8), now=NOW)
    reply = text(client, "NEJ")
    assert "tisdag 3 mars" in reply
    assert fresh(session, tomorrow).response == "declined"
    assert fresh(session, next_week).response is None


def test_without_any_answer_the_nearest_meeting_is_meant(client, session, sara):
    first = book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    book_appointment(session, sara, starts_at=NOW + timedelta(days=9), now=NOW)
    text(client, "JA")
    assert fresh(session, first).response == "confirmed"


def test_a_representative_answers_for_the_client_they_write_about(client, session, sara, lina):
    other = create_client(
        session, staff=lina, first_name="Maja", last_name="Ek", phone="+46700000002"
    )
    for person in (sara, other):
        session.add(
            Representative(
                client_id=person.id,
                name="Anders Holm",
                role="god_man",
                phone="+46701740607",
                copy_appointments=True,
            )
        )
    session.commit()
    saras = book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    majas = book_appointment(session, other, starts_at=NOW + timedelta(days=2), now=NOW)
    assert "1 Sara" in text(client, "JA", sender="+46701740607")  # whose? (not acted on)
    assert fresh(session, saras).response is None
    text(client, "2", sender="+46701740607")  # Maja
    reply = text(client, "JA", sender="+46701740607")
    assert "Det här gäller Maja" in reply and "Vi har skrivit upp" in reply
    assert fresh(session, majas).response == "confirmed"
    assert fresh(session, saras).response is None
    reply = text(client, "NEJ", sender="+46701740607")  # and may change it, for Maja
    assert fresh(session, majas).response == "declined"


def test_a_representative_without_the_meeting_permission_answers_nothing(client, session, sara):
    session.add(
        Representative(client_id=sara.id, name="Anders Holm", role="relative", phone="+46701740607")
    )
    session.commit()
    meeting = book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    text(client, "JA", sender="+46701740607")
    assert fresh(session, meeting).response is None


def test_today_shows_a_changed_answer(client, session, sara, lina):

    lina.password_hash = password_hash_of("correct horse battery")
    session.add(lina)
    session.commit()
    back = book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    ill = book_appointment(session, sara, starts_at=NOW + timedelta(days=3), now=NOW)
    text(client, "NEJ")  # the nearest: back
    text(client, "JA")  # ... changed back to coming
    assert fresh(session, back).response == "confirmed"
    text(client, "1")  # asks about the next meeting (not an answer)
    sign_in(client, lina)
    page = client.get("/admin/").get_data(as_text=True)
    assert "Changed answers" in page
    assert "can come after all" in page
    # the other meeting, answered once, is no change
    assert fresh(session, ill).previous_response is None


def test_by_phone_the_menu_says_the_answer_and_lets_it_change(client, session, sara):
    from tests.calls.test_menu import Caller

    meeting = book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    text(client, "JA")
    phone = Caller(client)
    phone.start()
    phone.press("1")
    assert "Du har svarat att du kommer." in phone.said
    assert "Tryck 2 om du inte kan komma." in phone.said
    phone.press("2")
    assert "Vi hör av oss om en ny tid." in phone.said
    changed = fresh(session, meeting)
    assert changed.response == "declined" and changed.previous_response == "confirmed"


@pytest.mark.parametrize(("body", "language"), [("CANCEL", "en"), ("لغو", "fa"), ("cancel", "sv")])
def test_a_word_that_may_mean_cancel_the_meeting_asks_instead_of_stopping(
    client, session, sara, body, language
):
    from app.models import Client

    sara.language = language
    session.add(sara)
    session.commit()
    meeting = book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    reply = text(client, body)
    assert reply  # a question back, in the client's language
    session.expire_all()
    assert session.get(Client, sara.id).opted_out_at is None
    assert fresh(session, meeting).response is None
    task = session.exec(select(InboundMessage)).one()
    assert task.intent == "cancel" and task.needs_answer
    if language == "sv":
        assert "Du ska träffa Lina Berg onsdag 4 mars klockan 9.00." in reply
        assert "Svara JA om du kommer, NEJ om du inte kan." in reply
        assert "Svara STOPP." in reply
        assert "Lina Berg svarar dig senast onsdag 4 mars." in reply  # a person reads it
    text(client, "NEJ" if language == "sv" else {"en": "NO", "fa": "نه"}[language])
    assert fresh(session, meeting).response == "declined"


def test_an_answer_after_text_1_is_about_the_meeting_it_showed(client, session, sara):
    later = book_appointment(session, sara, starts_at=NOW + timedelta(days=6), now=NOW)
    text(client, "JA")  # the only meeting then
    sooner = book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    shown = text(client, "1")
    assert "onsdag 4 mars" in shown and "Svara JA om du kommer, NEJ om du inte kan." in shown
    reply = text(client, "NEJ")
    assert "onsdag 4 mars" in reply
    assert fresh(session, sooner).response == "declined"
    assert fresh(session, later).response == "confirmed"


def test_a_client_who_switched_texts_off_is_told_how_to_switch_them_on(client, session, sara):
    """Free text after STOPP still reaches a person, but no answer can come by SMS: the
    reply says so and how to start again, instead of promising an answer."""
    text(client, "STOPP")
    reply = text(client, "Jag vill ha sms igen men vet inte hur")
    assert "Skriv START om du vill ha sms igen." in reply
    assert "svarar dig senast" not in reply
    task = session.exec(select(InboundMessage).order_by(InboundMessage.id.desc())).first()
    assert task.needs_answer and task.intent == "free_text"


def test_confirming_again_clears_the_find_a_new_time_task(client, session, sara):
    meeting = book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    text(client, "NEJ")
    declined = session.exec(select(InboundMessage).where(InboundMessage.intent == "no")).one()
    assert declined.needs_answer and declined.handled_at is None
    text(client, "JA")
    session.expire_all()
    assert session.get(InboundMessage, declined.id).handled_at is not None
    assert fresh(session, meeting).response == "confirmed"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "inbound_handled")).one()
    assert event.detail == "the client confirmed the meeting again"


def test_the_cancel_question_names_no_meeting_to_those_who_may_not_read_it(
    client, session, sara, lina
):
    """A discreet client (no PIN by SMS) is asked without date, time or place; a
    representative without the meeting permission is not told about a meeting at all."""
    sara.privacy = "discreet"
    session.add(sara)
    session.add(
        Representative(
            client_id=sara.id, name="Anders Holm", role="relative", phone="+46701740607"
        )  # fmt: skip
    )
    session.commit()
    book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    discreet = text(client, "AVBRYT")
    assert "Svara JA om du kommer, NEJ om du inte kan." in discreet
    assert "klockan" not in discreet and "Storgatan" not in discreet and "Du ska" not in discreet
    relative = text(client, "AVBRYT", sender="+46701740607")
    assert "Svara JA om du kommer" not in relative and "klockan" not in relative
    assert "Svara STOPP." in relative
