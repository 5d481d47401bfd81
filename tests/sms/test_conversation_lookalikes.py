"""Issue 17, through the signed webhook: replies that only look like a keyword change
nothing and go to a person; STOP cannot be undone by an everyday word."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import Appointment, Client, InboundMessage
from tests.factories import book_appointment, create_client, create_staff, create_unit
from tests.sms.test_conversation import text

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def staff(session):
    unit = create_unit(session, phone_menu_number="+46846500401")
    return create_staff(session, unit, email="lina@ekby.example", name="Lina Berg")


def latest(session) -> InboundMessage:
    session.expire_all()
    return session.exec(select(InboundMessage).order_by(InboundMessage.id.desc())).first()


@pytest.mark.parametrize(
    ("body", "language"),
    [
        ("Nej då, jag kommer", "sv"),
        ("لا مشكلة سأحضر", "ar"),
        ("Ei hätää, tulen", "fi"),
        ("No problem, I will come", "en"),
        ("Так получилось что не смогу", "uk"),
        ("Ja, mutta pääsenkö myöhemmin?", "fi"),
    ],
)
def test_a_reply_that_only_starts_with_a_keyword_leaves_the_meeting_to_a_person(
    client, session, staff, body, language
):
    sara = create_client(session, staff=staff, language=language)
    meeting = book_appointment(session, sara, starts_at=NOW + timedelta(days=3), now=NOW)
    text(client, body)
    session.expire_all()
    assert session.get(Appointment, meeting.id).response is None
    inbound = latest(session)
    assert inbound.intent == "free_text"
    assert inbound.needs_answer and inbound.assigned_staff_id == staff.id


@pytest.mark.parametrize("never", ["أبدا", "ابدا", "أبدًا", "ابداً"])
def test_never_in_arabic_after_stop_leaves_the_client_opted_out(client, session, staff, never):
    sara = create_client(session, staff=staff, language="ar")
    text(client, "توقف")
    session.expire_all()
    assert session.get(Client, sara.id).opted_out_at is not None
    text(client, never)
    session.expire_all()
    assert session.get(Client, sara.id).opted_out_at is not None
    assert latest(session).intent == "free_text"


def test_start_in_arabic_still_turns_texts_back_on(client, session, staff):
    sara = create_client(session, staff=staff, language="ar")
    text(client, "توقف")
    text(client, "ابدأ")
    session.expire_all()
    assert session.get(Client, sara.id).opted_out_at is None


@pytest.mark.parametrize(("body", "language"), [("لغو", "fa"), ("لغو", "prs"), ("CANCEL", "en")])
def test_cancel_does_not_switch_off_every_text(client, session, staff, body, language):
    sara = create_client(session, staff=staff, language=language)
    book_appointment(session, sara, starts_at=NOW + timedelta(days=3), now=NOW)
    text(client, body)
    session.expire_all()
    assert session.get(Client, sara.id).opted_out_at is None
    assert latest(session).intent == "cancel"


def test_a_text_is_stored_as_written_with_its_joiners_but_no_direction_tricks(
    client, session, staff
):
    """Persian's zero-width non-joiner (می‌خواهم) and emoji joiners are part of the text
    staff read; control and direction-override characters are not kept."""
    create_client(session, staff=staff, language="fa")
    text(client, "می\u200cخواهم وقت را عوض کنم \u202e👨\u200d👩\x07")
    assert latest(session).body == "می\u200cخواهم وقت را عوض کنم 👨\u200d👩"
