"""Handing a client to another case worker, for good or during an absence.

An absence changes whom the client meets at the meetings it covers (the rule is
app/casework/absences.py): recording or cancelling one plans those meetings' reminders
again, and staff choose for each meeting to move it to the stand-in or keep it.
"""

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.casework import absences, appointments, catalog
from app.casework.contacts import Contact, contact_facts, current_contact
from app.casework.reads import reads_for
from app.errors import N_, InvalidInput
from app.models import (
    Appointment,
    Client,
    Handover,
    HandoverKind,
    OutboxMessage,
    OutboxStatus,
    StaffUser,
    SubjectType,
    Unit,
    saved_id,
    utcnow,
)
from app.outbox.kinds import get_kind
from app.outbox.phone_hours import next_moment
from app.outbox.planner import add_message, at_local, cancel_pending, local_date, local_zone

# How far from today a handover may start, and how long an absence may last: a day
# beyond these is a typing slip (9999-12-31), and a longer absence is a handover for good.
REACH = timedelta(days=366)
LONGEST_ABSENCE = timedelta(days=366)
# An absence starting within this is told at once; the unit's notice days may be at most
# LONGEST_NOTICE_DAYS (the settings page's limit; a larger number edited by hand is capped).
SOON = timedelta(days=1)
LONGEST_NOTICE_DAYS = 30
NOTICE_KINDS = ("handover_permanent", "handover_absence")


def _validate(values: dict, today: date) -> None:
    errors = {}
    kind = values.get("kind")
    if kind not in set(HandoverKind):
        errors["kind"] = N_("Choose permanent or absence.")
    starts_on = values.get("starts_on")
    if not isinstance(starts_on, date):
        errors["starts_on"] = N_("Give the first day.")
    elif not today - REACH <= starts_on <= today + REACH:
        errors["starts_on"] = N_("The first day must be within a year from today.")
    ends_on = values.get("ends_on")
    if kind == HandoverKind.ABSENCE:
        if not isinstance(ends_on, date):
            errors["ends_on"] = N_("Give the last day of the absence.")
        elif isinstance(starts_on, date) and ends_on < starts_on:
            errors["ends_on"] = N_("The last day cannot be before the first day.")
        elif ends_on < today:
            errors["ends_on"] = N_("The absence is already over.")
        elif ends_on - (starts_on if isinstance(starts_on, date) else today) >= LONGEST_ABSENCE:
            errors["ends_on"] = N_(
                "An absence can last at most a year. For longer, hand the client over for good."
            )
    steps = catalog.entries(Path(current_app.config["MESSAGES_DIR"]) / "catalog", "next_steps")
    if values.get("next_step") and values["next_step"] not in steps:
        errors["next_step"] = N_("Choose one of the options.")
    if errors:
        raise InvalidInput(errors)


def hand_over(
    session: Session,
    client: Client,
    to_staff: StaffUser,
    *,
    kind: str = HandoverKind.PERMANENT,
    starts_on: date,
    ends_on: date | None = None,
    next_step: str = "continue",
    file_passed_on: bool = False,
    from_staff: StaffUser | None = None,
    now: datetime | None = None,
) -> Handover:
    """Record a handover and plan the client's notices (and, for an absence, its end).
    `file_passed_on` is staff's word that the new contact has the client's papers: only
    then do the notices say so."""
    now = now or utcnow()
    today = local_date(now)
    _validate(dict(kind=kind, starts_on=starts_on, ends_on=ends_on, next_step=next_step), today)
    from_staff = from_staff or current_contact(session, client, max(today, starts_on)).staff
    if from_staff is not None and from_staff.id == to_staff.id:
        raise InvalidInput({"to_staff_id": N_("Choose someone other than the current contact.")})
    handover = Handover(
        client_id=saved_id(client),
        from_staff_id=from_staff.id if from_staff else None,
        to_staff_id=saved_id(to_staff),
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on if kind == HandoverKind.ABSENCE else None,
        next_step=next_step,
        file_passed_on=file_passed_on,
    )
    session.add(handover)
    if kind == HandoverKind.PERMANENT and starts_on <= today:
        client.caseworker_id = to_staff.id
        session.add(client)
    session.flush()
    plan(session, handover, client, now)
    _replan_meetings(session, handover, client, now, cancelled=False)
    return handover


