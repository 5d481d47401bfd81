"""The planner: reminders for an appointment across booking, change and cancellation."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import appointments
from app.casework.appointments import plan as plan_appointment
from app.config import parse_offsets
from app.errors import InvalidInput
from app.models import OutboxMessage, OutboxStatus
from app.outbox.sweep import send_due
from tests.factories import book_appointment, create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MEETING = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # tuesday 10 march 14.00 in Stockholm


def planned(
    session, status=OutboxStatus.PENDING, kind="appointment_reminder"
) -> list[OutboxMessage]:
    """Messages of one kind and status, earliest first."""
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.status == status, OutboxMessage.kind == kind)
            .order_by(OutboxMessage.due_at)
        )
    )


def test_booking_plans_reminders_three_days_and_one_day_before(session):
    client = create_client(session)
    appointment = book_appointment(session, client, starts_at=MEETING, now=NOW)
    reminders = planned(session)
    assert [m.due_at for m in reminders] == [
        MEETING - timedelta(days=3),
        MEETING - timedelta(days=1),
    ]
    assert {m.kind for m in reminders} == {"appointment_reminder"}
    assert all(m.subject_version == appointment.version == 1 for m in reminders)
    assert all(m.client_id == client.id and m.channel == "sms" for m in reminders)


def test_offsets_are_configurable(app, session):
    app.config["REMINDER_OFFSETS"] = parse_offsets("7d,2h")
    client = create_client(session)
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    assert [m.due_at for m in planned(session)] == [
        MEETING - timedelta(days=7),
        MEETING - timedelta(hours=2),
    ]


def test_reminders_keep_their_local_clock_time_across_daylight_saving(session):
    # Summer time starts on 29 March 2026. A meeting at 14.00 on 31 March (12.00 UTC)
    # gets its 3-day reminder at 14.00 on 28 March, which is 13.00 UTC (winter time).
    client = create_client(session)
    meeting = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    book_appointment(session, client, starts_at=meeting, now=NOW)
    assert planned(session)[0].due_at == datetime(2026, 3, 28, 13, 0, tzinfo=UTC)


def test_planning_twice_plans_once(session):
    client = create_client(session)
    appointment = book_appointment(session, client, starts_at=MEETING, now=NOW)
    plan_appointment(session, appointment, client, now=NOW)
    session.commit()
    assert len(planned(session)) == 2


def test_changing_the_time_cancels_old_reminders_and_plans_new_ones(session):
    client = create_client(session)
    appointment = book_appointment(session, client, starts_at=MEETING, now=NOW)
    later = MEETING + timedelta(days=2)
    appointments.change(session, appointment, starts_at=later, now=NOW)
    session.commit()
    assert [m.due_at for m in planned(session)] == [
        later - timedelta(days=3),
        later - timedelta(days=1),
    ]
    assert all(m.subject_version == 2 for m in planned(session))
    cancelled = planned(session, OutboxStatus.CANCELLED)
    assert len(cancelled) == 2
    assert all(m.subject_version == 1 for m in cancelled)


def test_a_client_never_gets_a_reminder_for_the_old_time(session, outbox_file):
    client = create_client(session)
    appointment = book_appointment(session, client, starts_at=MEETING, now=NOW)
    appointments.change(session, appointment, starts_at=MEETING + timedelta(hours=3), now=NOW)
    session.commit()
    send_due(MEETING - timedelta(hours=1))
    sent = [json.loads(line) for line in outbox_file.read_text().splitlines()]
    reminders = [s["body"] for s in sent if s["kind"] == "appointment_reminder"]
    assert len(reminders) == 2
    assert all("klockan 17.00" in body and "14.00" not in body for body in reminders)
    (notice,) = [s["body"] for s in sent if s["kind"] == "appointment_changed"]
    assert "Tiden tisdag 10 mars klockan 14.00 gäller inte längre." in notice
    assert "Du ska träffa Lina Berg tisdag 10 mars klockan 17.00." in notice


def test_cancelling_cancels_every_reminder_not_yet_sent(session, outbox_file):
    client = create_client(session)
    appointment = book_appointment(session, client, starts_at=MEETING, now=NOW)
    send_due(MEETING - timedelta(days=2))  # the 3-day reminder goes out
    appointments.cancel(session, appointment, now=MEETING - timedelta(days=2))
    session.commit()
    assert len(planned(session, OutboxStatus.SENT)) == 1
    assert len(planned(session, OutboxStatus.CANCELLED)) == 1
    assert planned(session) == []
    send_due(MEETING)
    kinds = [json.loads(line)["kind"] for line in outbox_file.read_text().splitlines()]
    assert kinds == ["appointment_reminder", "appointment_cancelled"]


def test_a_meeting_booked_at_short_notice_gets_one_reminder_at_once(session):
    client = create_client(session)
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    reminders = planned(session)
    assert [m.due_at for m in reminders] == [NOW]
    assert reminders[0].dedupe_key.endswith(":catch-up")


def test_a_meeting_in_less_than_two_hours_gets_no_reminder(session):
    client = create_client(session)
    book_appointment(session, client, starts_at=NOW + timedelta(minutes=90), now=NOW)
    assert planned(session) == []


def test_a_missed_reminder_time_is_skipped_when_a_later_one_remains(session):
    client = create_client(session)
    book_appointment(session, client, starts_at=NOW + timedelta(days=2), now=NOW)
    assert [m.due_at for m in planned(session)] == [NOW + timedelta(days=1)]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"starts_at": NOW - timedelta(hours=1)}, "starts_at"),
        ({"starts_at": datetime(2026, 3, 10, 14, 0)}, "starts_at"),
        ({"mode": "carrier pigeon"}, "mode"),
        ({"mode": "office", "location": "  "}, "location"),
        ({"purpose": "gossip"}, "purpose"),
        ({"bring": "hyresavi,cookies"}, "bring"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"starts_at": NOW + timedelta(days=732)}, "starts_at"),  # over two years ahead
        ({"starts_at": datetime(9999, 12, 31, 22, 0, tzinfo=UTC)}, "starts_at"),
    ],
)
def test_bad_appointment_input_names_the_field(session, values, field):
    client = create_client(session)
    arguments = dict(starts_at=MEETING, mode="office", location="Storgatan 12", purpose="follow_up")
    with pytest.raises(InvalidInput) as excinfo:
        appointments.book(session, client, now=NOW, **(arguments | values))
    assert field in excinfo.value.errors
    assert planned(session) == []


def test_a_meeting_two_years_ahead_is_booked_but_not_moved_further(session):
    client = create_client(session)
    arguments = dict(mode="office", location="Storgatan 12", purpose="follow_up")
    far = NOW + timedelta(days=730)
    appointment = appointments.book(session, client, now=NOW, starts_at=far, **arguments)
    with pytest.raises(InvalidInput) as excinfo:
        appointments.change(session, appointment, now=NOW, starts_at=far + timedelta(days=2))
    assert set(excinfo.value.errors) == {"starts_at"}


def test_a_cancelled_appointment_cannot_be_changed(session):
    client = create_client(session)
    appointment = book_appointment(session, client, starts_at=MEETING, now=NOW)
    appointments.cancel(session, appointment, now=NOW)
    with pytest.raises(InvalidInput, match="cancelled"):
        appointments.change(session, appointment, starts_at=MEETING + timedelta(days=1), now=NOW)


def test_urgency_comes_from_the_kinds_table(session):
    client = create_client(session)
    appointment = book_appointment(session, client, starts_at=MEETING, now=NOW)
    appointments.change(session, appointment, starts_at=MEETING + timedelta(hours=1), now=NOW)
    session.commit()
    assert {m.urgent for m in planned(session)} == {False}
    assert {m.urgent for m in planned(session, kind="appointment_changed")} == {True}
