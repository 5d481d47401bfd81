"""Who a client should turn to, and how: names, numbers and office hours.

current_contact() is the one answer to "who is the client's person today", used by
messages, the inbox and the phone menu.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

import phonenumbers
from sqlmodel import Session

from app.casework.reads import reads_for
from app.models import Client, HandoverKind, StaffUser, Unit, saved_id

_OFFICE_HOURS = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun)-(mon|tue|wed|thu|fri|sat|sun) (\d\d):(\d\d)-(\d\d):(\d\d)$"
)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@lru_cache(maxsize=4096)  # parsing is slow, and every message shows the same few numbers
def display_phone(number: str | None) -> str:
    """A number as people in Sweden write it: '08-465 004 00'. Empty stays empty."""
    if not number:
        return ""
    parsed = phonenumbers.parse(number, "SE")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def parse_office_hours(text: str) -> dict | None:
    """'mon-fri 09:00-12:00' as weekday numbers and clock strings; None if not in that form."""
    match = _OFFICE_HOURS.match((text or "").strip().lower())
    if not match:
        return None
    first, last, oh, om, ch, cm = match.groups()
    return {
        "first_day": WEEKDAYS.index(first),
        "last_day": WEEKDAYS.index(last),
        "opens": f"{int(oh)}" if om == "00" else f"{int(oh)}.{om}",
        "closes": f"{int(ch)}" if cm == "00" else f"{int(ch)}.{cm}",
    }


@dataclass(frozen=True)
class Contact:
    """The person a client should turn to now, and whom they stand in for, if anyone."""

    staff: StaffUser | None
    stands_in_for: StaffUser | None = None


def contact_facts(session: Session, contact: Contact, unit: Unit) -> dict:
    """A contact person as messages describe them: name, phone, when to call."""
    staff = contact.staff
    return {
        "name": staff.name if staff else "",
        "phone": display_phone((staff.phone if staff else "") or unit.phone),
        "tel": (staff.phone if staff else "") or unit.phone,
        "hours": parse_office_hours(unit.office_hours),
        "stands_in_for": contact.stands_in_for.name if contact.stands_in_for else "",
    }


def is_open(unit: Unit, moment: datetime, tz: str) -> bool:
    """Whether the unit's phone is staffed now: its office hours, not on a holiday."""
    from app.casework.deadlines import is_working_day

    hours = parse_office_hours(unit.office_hours)
    if hours is None:
        return False
    local = moment.astimezone(ZoneInfo(tz))
    if not hours["first_day"] <= local.weekday() <= hours["last_day"]:
        return False
    if hours["last_day"] <= 4 and not is_working_day(local.date()):
        return False
    opens, closes = (_clock(hours[k]) for k in ("opens", "closes"))
    return opens <= local.time() < closes


def _clock(text: str) -> time:
    hour, _, minute = text.partition(".")
    return time(int(hour), int(minute or 0))


def current_contact(session: Session, client: Client, today: date) -> Contact:
    """The client's case worker today, or the stand-in while that person is away."""
    handovers = reads_for(session).handovers(saved_id(client), today)
    caseworker_id = client.caseworker_id
    for handover in handovers:
        if handover.kind == HandoverKind.PERMANENT:
            caseworker_id = handover.to_staff_id
    caseworker = session.get(StaffUser, caseworker_id) if caseworker_id else None
    for handover in reversed(handovers):
        if handover.kind != HandoverKind.ABSENCE:
            continue
        if handover.ends_on is None:  # handovers._validate asks every absence for its last day
            raise ValueError("An absence without a last day")
        if handover.ends_on >= today:
            if caseworker is None or handover.from_staff_id in (None, caseworker.id):
                return Contact(session.get(StaffUser, handover.to_staff_id), caseworker)
    return Contact(caseworker)
