"""The week at a glance: the signed-in person's meetings day by day (their clients, and the
clients they cover as a stand-in), each with the client's answer, the reminder's state from
the outbox, the interpreter need and where; a week back or ahead; what waits on Today."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import CallbackRequest, Handover, OutboxMessage, StaffMessage
from tests.admin.conftest import sign_in
from tests.factories import book_appointment, receive_text

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # Wednesday 4 March, 10.00 in Stockholm

pytestmark = pytest.mark.frozen_at(NOW)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in March 2026 in Stockholm (UTC+1), as UTC."""
    return datetime(2026, 3, day, hour - 1, minute, tzinfo=UTC)


def reminders(session, meeting) -> list[OutboxMessage]:
    return list(
        session.exec(
            select(OutboxMessage).where(
                OutboxMessage.subject_id == meeting.id, OutboxMessage.kind == "appointment_reminder"
            )
        )
    )


def day_section(page: str, day: date) -> str:
    """The HTML of one day of the week, found by its heading's id."""
    start = page.index(f'aria-labelledby="day-{day.isoformat()}"')
    return page[start : page.index("</section>", start)]


@pytest.fixture
def week(session, sara, amal, someone_elses):
    """Sara said yes to Thursday and her reminder was delivered; Amal (Arabic, needs an
    interpreter) has not answered Friday and hers is planned; Karin is a colleague's client."""
    amal.interpreter_language = "ar"
    session.add(amal)
    thursday = book_appointment(session, sara, starts_at=local(5, 13), now=NOW)
    thursday.response, thursday.responded_at = "confirmed", NOW - timedelta(hours=2)
    for message in reminders(session, thursday):
        message.status, message.sent_at = "delivered", NOW - timedelta(hours=1)
        message.final_at = NOW - timedelta(minutes=59)
        session.add(message)
    friday = book_appointment(
        session, amal, starts_at=local(6, 9, 30), now=NOW, mode="video", location=""
    )
    book_appointment(session, someone_elses, starts_at=local(5, 10), now=NOW)
    session.commit()
    return thursday, friday


def test_the_week_shows_my_meetings_with_answers_reminders_and_interpreters(as_caseworker, week):
    thursday, friday = week
    page = as_caseworker.get("/admin/week").get_data(as_text=True)
    assert "Week 10" in page
    thu = day_section(page, date(2026, 3, 5))
    assert "13:00" in thu and "14:00" in thu and "Sara Lind" in thu
    assert "Yes, will come" in thu and "Delivered" in thu
    assert "At the office" in thu and "Storgatan 12, Ekby" in thu
    assert "Karin" not in page  # a colleague's client
    fri = day_section(page, date(2026, 3, 6))
    assert "09:30" in fri and "Amal Lind" in fri
    assert "No answer yet" in fri and "Planned" in fri and "By video" in fri
    assert "Interpreter: Arabic" in fri
    assert "Interpreter" not in thu  # Sara needs none
    assert f"/admin/clients/{friday.client_id}" in fri


def test_a_failed_reminder_and_a_declined_meeting_show_as_such(as_caseworker, session, week):
    thursday, friday = week
    thursday.response = "declined"
    session.add(thursday)
    for message in reminders(session, friday):
        message.status, message.final_at = "failed", NOW - timedelta(minutes=5)
        message.last_error = "30003 unreachable"
        session.add(message)
    session.commit()
    page = as_caseworker.get("/admin/week").get_data(as_text=True)
    assert "No, cannot come" in day_section(page, date(2026, 3, 5))
    assert "Failed" in day_section(page, date(2026, 3, 6))


def test_a_meeting_the_client_was_told_about_an_interpreter_for_says_so(
    as_caseworker, session, week
):
    _thursday, friday = week
    session.add(StaffMessage(client_id=friday.client_id, answer="interpreter",
                             answer_facts=f'{{"appointment": {friday.id}}}'))  # fmt: skip
    session.commit()
    fri = day_section(as_caseworker.get("/admin/week").get_data(as_text=True), date(2026, 3, 6))
    assert "the client was told one is booked" in fri


def test_the_week_steps_back_and_ahead(as_caseworker, session, sara, week):
    book_appointment(session, sara, starts_at=local(10, 14), now=NOW)
    page = as_caseworker.get("/admin/week").get_data(as_text=True)
    assert 'href="/admin/week?week=2026-W11"' in page and 'href="/admin/week?week=2026-W09"' in page
    assert "Tuesday 10 March" not in page
    ahead = as_caseworker.get("/admin/week?week=2026-W11").get_data(as_text=True)
    assert "Week 11" in ahead and "Sara Lind" in day_section(ahead, date(2026, 3, 10))
    assert "Amal" not in ahead
    by_day = as_caseworker.get("/admin/week?day=2026-03-12").get_data(as_text=True)
    assert "Week 11" in by_day