def _replan_meetings(
    session: Session, handover: Handover, client: Client, now: datetime, *, cancelled: bool
) -> int:
    """Plan again the reminders of the meetings an absence gives to the stand-in (or, when
    it is cancelled, back), so that none already queued names the wrong person. The
    client's answer stands: the meeting's time and place have not changed.

    A choice to keep a meeting with the person away belongs to the absence it was made
    for: a new absence over the meeting asks again (the stand-in until staff choose), and
    cancelling one forgets it, unless another absence still covers the meeting (a keep
    made while both covered it was made for that one too; one made before the other was
    recorded was forgotten then)."""
    touched = []
    for meeting in absences.meetings_during(session, handover, now):
        if meeting.keep_with_staff:
            if cancelled and absences.covering(session, meeting, now) is not None:
                continue  # still kept, still with the same person: nothing to say again
            meeting.keep_with_staff = False
        touched.append(meeting)
    for meeting in touched:
        _new_version(session, meeting, client, now)
    return len(touched)


def _new_version(session: Session, meeting: Appointment, client: Client, now: datetime) -> None:
    meeting.version += 1
    meeting.updated_at = now
    session.add(meeting)
    session.flush()
    appointments.plan(session, meeting, client, now=now)


def keep_meeting(session: Session, meeting: Appointment, now: datetime | None = None) -> None:
    """Keep a meeting with its own person although they are away (they come in for it):
    reminders name them again. Keeping twice changes nothing."""
    now = now or utcnow()
    if meeting.keep_with_staff:
        return
    meeting.keep_with_staff = True
    _new_version(session, meeting, session.get_one(Client, meeting.client_id), now)


def move_meeting(
    session: Session, meeting: Appointment, handover: Handover, now: datetime | None = None
) -> Appointment:
    """Give a meeting during an absence to the stand-in for good: the client is told at once
    who they will meet (the changed-meeting notice names the person), and asked again
    whether they come."""
    if meeting.client_id != handover.client_id or meeting.staff_id != handover.from_staff_id:
        raise InvalidInput({"staff_id": N_("This meeting is not with the person who is away.")})
    return appointments.change(session, meeting, staff_id=handover.to_staff_id, now=now)


def notice_due(session: Session, handover: Handover, client: Client, now: datetime) -> datetime:
    """When the client is told: the unit's handover_notice_days before the first day (on
    the first morning with none), or at once when that time has passed or an absence starts
    within a day (someone else answers tomorrow). Not a kind that goes at night: the
    planner still holds it to the sending window."""
    if handover.kind == HandoverKind.ABSENCE and handover.starts_on <= local_date(now) + SOON:
        return now
    unit = session.get_one(Unit, client.unit_id)
    days = min(max(unit.handover_notice_days, 0), LONGEST_NOTICE_DAYS)
    return max(now, at_local(handover.starts_on - timedelta(days=days)))


def plan(session: Session, handover: Handover, client: Client, now: datetime) -> None:
    """The notice ahead of the first day (notice_due), and the absence's end."""
    cancel_pending(
        session, SubjectType.HANDOVER, saved_id(handover), except_version=handover.version
    )
    notice_at = notice_due(session, handover, client, now)
    key = f"handover:{handover.id}:v{handover.version}"
    common: dict[str, Any] = dict(
        client=client,
        subject_type=SubjectType.HANDOVER,
        subject_id=handover.id,
        subject_version=handover.version,
    )
    kind = "handover_absence" if handover.kind == HandoverKind.ABSENCE else "handover_permanent"
    add_message(session, kind=kind, dedupe_key=f"{key}:notice", due_at=notice_at, **common)
    if handover.kind == HandoverKind.ABSENCE:
        if handover.ends_on is None:  # _validate asks every absence for its last day
            raise ValueError("An absence without a last day")
        back_at = at_local(handover.ends_on + timedelta(days=1))
        add_message(
            session, kind="absence_ended", dedupe_key=f"{key}:ended", due_at=back_at, **common
        )


