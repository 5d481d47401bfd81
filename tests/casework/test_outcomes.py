"""A unit's outcomes (app/casework/outcomes.py) from known data: exact rates by month,
language, channel and kind, months in the unit's time zone, empty months, nothing to
divide by, small numbers, and other units left out."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.casework import outcomes
from app.casework.outcomes import Rate
from app.models import Appointment, CallbackRequest, OutboxMessage
from tests.factories import create_client, create_staff, create_unit

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
FIRST, LAST = date(2026, 1, 1), date(2026, 6, 1)

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def unit(session):
    return create_unit(session)


@pytest.fixture
def people(session, unit):
    lina = create_staff(session, unit)
    sara = create_client(session, lina)
    amal = create_client(session, lina, first_name="Amal", phone="+46700000003", language="ar",
                         channel="both")  # fmt: skip
    return sara, amal


@pytest.fixture
def elsewhere(session):
    """A client of another unit, whose records never count."""
    other = create_unit(session, name="Västby", phone="+46846500500")
    return create_client(session, create_staff(session, other, email="x@vastby.example"),
                         phone="+46700000009")  # fmt: skip


_serial = iter(range(1, 10_000))


def message(session, client, status: str, at: datetime, **values) -> OutboxMessage:
    row = OutboxMessage(
        **{
            "kind": "appointment_reminder",
            "channel": "sms",
            "client_id": client.id,
            "dedupe_key": f"test:{next(_serial)}",
            "due_at": at,
            "status": status,
            "language": client.language,
            "sent_at": at,
        }
        | values
    )
    session.add(row)
    session.commit()
    return row


def meeting(session, client, starts_at: datetime, *, reminded: bool = True, **values):
    appointment = Appointment(client_id=client.id, starts_at=starts_at, **values)
    session.add(appointment)
    session.commit()
    if reminded:
        message(session, client, "sent", starts_at - timedelta(days=1),
                subject_type="appointment", subject_id=appointment.id)  # fmt: skip
    return appointment


def callback(session, client, created_at: datetime, handled_after: timedelta | None, **values):
    row = CallbackRequest(
        client_id=client.id,
        unit_id=client.unit_id,
        language=client.language,
        created_at=created_at,
        handled_at=created_at + handled_after if handled_after is not None else None,
        **values,
    )
    session.add(row)
    session.commit()
    return row


def compute(session, unit):
    return outcomes.outcomes(session, unit.id, FIRST, LAST, NOW)


def test_rates_never_divide_by_zero():
    assert Rate().value is None
    assert Rate(0, 3).value == 0
    assert Rate(1, 3).value == pytest.approx(1 / 3)
    assert Rate(3, 3).value == 1


def test_every_month_is_there_and_an_empty_one_has_no_rates(session, unit, people):
    result = compute(session, unit)
    assert [month for month, _tally in result.months] == [date(2026, m, 1) for m in range(1, 7)]
    for _month, tally in result.months:
        assert tally.size == 0
        assert tally.delivery.value is None and tally.confirmation.value is None
        assert tally.no_show_when_confirmed.value is None and tally.median_answer is None
    assert result.languages == {} and result.kinds == {}


def test_delivery_counts_reported_outcomes(session, unit, people, elsewhere):
    sara, amal = people
    march = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    for status in ("delivered", "delivered", "delivered", "undelivered", "failed"):
        message(session, sara, status, march)
    message(session, sara, "sent", march)  # no report yet: apart
    message(session, sara, "skipped", march, sent_at=None)  # never handed over
    message(session, sara, "cancelled", march, sent_at=None)
    message(session, amal, "delivered", march, channel="voice")
    message(session, amal, "failed", march, kind="welcome", sent_at=None, final_at=march)
    message(session, elsewhere, "undelivered", march)
    result = compute(session, unit)
    tally = dict(result.months)[date(2026, 3, 1)]
    assert tally.delivery == Rate(4, 7) and tally.awaiting == 1
    assert result.total.delivery == Rate(4, 7)
    assert result.languages["sv"].delivery == Rate(3, 5)
    assert result.languages["ar"].delivery == Rate(1, 2)
    assert result.channels["sms"].delivery == Rate(3, 6)
    assert result.channels["voice"].delivery == Rate(1, 1)
    assert result.kinds["appointment_reminder"].delivery == Rate(4, 6)
    assert result.kinds["welcome"].delivery == Rate(0, 1)
    assert list(result.kinds) == ["appointment_reminder", "welcome"]  # the biggest first


def test_months_are_the_units_local_months(session, unit, people):
    sara, _ = people
    # 31 March 22:30 UTC is 1 April 00:30 in Stockholm (summer time).
    message(session, sara, "delivered", datetime(2026, 3, 31, 22, 30, tzinfo=UTC))
    # 31 January 22:59 UTC is still January in Stockholm (winter time, UTC+1).
    message(session, sara, "delivered", datetime(2026, 1, 31, 22, 59, tzinfo=UTC))
    # Before the range (31 December 22:59 UTC is still 2025 in Stockholm).
    message(session, sara, "delivered", datetime(2025, 12, 31, 22, 59, tzinfo=UTC))
    months = dict(compute(session, unit).months)
    assert months[date(2026, 3, 1)].delivered == 0
    assert months[date(2026, 4, 1)].delivered == 1
    assert months[date(2026, 1, 1)].delivered == 1
    assert sum(t.delivered for t in months.values()) == 2


def test_confirmation_and_no_show_with_and_without_a_confirmed_reminder(
    session, unit, people, elsewhere
):
    sara, amal = people
    april = datetime(2026, 4, 14, 8, 0, tzinfo=UTC)
    meeting(session, sara, april, response="confirmed", attendance="came")
    meeting(session, sara, april, response="confirmed", attendance="no_show")
    meeting(session, amal, april, attendance="no_show")  # reminded, never answered
    meeting(session, sara, april, reminded=False, attendance="came")
    meeting(session, sara, april, response="declined", status="cancelled")
    meeting(session, sara, april, response="confirmed", attendance="cancelled")
    meeting(session, amal, april)  # started, nothing recorded
    meeting(session, sara, NOW + timedelta(hours=1), response="confirmed")  # not yet
    meeting(session, elsewhere, april, response="confirmed", attendance="no_show")
    result = compute(session, unit)
    tally = dict(result.months)[date(2026, 4, 1)]
    assert tally.confirmation == Rate(3, 6)
    assert tally.no_show_when_confirmed == Rate(1, 2)
    assert tally.no_show_when_unconfirmed == Rate(1, 2)
    assert tally.no_show == Rate(2, 4)
    assert tally.not_recorded == 1
    assert dict(result.months)[date(2026, 6, 1)].size == 1  # June: only its reminder, sent
    assert result.languages["ar"].confirmation == Rate(0, 2)
    assert result.languages["ar"].no_show_when_unconfirmed == Rate(1, 1)
    assert result.channels["both"].not_recorded == 1
    assert result.channels["sms"].confirmation == Rate(3, 4)  # not the one never reminded


def test_a_yes_without_any_reminder_is_not_a_confirmed_reminder(session, unit, people):
    sara, _amal = people
    april = datetime(2026, 4, 14, 8, 0, tzinfo=UTC)
    meeting(session, sara, april, reminded=False, response="confirmed", attendance="no_show")
    tally = dict(compute(session, unit).months)[date(2026, 4, 1)]
    assert tally.confirmation.whole == 0  # no reminder reached the provider
    assert tally.no_show_when_confirmed.whole == 0
    assert tally.no_show_when_unconfirmed == Rate(1, 1)


def test_small_numbers_are_exact(session, unit, people):
    sara, _ = people
    may = datetime(2026, 5, 5, 8, 0, tzinfo=UTC)
    meeting(session, sara, may, response="confirmed", attendance="came")
    meeting(session, sara, may, attendance="no_show")
    meeting(session, sara, may, attendance="came")
    tally = dict(compute(session, unit).months)[date(2026, 5, 1)]
    assert tally.confirmation == Rate(1, 3)
    assert tally.no_show == Rate(1, 3)
    assert tally.no_show_when_confirmed == Rate(0, 1)
    assert tally.no_show_when_unconfirmed == Rate(1, 2)


def test_callbacks_and_the_median_time_to_answer_them(session, unit, people, elsewhere):
    sara, amal = people
    may = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
    callback(session, sara, may, timedelta(hours=1))
    callback(session, amal, may, timedelta(hours=3), source="voice")
    callback(session, amal, may, None, source="voice")
    callback(session, elsewhere, may, timedelta(minutes=5))
    result = compute(session, unit)
    tally = dict(result.months)[date(2026, 5, 1)]
    assert (tally.callbacks, tally.answered) == (3, 2)
    assert tally.median_answer == timedelta(hours=2)  # between 1 and 3 hours
    assert result.languages["ar"].median_answer == timedelta(hours=3)
    assert (result.channels["voice"].callbacks, result.channels["sms"].callbacks) == (2, 1)
    callback(session, sara, may, timedelta(minutes=20))
    assert compute(session, unit).total.median_answer == timedelta(hours=1)  # odd count


def test_the_range_is_whole_months_and_never_backwards(session, unit):
    assert outcomes.month_range(date(2025, 11, 20), date(2026, 2, 3)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert outcomes.shift_months(date(2026, 1, 1), -11) == date(2025, 2, 1)
    assert outcomes.shift_months(date(2026, 12, 1), 1) == date(2027, 1, 1)
    with pytest.raises(ValueError):
        outcomes.outcomes(session, unit.id, date(2026, 5, 1), date(2026, 4, 1), NOW)
