"""Nobody is texted at night or on a holiday: ordinary messages wait for the unit's sending
window (08:00-20:00 local by default); urgent ones go at once. Local times hold across
daylight-saving changes."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from app.casework import appointments
from app.models import OutboxMessage, Unit
from app.outbox.sending_window import is_open, next_open, parse_window
from app.outbox.sweep import send_due
from tests.factories import book_appointment, create_client, create_staff, create_unit

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


@pytest.mark.parametrize(
    ("moment", "opens"),
    [
        (local(2026, 3, 4, 12, 0), local(2026, 3, 4, 12, 0)),  # inside: at once
        (local(2026, 3, 4, 7, 59), local(2026, 3, 4, 8, 0)),  # early morning: at eight
        (local(2026, 3, 4, 20, 0), local(2026, 3, 5, 8, 0)),  # evening: next morning
        (local(2026, 3, 7, 10, 0), local(2026, 3, 7, 10, 0)),  # a Saturday is fine
        (local(2026, 12, 24, 10, 0), local(2026, 12, 27, 8, 0)),  # Christmas eve, day, next
        (local(2026, 12, 31, 21, 0), local(2027, 1, 2, 8, 0)),  # New Year's eve and day
        (local(2026, 6, 19, 9, 0), local(2026, 6, 21, 8, 0)),  # midsummer eve and day
    ],
)
def test_ordinary_messages_wait_for_the_next_open_moment(moment, opens):
    assert next_open("08:00-20:00", moment, STOCKHOLM) == opens
    assert is_open("08:00-20:00", moment, STOCKHOLM) == (moment == opens)


def test_the_window_keeps_its_local_hours_across_daylight_saving():
    # Summer time starts on 29 March 2026: 08:00 local is 07:00 UTC before, 06:00 after.
    before = next_open(None, datetime(2026, 3, 28, 3, 0, tzinfo=UTC), STOCKHOLM)
    after = next_open(None, datetime(2026, 3, 30, 3, 0, tzinfo=UTC), STOCKHOLM)
    assert before == datetime(2026, 3, 28, 7, 0, tzinfo=UTC)
    assert after == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "8-20", "20:00-08:00", "25:00-26:00", "08:00-08:00"])
def test_a_window_must_be_a_stretch_of_one_day(text):
    with pytest.raises(ValueError):
        parse_window(text)


@pytest.fixture
def night_unit(session):
    return create_unit(session, sending_window="08:00-20:00", reminder_offsets="1d")


def test_a_reminder_due_at_night_goes_out_at_eight_the_next_morning(app, session, night_unit):
    staff = create_staff(session, night_unit)
    sara = create_client(session, staff)
    meeting = local(2026, 3, 6, 9, 0)
    planned_at = local(2026, 3, 2, 12, 0)
    book_appointment(session, sara, starts_at=meeting, now=planned_at)
    night = local(2026, 3, 5, 9, 0) - timedelta(hours=11)  # the 1-day reminder, moved to 22:00
    reminder = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == "appointment_reminder")
    ).one()
    reminder.due_at = night
    session.commit()
    result = send_due(night)
    assert result.postponed == 1 and result.sent == 0
    session.expire_all()
    waiting = session.get(OutboxMessage, reminder.id)
    assert (waiting.status, waiting.due_at, waiting.attempts) == (
        "pending",
        local(2026, 3, 5, 8, 0),
        0,
    )
    assert send_due(local(2026, 3, 5, 7, 59)).sent == 0
    assert send_due(local(2026, 3, 5, 8, 0)).sent == 1


def test_an_urgent_message_goes_out_at_night(app, session, night_unit):
    staff = create_staff(session, night_unit)
    sara = create_client(session, staff)
    evening = local(2026, 3, 5, 22, 30)
    meeting = book_appointment(session, sara, starts_at=local(2026, 3, 6, 9, 0), now=evening)
    appointments.cancel(session, meeting, now=evening)
    session.commit()
    send_due(evening)
    sent = session.exec(select(OutboxMessage).where(OutboxMessage.status == "sent")).all()
    assert [m.kind for m in sent] == ["appointment_cancelled"]


def test_a_unit_can_widen_its_window(app, session, night_unit):
    night_unit.sending_window = "07:00-21:00"
    session.add(night_unit)
    session.commit()
    assert session.get(Unit, night_unit.id).sending_window == "07:00-21:00"
    staff = create_staff(session, night_unit)
    sara = create_client(session, staff)
    session.add(OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key="w",
                              due_at=local(2026, 3, 5, 20, 30), subject_type="client",
                              subject_id=sara.id))  # fmt: skip
    session.commit()
    assert send_due(local(2026, 3, 5, 20, 30)).sent == 1
