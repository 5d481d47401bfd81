"""A meeting as an iCalendar file (RFC 5545): stable UID, SEQUENCE the version, UTC times,
the unit's reminder offsets as alarms, words in the reader's language, escaped and folded."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.casework import appointments
from app.config import ReminderOffset
from app.pages import calendar
from tests.factories import book_appointment, create_client, create_staff, create_unit

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
MEETING = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # tuesday 10 march, 14.00

pytestmark = pytest.mark.frozen_at(NOW)


def unfold(text: str) -> list[str]:
    """The content lines of an iCalendar text, folding undone (RFC 5545 3.1)."""
    assert text.endswith("\r\n")
    return text[:-2].replace("\r\n ", "").split("\r\n")


def props(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in unfold(text):
        name, _, value = line.partition(":")
        found.setdefault(name, []).append(value)
    return found


@pytest.fixture
def sara(session):
    unit = create_unit(session, reminder_offsets="3d,26h,2h")
    lina = create_staff(session, unit, name="Lina Berg", phone="+46701740605")
    return create_client(session, staff=lina)


def test_a_meeting_becomes_one_published_event(app, session, sara):
    meeting = book_appointment(session, sara, starts_at=MEETING, now=NOW, duration_minutes=45)
    text = calendar.ics(session, meeting, sara, "sv", NOW)
    found = props(text)
    assert unfold(text)[:5] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Tydligt//Ekby kommun//SV",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    assert found["UID"] == [f"appointment-{meeting.id}@tydligt.ekby.example"]
    assert found["DTSTAMP"] == ["20260302T080000Z"]
    assert found["DTSTART"] == ["20260310T130000Z"]
    assert found["DTEND"] == ["20260310T134500Z"]
    assert found["SEQUENCE"] == ["1"]
    assert found["STATUS"] == ["CONFIRMED"]
    assert found["SUMMARY;LANGUAGE=sv"] == ["Möte med Lina Berg"]
    assert found["LOCATION"] == ["Storgatan 12\\, Ekby"]
    assert found["DESCRIPTION"][0] == "Vi pratar om hur ditt stöd fungerar."
    assert unfold(text)[-2:] == ["END:VEVENT", "END:VCALENDAR"]


def test_the_alarms_are_the_unit_s_reminder_offsets(app, session, sara):
    meeting = book_appointment(session, sara, starts_at=MEETING, now=NOW)
    found = props(calendar.ics(session, meeting, sara, "sv", NOW))
    assert found["TRIGGER"] == ["-P3D", "-PT26H", "-PT2H"]
    assert found["ACTION"] == ["DISPLAY"] * 3
    assert found["BEGIN"].count("VALARM") == 3


def test_a_changed_meeting_keeps_its_uid_and_raises_its_sequence(app, session, sara):
    meeting = book_appointment(session, sara, starts_at=MEETING, now=NOW)
    before = props(calendar.ics(session, meeting, sara, "sv", NOW))
    appointments.change(session, meeting, starts_at=MEETING + timedelta(days=1), now=NOW)
    session.commit()
    after = props(calendar.ics(session, meeting, sara, "sv", NOW))
    assert after["UID"] == before["UID"]
    assert (before["SEQUENCE"], after["SEQUENCE"]) == (["1"], ["2"])
    assert after["DTSTART"] == ["20260311T130000Z"]


def test_a_cancelled_meeting_is_cancelled_in_the_calendar_without_alarms(app, session, sara):
    meeting = book_appointment(session, sara, starts_at=MEETING, now=NOW)
    appointments.cancel(session, meeting, now=NOW)
    session.commit()
    text = calendar.ics(session, meeting, sara, "sv", NOW)
    found = props(text)
    assert found["STATUS"] == ["CANCELLED"]
    assert found["SEQUENCE"] == [str(meeting.version)] and meeting.version > 1
    assert "VALARM" not in text
    assert found["DESCRIPTION"][0].startswith("Mötet är inställt.\\n")


def test_the_words_are_in_the_reader_s_language(app, session, sara):
    meeting = book_appointment(session, sara, starts_at=MEETING, now=NOW, mode="phone")
    english = props(calendar.ics(session, meeting, sara, "en", NOW))
    assert english["SUMMARY;LANGUAGE=en"] == ["Meeting with Lina Berg"]
    assert english["LOCATION"] == ["We will call you."]
    dari = props(calendar.ics(session, meeting, sara, "prs", NOW))
    assert dari["SUMMARY;LANGUAGE=fa-AF"] == ["ملاقات با Lina Berg"]


def test_long_lines_fold_at_75_octets_without_splitting_a_character(app, session, sara):
    place = "Kvarngatan 3; ingång B, våning 4 – ring på dörren märkt Socialtjänsten Ekby, rum 12"
    meeting = book_appointment(session, sara, starts_at=MEETING, now=NOW, location=place)
    text = calendar.ics(session, meeting, sara, "uk", NOW)
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    assert props(text)["LOCATION"] == [
        "Kvarngatan 3\\; ingång B\\, våning 4 – ring på dörren märkt Socialtjänsten Ekby\\, rum 12"
    ]


@given(st.text(max_size=300))
def test_escaping_and_folding_never_lose_or_break_text(value):
    line = "DESCRIPTION:" + calendar.escape(value)
    folded = calendar.fold(line)
    assert all(len(piece.encode("utf-8")) <= 75 for piece in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    assert "\n" not in calendar.escape(value) and "\r" not in calendar.escape(value)


@pytest.mark.parametrize(
    ("offset", "trigger"),
    [
        (ReminderOffset(days=3), "-P3D"),
        (ReminderOffset(hours=2), "-PT2H"),
        (ReminderOffset(days=1, hours=2), "-P1DT2H"),
    ],
)
def test_triggers(offset, trigger):
    assert calendar.trigger(offset) == trigger
