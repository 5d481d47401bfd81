"""Attendance (app/casework/attendance.py): recorded only once the meeting has started,
changeable, a cancelled meeting is cancelled already, and a meeting that did not take
place gets no question about how it went."""

from datetime import UTC, datetime, timedelta

import pytest

from app.casework import appointments, attendance
from app.errors import InvalidInput
from app.models import OutboxStatus
from app.models.casework import Attendance
from tests.casework.conftest import outbox
from tests.factories import book_appointment, create_client

BOOKED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
MEETING = datetime(2026, 3, 5, 13, 0, tzinfo=UTC)  # thursday 5 march, 14.00
AFTER = MEETING + timedelta(minutes=30)


@pytest.fixture
def meeting(session, team):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    return book_appointment(session, client, starts_at=MEETING, now=BOOKED)


def test_nothing_is_recorded_until_someone_says(meeting):
    assert attendance.current(meeting) is None
    assert not attendance.is_open(meeting, MEETING - timedelta(seconds=1))
    assert attendance.is_open(meeting, MEETING)


def test_attendance_is_recorded_with_who_and_when(session, team, meeting):
    _, lina, _ = team
    previous = attendance.record(session, meeting, "came", staff_id=lina.id, now=AFTER)
    assert previous == ""
    assert (meeting.attendance, meeting.attendance_at, meeting.attendance_by_staff_id) == (
        Attendance.CAME,
        AFTER,
        lina.id,
    )
    assert meeting.updated_at == AFTER
    assert meeting.version == 1  # nothing the client was told has changed


def test_attendance_can_be_changed_and_says_what_it_replaced(session, team, meeting):
    _, lina, omar = team
    attendance.record(session, meeting, "came", staff_id=lina.id, now=AFTER)
    later = AFTER + timedelta(days=1)
    assert attendance.record(session, meeting, "no_show", staff_id=omar.id, now=later) == "came"
    assert (meeting.attendance, meeting.attendance_at, meeting.attendance_by_staff_id) == (
        Attendance.NO_SHOW,
        later,
        omar.id,
    )
    assert attendance.audit_detail("came", "no_show") == "came to no_show"
    assert attendance.audit_detail("", "came") == "came"


def test_the_same_answer_again_changes_nothing(session, team, meeting):
    _, lina, omar = team
    attendance.record(session, meeting, "came", staff_id=lina.id, now=AFTER)
    assert attendance.record(session, meeting, "came", staff_id=omar.id, now=AFTER) is None
    assert meeting.attendance_by_staff_id == lina.id


def test_not_before_the_meeting_has_started(session, meeting):
    with pytest.raises(InvalidInput) as error:
        attendance.record(session, meeting, "no_show", now=MEETING - timedelta(minutes=1))
    assert set(error.value.errors) == {"attendance"}
    assert meeting.attendance is None
    # From its very start it may be recorded (a client who never turned up at 14.00).
    assert attendance.record(session, meeting, "no_show", now=MEETING) == ""


@pytest.mark.parametrize("value", ["", "maybe", "CAME", "confirmed"])
def test_only_the_three_answers(session, meeting, value):
    with pytest.raises(InvalidInput):
        attendance.record(session, meeting, value, now=AFTER)


def test_a_cancelled_meeting_is_cancelled_already(session, meeting):
    appointments.cancel(session, meeting, now=BOOKED + timedelta(hours=1))
    assert attendance.current(meeting) == Attendance.CANCELLED
    assert not attendance.is_open(meeting, AFTER)
    assert attendance.record(session, meeting, "cancelled", now=AFTER) is None
    for value in ("came", "no_show"):
        with pytest.raises(InvalidInput):
            attendance.record(session, meeting, value, now=AFTER)
    assert meeting.attendance is None


def test_a_meeting_that_did_not_take_place_gets_no_feedback_question(session, meeting):
    (question,) = outbox(session, "feedback_request")
    assert question.status == OutboxStatus.PENDING
    attendance.record(session, meeting, "no_show", now=AFTER)
    session.commit()
    assert outbox(session, "feedback_request")[0].status == OutboxStatus.CANCELLED


def test_a_meeting_the_client_came_to_keeps_its_feedback_question(session, meeting):
    attendance.record(session, meeting, "came", now=AFTER)
    session.commit()
    assert outbox(session, "feedback_request")[0].status == OutboxStatus.PENDING
