"""The week at a glance: the signed-in person's meetings day by day, across their clients
and the clients they cover as a stand-in, each with the client's answer, the reminder's
state from the outbox, the interpreter need and where; and what waits on Today.

Which meetings a person sees is the access rule's (app/access), asked for the meeting's
day: a stand-in sees the meetings they will take later in the week, before the absence
has begun (days gone by are asked as today: what one may act on now). Of those, a person
sees the meetings of clients whose case worker they are that day, booked with them, or
where the client meets them. An administrator sees their own meetings so, or the whole
unit's on request.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from babel.dates import format_date, format_datetime
from flask import render_template, request
from sqlalchemy import ColumnElement, and_, case, false, or_
from sqlmodel import Session, col, select

from app import access
from app.admin import bp
from app.admin.access import current_staff, is_admin, today, visible_clients
from app.admin.today import waiting
from app.admin.words import N_, _, staff_language
from app.casework import absences, ready_answers
from app.db import get_session
from app.models import (
    Appointment,
    AppointmentStatus,
    Client,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
    StaffMessage,
    StaffUser,
    SubjectType,
    saved_id,
    utcnow,
)
from app.outbox.planner import local_zone

WEEK = re.compile(r"(\d{4})-W(\d{1,2})")
YEARS = range(2000, 2101)
SCOPES = ("mine", "unit")
REMINDER = "appointment_reminder"
# How a reminder's rows read as one state: what went out last, and what is planned.
GONE_OUT: dict[str, str] = {
    OutboxStatus.SENT: "sent",
    OutboxStatus.DELIVERED: "delivered",
    OutboxStatus.FAILED: "failed",
    OutboxStatus.UNDELIVERED: "failed",
}
PLANNED = (OutboxStatus.PENDING, OutboxStatus.SENDING)
NOT_A_WEEK = N_("That week does not exist. Here is this week.")


@dataclass
class Reminder:
    """A meeting's reminder to the client, as the outbox has it: the last one that went
    out (or failed to), the next one planned, and whether any was held back."""

    last_state: str | None = None  # "sent", "delivered" or "failed"
    last_at: datetime | None = None
    next_at: datetime | None = None
    held_back: bool = False  # stopped or not sent by rule (no consent, opted out …)


@dataclass
class Meeting:
    """One meeting as the week shows it."""

    appointment: Appointment
    client: Client
    starts: str  # "13:00", in the unit's time zone
    ends: str
    meets: StaffUser | None  # whom the client will really meet (a stand-in when away)
    booked_with: StaffUser | None  # the meeting's own person, when someone else stands in
    covering_for: StaffUser | None  # the client's case worker, when the viewer covers
    reminder: Reminder
    interpreter: str | None  # the language the client needs an interpreter in, if any
    communication_aid: str  # the client's communication aid ("bildstöd"), or ""
    interpreter_told: bool  # the client was told an interpreter is booked for it
    begun: bool
    linked: bool  # the client's page is open to the person today (a stand-in's is not
    # before the absence begins)

    @property
    def cancelled(self) -> bool:
        """Whether the meeting was cancelled in advance."""
        return self.appointment.status == AppointmentStatus.CANCELLED


@dataclass
class Day:
    """One day of the week with its meetings, earliest first."""

    day: date
    name: str  # "Thursday 5 March"
    is_today: bool
    meetings: list[Meeting]


def monday_of(week: str | None, day: str | None) -> tuple[date, bool]:
    """The Monday of the week asked for (`week` as 2026-W10, or any `day` in it), and
    whether the request named one that does not exist (then this week's Monday)."""
    this_week = today() - timedelta(days=today().weekday())
    try:
        if week:
            found = WEEK.fullmatch(week.strip())
            if found is None:
                return this_week, True
            chosen = date.fromisocalendar(int(found[1]), int(found[2]), 1)
        elif day:
            chosen = date.fromisoformat(day.strip())
        else:
            return this_week, False
    except ValueError:
        return this_week, True
    if chosen.year not in YEARS:  # a week in year 1 has no week before it to link to
        return this_week, True
    return chosen - timedelta(days=chosen.weekday()), False


def iso_week(monday: date) -> str:
    """The week's name in links: 2026-W10."""
    year, number, _weekday = monday.isocalendar()
    return f"{year}-W{number:02d}"


def _clock(moment: datetime) -> str:
    return format_datetime(moment.astimezone(local_zone()), "HH:mm", locale=staff_language())


def _day_start(day: date) -> datetime:
    """Local midnight at the start of `day`, as an aware moment."""
    return datetime.combine(day, time(0), tzinfo=local_zone())


def _asked_days(monday: date) -> list[tuple[ColumnElement[bool], date]]:
    """The week in parts, each a filter on Appointment and the day whose access rule
    applies to it: the days gone by as one part asked as today, then each day ahead."""
    now = today()
    first_ahead = min(max(monday, now), monday + timedelta(days=7))
    parts: list[tuple[ColumnElement[bool], date]] = []
    if first_ahead > monday:
        parts.append((col(Appointment.starts_at) < _day_start(first_ahead), now))
    day = first_ahead
    while day < monday + timedelta(days=7):
        on_day = and_(
            col(Appointment.starts_at) >= _day_start(day),
            col(Appointment.starts_at) < _day_start(day + timedelta(days=1)),
        )
        parts.append((on_day, day))
        day += timedelta(days=1)
    return parts


@dataclass
class Row:
    """A meeting of the week with its client, as the access rule sees them."""

    meeting: Appointment
    client: Client
    worker: int | None  # the client's case worker on the meeting's day
    linked: bool  # the person may open the client's page today


def _rows(staff: StaffUser, monday: date) -> list[Row]:
    """The week's meetings of the clients this person may see on the meeting's day (the
    access rule), with each client's case worker that day, in one query."""
    parts = _asked_days(monday)
    visible = or_(false(), *(and_(part, visible_clients(staff, day)) for part, day in parts))
    worker = case(
        *((part, access.current_caseworker(day)) for part, day in parts),
        else_=access.current_caseworker(today()),
    )
    query = (
        select(Appointment, Client, worker, visible_clients(staff, today()))
        .join(Client, col(Client.id) == Appointment.client_id)
        .where(
            visible,
            Appointment.starts_at >= _day_start(monday),
            Appointment.starts_at < _day_start(monday + timedelta(days=7)),
        )
        .order_by(col(Appointment.starts_at), col(Appointment.id))
    )
    return [
        Row(meeting, client, worker_id, bool(linked))
        for meeting, client, worker_id, linked in get_session().exec(query)
    ]


def _meets(session: Session, meeting: Appointment) -> int | None:
    """Whom the client will meet: the stand-in when the meeting's person is away."""
    if meeting.status != AppointmentStatus.PLANNED:
        return meeting.staff_id
    return absences.meets(session, meeting, utcnow())


def reminders(
    session: Session, meetings: list[Appointment], staff: StaffUser
) -> dict[int, Reminder]:
    """Per meeting: its reminder to the client (not copies to representatives), as the
    outbox has it for the meeting as it is now (reminders of an earlier time are void)."""
    found: dict[int, Reminder] = {saved_id(m): Reminder() for m in meetings}
    versions = {saved_id(m): m.version for m in meetings}
    rows = session.exec(
        select(OutboxMessage)
        .where(
            OutboxMessage.subject_type == SubjectType.APPOINTMENT,
            col(OutboxMessage.subject_id).in_(list(found)),
            OutboxMessage.kind == REMINDER,
            col(OutboxMessage.representative_id).is_(None),
            col(OutboxMessage.first_part_id).is_(None),
            # The text or call is the reminder; an e-mail copy (held back when the address
            # stopped working) does not change what staff see of it.
            OutboxMessage.channel != OutboxChannel.EMAIL,
            access.staff_client_outbox(staff, today()),
        )
        .order_by(col(OutboxMessage.due_at), col(OutboxMessage.id))
    )
    for message in rows:
        meeting_id = message.subject_id
        if meeting_id is None or message.subject_version not in (None, versions[meeting_id]):
            continue
        reminder = found[meeting_id]
        if message.status in GONE_OUT:
            at = message.sent_at or message.final_at or message.due_at
            if reminder.last_at is None or at >= reminder.last_at:
                reminder.last_state, reminder.last_at = GONE_OUT[message.status], at
        elif message.status in PLANNED:
            if reminder.next_at is None or message.due_at < reminder.next_at:
                reminder.next_at = message.due_at
        else:
            reminder.held_back = True
    return found


def interpreter_told(session: Session, meetings: list[Appointment]) -> set[int]:
    """The meetings for which the client got the ready answer "we are booking an
    interpreter" (app/casework/ready_answers.py)."""
    clients = {m.client_id for m in meetings}
    told = set()
    for message in session.exec(
        select(StaffMessage).where(
            col(StaffMessage.client_id).in_(clients), StaffMessage.answer == "interpreter"
        )
    ):
        answer = ready_answers.of(message)
        if answer is not None and answer.appointment_id is not None:
            told.add(answer.appointment_id)
    return told


def meetings_of(staff: StaffUser, monday: date, scope: str) -> list[Meeting]:
    """The meetings of the week this person sees, with what the week shows of each. An
    administrator may see the whole unit; anyone's own week ("mine") holds the meetings of
    clients they may see that day whose case worker they are, booked with them, or where
    the client meets them (a stand-in)."""
    session = get_session()
    whole_unit = is_admin(staff) and scope == "unit"
    rows = []
    for row in _rows(staff, monday):
        meets = _meets(session, row.meeting)
        if whole_unit or staff.id in (row.worker, row.meeting.staff_id, meets):
            rows.append((row, meets))
    appointments = [row.meeting for row, _meets_id in rows]
    states = reminders(session, appointments, staff)
    told = interpreter_told(session, appointments)
    people = {
        s.id: s for s in session.exec(select(StaffUser).where(StaffUser.unit_id == staff.unit_id))
    }
    now = utcnow()
    return [
        Meeting(
            appointment=row.meeting,
            client=row.client,
            starts=_clock(row.meeting.starts_at),
            ends=_clock(row.meeting.starts_at + timedelta(minutes=row.meeting.duration_minutes)),
            meets=people.get(meets) if meets else None,
            booked_with=people.get(row.meeting.staff_id)
            if row.meeting.staff_id and meets != row.meeting.staff_id
            else None,
            # A case worker sees another's client only while standing in for them.
            covering_for=people.get(row.worker)
            if row.worker and row.worker != staff.id and not is_admin(staff)
            else None,
            reminder=states[saved_id(row.meeting)],
            # What staff recorded, not a guess from the language of the messages: someone
            # who reads Swedish may need a sign-language interpreter, and a reader of
            # Arabic texts may need none at a meeting.
            interpreter=row.client.interpreter_language or None,
            communication_aid=row.client.communication_aid,
            interpreter_told=row.meeting.id in told,
            begun=row.meeting.starts_at <= now,
            linked=row.linked,
        )
        for row, meets in rows
    ]


def days_of(monday: date, meetings: list[Meeting]) -> list[Day]:
    """Monday to Friday, and Saturday and Sunday when they have meetings."""
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        on_day = [
            m for m in meetings if m.appointment.starts_at.astimezone(local_zone()).date() == day
        ]
        if offset >= 5 and not on_day:
            continue
        name = format_date(day, "EEEE d MMMM", locale=staff_language())
        days.append(
            Day(day=day, name=name[:1].upper() + name[1:], is_today=day == today(), meetings=on_day)
        )
    return days


@bp.route("/week")
def week():
    """The week at a glance (this week unless asked for another)."""
    staff = current_staff()
    monday, not_a_week = monday_of(request.args.get("week"), request.args.get("day"))
    scope = request.args.get("scope", "mine")
    scope = scope if scope in SCOPES and is_admin(staff) else "mine"
    meetings = meetings_of(staff, monday, scope)
    sunday = monday + timedelta(days=6)
    args = {"scope": scope} if scope != "mine" else {}
    return render_template(
        "admin/week.html",
        error=_(NOT_A_WEEK) if not_a_week else None,
        number=monday.isocalendar()[1],
        first=format_date(monday, "d MMMM", locale=staff_language()),
        last=format_date(sunday, "d MMMM y", locale=staff_language()),
        days=days_of(monday, meetings),
        total=len(meetings),
        scope=scope,
        administrator=is_admin(staff),
        args=args,
        previous=iso_week(monday - timedelta(days=7)),
        following=iso_week(monday + timedelta(days=7)),
        this_week=monday == today() - timedelta(days=today().weekday()),
        monday=monday,
        current=iso_week(monday),
        waiting=waiting().counts(),
    )