def apply_started(session: Session, today: date) -> int:
    """Make the new case worker the client's case worker once a permanent handover has
    started (handovers dated ahead are recorded first). The latest one that has started
    wins. Returns how many clients moved."""
    started = (
        Handover.kind == HandoverKind.PERMANENT,
        col(Handover.cancelled_at).is_(None),
        Handover.starts_on <= today,
    )
    mismatched = (
        select(Handover.client_id)
        .join(Client, col(Client.id) == Handover.client_id)
        .where(
            *started,
            or_(
                col(Client.caseworker_id).is_(None),
                col(Handover.to_staff_id) != Client.caseworker_id,
            ),
        )
    )
    latest: dict[int, int] = {}
    for handover in session.exec(
        select(Handover)
        .where(*started, col(Handover.client_id).in_(mismatched))
        .order_by(col(Handover.starts_on), col(Handover.id))
    ):
        latest[handover.client_id] = handover.to_staff_id
    moved = 0
    for client_id, staff_id in latest.items():
        client = session.get_one(Client, client_id)
        if client.caseworker_id != staff_id:
            client.caseworker_id = staff_id
            session.add(client)
            moved += 1
    return moved


def cancel(session: Session, handover: Handover, now: datetime | None = None) -> Handover:
    """Cancel a handover; notices not yet sent are cancelled too. Cancelling twice changes
    nothing; a permanent handover that has begun cannot be cancelled (hand the client back)."""
    now = now or utcnow()
    if handover.cancelled_at is not None:
        return handover
    if handover.kind == HandoverKind.PERMANENT and handover.starts_on <= local_date(now):
        raise InvalidInput(
            {"status": N_("This handover has already happened. To undo it, hand the client back.")}
        )
    handover.cancelled_at = now
    handover.version += 1
    session.add(handover)
    cancel_pending(session, SubjectType.HANDOVER, saved_id(handover), reason="handover cancelled")
    session.flush()  # the absence no longer counts when the reminders are planned again
    client = session.get_one(Client, handover.client_id)
    _replan_meetings(session, handover, client, now, cancelled=True)
    return handover


def replaced(session: Session, handover: Handover) -> bool:
    """Whether a permanent handover recorded later for the same client starts the same day:
    that one decides who the new contact is (apply_started), so this one never happens."""
    if handover.kind != HandoverKind.PERMANENT:
        return False
    return any(
        other.id is not None
        and handover.id is not None
        and other.id > handover.id
        and other.starts_on == handover.starts_on
        for other in reads_for(session).permanent_handovers(handover.client_id)
    )


def still_wanted(
    session: Session, message: OutboxMessage, handover: Handover, now: datetime
) -> bool:
    """A notice is current while its handover is unchanged, not cancelled and not replaced
    by a newer one for the same day (the client hears only of the contact they will get)."""
    if handover.cancelled_at is not None or handover.version != message.subject_version:
        return False
    return message.kind != "handover_permanent" or not replaced(session, handover)


def notices_changed(session: Session, unit: Unit, now: datetime | None = None) -> int:
    """Plan the unit's handover notices not yet sent again after its handover_notice_days
    changed (a notice whose new day has passed goes at once, in the sending window).
    Returns how many handovers' notices moved."""
    now = now or utcnow()
    tz = local_zone()
    pending = session.exec(
        select(OutboxMessage, Handover, Client)
        .join(Handover, col(Handover.id) == OutboxMessage.subject_id)
        .join(Client, col(Client.id) == Handover.client_id)
        .where(
            OutboxMessage.subject_type == SubjectType.HANDOVER,
            col(OutboxMessage.kind).in_(NOTICE_KINDS),
            OutboxMessage.status == OutboxStatus.PENDING,
            col(Handover.cancelled_at).is_(None),
            Client.unit_id == saved_id(unit),
        )
    ).all()
    moved: set[int] = set()
    for message, handover, client in pending:
        if message.subject_version != handover.version:
            continue  # the sweep cancels it
        due = next_moment(
            get_kind(message.kind), unit, notice_due(session, handover, client, now), tz
        )
        if message.due_at != due:
            message.due_at = due
            session.add(message)
            moved.add(saved_id(handover))
    return len(moved)


def facts(session: Session, handover: Handover, client: Client, now: datetime) -> dict:
    """A handover as messages describe it."""
    unit = session.get_one(Unit, client.unit_id)
    new = session.get(StaffUser, handover.to_staff_id)
    old = session.get(StaffUser, handover.from_staff_id) if handover.from_staff_id else None
    return {
        "handover": {
            "kind": handover.kind,
            "starts_on": handover.starts_on,
            "ends_on": handover.ends_on,
            "started": handover.starts_on <= local_date(now),
            "next_step": handover.next_step or "continue",
            "file_passed_on": handover.file_passed_on,
            "new": contact_facts(session, Contact(new), unit),
            "old": contact_facts(session, Contact(old), unit) if old else None,
        }
    }