def test_a_week_that_is_not_one_is_said_in_the_staff_language(client, caseworker, week):
    sign_in(client, caseworker, language="sv")
    for bad in ("week=2026-W54", "week=tisdag", "day=2026-02-30", "week=99999-W01"):
        response = client.get(f"/admin/week?{bad}")
        assert response.status_code == 200, bad
        page = response.get_data(as_text=True)
        assert "Den veckan finns inte. Här är den här veckan." in page, bad
        assert "Vecka 10" in page


def test_today_and_the_days_without_meetings(as_caseworker, week):
    page = as_caseworker.get("/admin/week").get_data(as_text=True)
    wednesday = day_section(page, date(2026, 3, 4))
    assert 'aria-current="date"' in wednesday and "No meetings." in wednesday
    assert 'id="day-2026-03-07"' not in page  # an empty weekend day is left out


def test_past_meetings_in_the_week_ask_whether_the_client_came(as_caseworker, session, sara):
    monday = book_appointment(session, sara, starts_at=local(2, 14), now=NOW - timedelta(days=3))
    page = as_caseworker.get("/admin/week").get_data(as_text=True)
    mon = day_section(page, date(2026, 3, 2))
    assert f"/admin/appointments/{monday.id}/attendance" in mon and "Did the client come?" in mon


def test_a_stand_in_sees_the_clients_they_cover(client, session, caseworker, colleague, week):
    thursday, _friday = week
    session.add(Handover(client_id=thursday.client_id, from_staff_id=caseworker.id,
                         to_staff_id=colleague.id, kind="absence",
                         starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 8)))  # fmt: skip
    session.commit()
    sign_in(client, colleague)
    page = client.get("/admin/week").get_data(as_text=True)
    thu = day_section(page, date(2026, 3, 5))
    assert "Sara Lind" in thu and "You stand in for Lina Berg" in thu
    assert "Karin Ek" in day_section(page, date(2026, 3, 5))  # his own client
    assert "Amal" not in page  # not handed over to him


def test_an_administrator_sees_their_own_meetings_or_the_whole_unit(
    client, session, administrator, week
):
    sign_in(client, administrator)
    own = client.get("/admin/week").get_data(as_text=True)
    assert "Sara Lind" not in own and "No meetings." in own
    unit = client.get("/admin/week?scope=unit").get_data(as_text=True)
    assert "Sara Lind" in unit and "Karin Ek" in unit and "Amal Lind" in unit
    assert "with Lina Berg" in unit


def test_the_week_counts_what_waits_on_today(as_caseworker, session, sara, week):
    receive_text(session, sara, "Kan vi ses på fredag?")
    session.add(CallbackRequest(client_id=sara.id, language="sv"))
    session.commit()
    page = as_caseworker.get("/admin/week").get_data(as_text=True)
    waiting = page[page.index('aria-labelledby="h-waiting"') :]
    waiting = waiting[: waiting.index("</section>")]
    assert 'href="/admin/#h-messages"' in waiting and 'href="/admin/#h-callbacks"' in waiting
    messages = waiting[waiting.index("#h-messages") :]
    assert 'class="count">1<' in messages[: messages.index("</li>")]


def test_the_week_is_in_the_menu(as_caseworker):
    page = as_caseworker.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/week"' in page.split('aria-label="Main menu"')[1].split("</nav>")[0]


def test_a_colleagues_client_is_never_in_my_week(client, session, colleague, caseworker, week):
    sign_in(client, colleague)
    page = client.get("/admin/week?scope=unit").get_data(as_text=True)
    assert "Sara Lind" not in page and "Amal" not in page  # not an administrator: no unit view


def test_a_stand_in_sees_the_meetings_they_will_take_later_this_week(
    client, session, sara, caseworker, colleague, week
):
    # Sara has meetings today, Thursday (the fixture's) and Friday; Lina is away Thursday and
    # Friday, and comes in for the Friday one.
    book_appointment(session, sara, starts_at=local(4, 15), now=NOW)
    book_appointment(session, sara, starts_at=local(6, 11), now=NOW, keep_with_staff=True)
    session.add(Handover(client_id=sara.id, from_staff_id=caseworker.id,
                         to_staff_id=colleague.id, kind="absence",
                         starts_on=date(2026, 3, 5), ends_on=date(2026, 3, 6)))  # fmt: skip
    session.commit()
    sign_in(client, colleague)

    page = client.get("/admin/week").get_data(as_text=True)

    thu = day_section(page, date(2026, 3, 5))
    assert "Sara Lind" in thu and "You stand in for Lina Berg" in thu
    assert f'href="/admin/clients/{sara.id}"' not in page  # her page opens on Thursday
    assert "Sara Lind" not in day_section(page, date(2026, 3, 4))  # today Lina meets her
    assert "Sara Lind" not in day_section(page, date(2026, 3, 6))  # kept with Lina
    assert "Amal" not in page  # not handed over to him
    client.get("/admin/logout")
    sign_in(client, caseworker)
    mine = client.get("/admin/week").get_data(as_text=True)
    assert "with Omar Haddad" in day_section(mine, date(2026, 3, 5))
    assert "Sara Lind" in day_section(mine, date(2026, 3, 4))
    assert "Sara Lind" in day_section(mine, date(2026, 3, 6))
