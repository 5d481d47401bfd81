"""Bad news at the right time: a refusal, an ending and the end of an absence wait for the
contact's phone hours on a working day, early enough to call the same day; good news and
urgent kinds do not wait."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from app.casework import appointments, decisions
from app.models import OutboxMessage
from app.outbox.kinds import KINDS
from app.outbox.phone_hours import is_held, next_moment, next_phone_moment
from app.outbox.sweep import send_due
from tests.factories import book_appointment, create_client, create_staff, create_unit

STOCKHOLM = ZoneInfo("Europe/Stockholm")
HOURS = "mon-fri 09:00-12:00"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


FRIDAY_EVENING = local(2026, 3, 6, 17, 0)
pytestmark = pytest.mark.frozen_at(FRIDAY_EVENING)

REFUSED = dict(service="boendestod", outcome="refused", reasons="need_met_otherwise")


@pytest.mark.parametrize(
    ("moment", "goes"),
    [
        (local(2026, 3, 4, 10, 0), local(2026, 3, 4, 10, 0)),  # in phone hours: at once
        (local(2026, 3, 4, 7, 0), local(2026, 3, 4, 9, 0)),  # early: when the phone opens
        (local(2026, 3, 4, 11, 0), local(2026, 3, 4, 11, 0)),  # an hour left to call back
        (local(2026, 3, 4, 11, 1), local(2026, 3, 5, 9, 0)),  # too late to call today
        (FRIDAY_EVENING, local(2026, 3, 9, 9, 0)),  # Friday evening: Monday morning
        (local(2026, 3, 7, 10, 0), local(2026, 3, 9, 9, 0)),  # a Saturday: Monday
        (local(2026, 4, 2, 17, 0), local(2026, 4, 7, 9, 0)),  # Easter: Tuesday after
        (local(2026, 12, 23, 16, 0), local(2026, 12, 28, 9, 0)),  # Christmas
    ],
)
def test_bad_news_waits_for_the_next_phone_hours_on_a_working_day(moment, goes):
    assert next_phone_moment(HOURS, "08:00-20:00", moment, STOCKHOLM) == goes


def test_a_short_phone_hour_sends_when_the_phone_opens():
    hours = "mon-fri 09:00-09:30"
    assert next_phone_moment(hours, None, local(2026, 3, 4, 9, 10), STOCKHOLM) == local(
        2026, 3, 5, 9, 0
    )
    assert next_phone_moment(hours, None, local(2026, 3, 4, 8, 0), STOCKHOLM) == local(
        2026, 3, 4, 9, 0
    )


def test_phone_hours_also_keep_to_the_sending_window():
    # The phone opens at 07:00, but nothing is sent before 08:00.
    goes = next_phone_moment("mon-fri 07:00-16:00", "08:00-20:00", FRIDAY_EVENING, STOCKHOLM)
    assert goes == local(2026, 3, 9, 8, 0)


def test_unreadable_office_hours_leave_the_sending_window_alone():
    assert next_phone_moment("by appointment", "08:00-20:00", FRIDAY_EVENING, STOCKHOLM) == (
        FRIDAY_EVENING
    )


def test_only_bad_news_is_held_to_phone_hours():
    held = {name for name, kind in KINDS.items() if kind.phone_hours}
    assert {
        "decision_refused",
        "decision_partly_approved",
        "decision_ended",
        "support_ending",
        "absence_ended",
    } <= held
    assert not {"decision_approved", "decision_heads_up", "appointment_changed"} & held
    assert not any(KINDS[name].urgent for name in held)


def test_is_held_says_when_phone_hours_hold_a_message_the_window_would_send(session):
    unit = create_unit(session, office_hours=HOURS, sending_window="08:00-20:00")
    assert is_held(KINDS["decision_refused"], unit, FRIDAY_EVENING, STOCKHOLM)
    assert not is_held(KINDS["decision_approved"], unit, FRIDAY_EVENING, STOCKHOLM)
    assert not is_held(KINDS["decision_refused"], unit, local(2026, 3, 6, 10, 0), STOCKHOLM)
    assert next_moment(KINDS["appointment_cancelled"], unit, FRIDAY_EVENING, STOCKHOLM) == (
        FRIDAY_EVENING
    )


@pytest.fixture
def sara(session):
    unit = create_unit(session, office_hours=HOURS, sending_window="08:00-20:00")
    return create_client(session, create_staff(session, unit))


def planned(session, kind: str) -> OutboxMessage:
    session.commit()
    return session.exec(select(OutboxMessage).where(OutboxMessage.kind == kind)).one()


def test_a_friday_evening_refusal_is_planned_for_monday_morning(session, sara, outbox_file):
    decisions.decide(session, sara, now=FRIDAY_EVENING, **REFUSED)
    refusal = planned(session, "decision_refused")
    assert refusal.due_at == local(2026, 3, 9, 9, 0)
    assert send_due(FRIDAY_EVENING).sent == 0
    assert send_due(local(2026, 3, 9, 9, 0)).sent == 1


def test_a_refusal_decided_before_a_holiday_goes_on_the_next_working_day(session, sara):
    maundy_thursday = local(2026, 4, 2, 15, 0)
    decisions.decide(session, sara, now=maundy_thursday, **REFUSED)
    assert planned(session, "decision_refused").due_at == local(2026, 4, 7, 9, 0)


def test_an_approval_on_friday_evening_goes_at_once(session, sara):
    decisions.decide(session, sara, now=FRIDAY_EVENING, service="boendestod", outcome="approved")
    assert planned(session, "decision_approved").due_at == FRIDAY_EVENING


def test_the_sweep_postpones_bad_news_that_falls_due_outside_phone_hours(session, sara):
    decisions.decide(session, sara, now=local(2026, 3, 6, 10, 0), **REFUSED)
    refusal = planned(session, "decision_refused")
    refusal.due_at = FRIDAY_EVENING  # a retry, or hours changed since it was planned
    session.commit()
    result = send_due(FRIDAY_EVENING)
    assert (result.postponed, result.sent) == (1, 0)
    session.refresh(refusal)
    assert (refusal.status, refusal.due_at, refusal.attempts) == (
        "pending",
        local(2026, 3, 9, 9, 0),
        0,
    )


def test_a_support_ending_notice_due_on_a_saturday_waits_for_monday(app, session, sara):
    decisions.decide(
        session,
        sara,
        now=FRIDAY_EVENING,
        service="fardtjanst",  # not an LSS service: one notice, 30 days before
        outcome="approved",
        valid_to=date(2026, 6, 8),  # 30 days before is Saturday 9 May
    )
    assert planned(session, "support_ending").due_at == local(2026, 5, 11, 9, 0)


def test_an_urgent_message_still_goes_on_friday_evening(session, sara):
    meeting = book_appointment(
        session, sara, starts_at=local(2026, 3, 9, 10, 0), now=local(2026, 3, 2, 10, 0)
    )
    appointments.cancel(session, meeting, now=FRIDAY_EVENING)
    assert planned(session, "appointment_cancelled").due_at == FRIDAY_EVENING
