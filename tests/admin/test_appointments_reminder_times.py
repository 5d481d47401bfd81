"""The meeting page and the note after saving say when each reminder really goes: the time
the sending window allows, not the time it was first planned for."""

from datetime import UTC, datetime

import pytest

from app.config import parse_offsets
from tests.admin.conftest import post
from tests.factories import book_appointment

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
AT_THREE = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # tuesday 10 march, 03.00 in Stockholm

pytestmark = pytest.mark.frozen_at(NOW)


def flashes(web) -> list[str]:
    with web.session_transaction() as stored:
        return [text for _category, text in stored.get("_flashes", [])]


def window(session, unit, text: str) -> None:
    unit.sending_window = text
    session.add(unit)
    session.commit()


def test_the_meeting_page_shows_when_reminders_really_go(session, as_caseworker, sara, unit):
    meeting = book_appointment(session, sara, starts_at=AT_THREE)  # planned for 03.00
    window(session, unit, "08:00-20:00")  # since then, the unit sends only by day

    html = as_caseworker.get(f"/admin/appointments/{meeting.id}/edit").get_data(as_text=True)

    section = html[html.index('id="reminder-times"') :]
    section = section[: section.index("</section>")]
    assert "Sat 7 Mar 08:00" in section and "Mon 9 Mar 08:00" in section
    assert "03:00" not in section
    assert "Reminders go out only between 08:00 and 20:00." in section


def test_a_reminder_the_window_pushes_past_the_meeting_is_said_not_to_go(
    app, session, as_caseworker, sara, unit
):
    app.config["REMINDER_OFFSETS"] = parse_offsets("2h")
    meeting = book_appointment(session, sara, starts_at=AT_THREE)  # due 01.00
    window(session, unit, "08:00-20:00")

    html = as_caseworker.get(f"/admin/appointments/{meeting.id}/edit").get_data(as_text=True)

    section = html[html.index('id="reminder-times"') :]
    assert "No reminder can go before the meeting" in section[: section.index("</section>")]


def test_the_note_after_booking_gives_the_real_times(session, as_caseworker, sara, unit):
    window(session, unit, "08:00-20:00")
    form = {
        "date": "2026-03-10",
        "time": "03:00",
        "duration_minutes": "60",
        "mode": "phone",
        "purpose": "follow_up",
        "staff_id": str(sara.caseworker_id),
    }
    first = post(as_caseworker, f"/admin/clients/{sara.id}/appointments/new", form)
    html = first.get_data(as_text=True)
    marker = 'name="warned" value="'
    warned = html[html.index(marker) + len(marker) :].split('"', 1)[0]

    post(
        as_caseworker,
        f"/admin/clients/{sara.id}/appointments/new",
        form | {"confirm": "anyway", "warned": warned},
    )

    assert flashes(as_caseworker) == [
        "The meeting is planned. 2 reminders: Sat 7 Mar 08:00, Mon 9 Mar 08:00."
    ]


def test_the_note_after_booking_leaves_out_a_reminder_that_would_come_too_late(
    app, session, as_caseworker, sara, unit
):
    app.config["REMINDER_OFFSETS"] = parse_offsets("1d,2h")
    window(session, unit, "08:00-20:00")
    form = {
        "date": "2026-03-10",
        "time": "08:00",  # the 2-hour reminder is due at 06.00, before the window opens
        "duration_minutes": "60",
        "mode": "phone",
        "purpose": "follow_up",
        "staff_id": str(sara.caseworker_id),
    }

    post(as_caseworker, f"/admin/clients/{sara.id}/appointments/new", form)

    assert flashes(as_caseworker) == [
        "The meeting is planned. 1 reminder: Mon 9 Mar 08:00. 1 more reminder would go only "
        "after the meeting, so it is not sent."
    ]
