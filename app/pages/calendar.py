"""A meeting as an iCalendar file (RFC 5545), so the phone's own calendar holds it and
reminds too: "add to calendar" on every meeting's page and on the overview.

One event per appointment: its UID never changes, SEQUENCE is the appointment's version
(a changed meeting replaces the old one in the calendar), times are in UTC, and one alarm
goes off at each of the unit's reminder offsets (the same the texts use). A cancelled
meeting gives STATUS:CANCELLED and no alarms, so a calendar that has it removes it. The
words (the summary, how the meeting is held) are page words in the reader's language
(app/templates/pages/_calendar.html).

Written by hand (the project has no iCalendar dependency): every text value is escaped
(backslash, semicolon, comma, newline) and every line folded at 75 octets without
splitting a character.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from markupsafe import Markup
from sqlmodel import Session

from app.casework import appointments, catalog
from app.config import ReminderOffset
from app.models import Appointment, AppointmentStatus, Client, Unit
from app.outbox.planner import reminder_offsets
from app.words.i18n import catalogs
from app.words.languages import get_language

LINE_OCTETS = 75  # RFC 5545 3.1: lines longer than this are folded
MEDIA_TYPE = "text/calendar; charset=utf-8"


def escape(text: str) -> str:
    """A TEXT value escaped as RFC 5545 3.3.11 asks."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """One content line folded into pieces of at most 75 octets (continuations start with
    a space, which counts), never inside a UTF-8 character."""
    pieces: list[str] = []
    current, size, limit = "", 0, LINE_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            pieces.append(current)
            current, size, limit = "", 0, LINE_OCTETS - 1
        current += char
        size += octets
    pieces.append(current)
    return "\r\n ".join(pieces)


def _utc(moment: datetime) -> str:
    """A DATE-TIME in UTC ('20260303T070000Z')."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def trigger(offset: ReminderOffset) -> str:
    """An alarm's TRIGGER before the start ('-P3D', '-PT2H', '-P1DT2H')."""
    days = f"{offset.days}D" if offset.days else ""
    hours = f"T{offset.hours}H" if offset.hours else ""
    return f"-P{days}{hours}" if days or hours else "PT0S"


def uid(appointment_id: int) -> str:
    """The event's UID: the same for an appointment however often it changes."""
    host = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "tydligt"
    return f"appointment-{appointment_id}@{host}"


def _say(code: str, macro: str, *args: str) -> str:
    """One of the calendar's page words (a macro of _calendar.html) as plain text."""
    module = catalogs().page_environment(code).get_template("_calendar.html").module
    return Markup(getattr(module, macro)(*args)).unescape().strip()


def ics(
    session: Session, appointment: Appointment, client: Client, code: str, now: datetime
) -> str:
    """The appointment as an iCalendar file in language `code`, as it stands now."""
    code = get_language(code).code
    facts = appointments.facts(session, appointment, client, now)["appointment"]
    unit = session.get_one(Unit, client.unit_id)
    summary = _say(code, "summary", facts["staff_name"], unit.sender_name)
    place = _say(code, "place", appointment.mode, appointment.location)
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    about = catalogs().gettext(code, _purpose(appointment.purpose))
    if cancelled:
        about = _say(code, "cancelled") + "\n" + about
    ends = appointment.starts_at + timedelta(minutes=appointment.duration_minutes)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//Tydligt//{escape(unit.sender_name)}//{code.upper()}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid(appointment.id or 0)}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(appointment.starts_at)}",
        f"DTEND:{_utc(ends)}",
        f"SEQUENCE:{appointment.version}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        f"SUMMARY;LANGUAGE={get_language(code).bcp47}:{escape(summary)}",
    ]
    if place:
        lines.append(f"LOCATION:{escape(place)}")
    lines.append(f"DESCRIPTION:{escape(about)}")
    if not cancelled:
        for offset in reminder_offsets(session, client.unit_id):
            lines += [
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                f"DESCRIPTION:{escape(summary)}",
                f"TRIGGER:{trigger(offset)}",
                "END:VALARM",
            ]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)


def _purpose(key: str) -> str:
    return catalog.entry(Path(current_app.config["MESSAGES_DIR"]) / "catalog", "purposes", key)[
        "sentence"
    ]
