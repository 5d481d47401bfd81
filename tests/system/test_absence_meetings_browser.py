"""An absence and its meetings in a real headless Chromium, at 1280, 390 and 320 px: the
handover leads to the meetings it covers, a meeting is moved to the stand-in, booking the
absent person warns with a choice, and the meeting page says when reminders really go;
axe-core finds nothing and no page scrolls sideways on a phone.

Runs once (with the SQLite suite): the pages do not depend on the database engine.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from app.casework import appointments
from app.casework.deadlines import next_working_day
from app.models import Appointment, StaffUser, Unit
from tests.browser import app_on_fresh_database, axe_problems, served
from tests.conftest import BACKEND
from tests.factories import create_client, create_staff, password_hash_of

PASSWORD = "correct horse battery"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
FIRST_DAY = next_working_day((datetime.now(UTC) + timedelta(days=14)).date())
LAST_DAY = FIRST_DAY + timedelta(days=4)
MEETING_DAY = next_working_day(FIRST_DAY + timedelta(days=1))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages are checked once, with the SQLite run"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A unit with Lina and Omar; Lina's client Sara has a meeting in Lina's coming absence."""
    folder = tmp_path_factory.mktemp("absence")
    app = app_on_fresh_database(folder)
    with app.app_context(), Session(app.extensions["tydligt.engine"]) as session:
        unit = Unit(name="Ekby", sender_name="Ekby kommun", phone="+46846500400",
                    address="Storgatan 12, Ekby", sending_window="08:00-20:00")  # fmt: skip
        session.add(unit)
        session.commit()
        password = password_hash_of(PASSWORD)
        lina = create_staff(session, unit, email="lina@ekby.example", name="Lina Berg",
                            password_hash=password)  # fmt: skip
        create_staff(session, unit, email="omar@ekby.example", name="Omar Haddad",
                     password_hash=password)  # fmt: skip
        sara = create_client(session, lina, first_name="Sara", last_name="Lind")
        create_client(session, lina, first_name="Ali", last_name="Warsame", phone="+46700000003")
        starts_at = datetime.combine(MEETING_DAY, time(14), tzinfo=STOCKHOLM)
        appointments.book(session, sara, starts_at=starts_at, location="Storgatan 12, Ekby",
                          staff_id=lina.id)  # fmt: skip
        session.commit()
    with served(app) as base:
        yield base, app


@pytest.fixture(scope="module")
def tab(site, browser):
    """Lina, signed in with the English interface."""
    base, _app = site
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=base, bypass_csp=True
    )
    page = context.new_page()
    page.goto("/admin/login")
    page.get_by_role("button", name="English").click()
    page.get_by_label("E-mail address").fill("lina@ekby.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")
    yield page
    context.close()


def check_every_width(page) -> None:
    """axe finds nothing at 1280, 390 and 320 px, and nothing scrolls sideways on a phone."""
    problems = []
    for width in (1280, 390, 320):
        page.set_viewport_size({"width": width, "height": 900})
        problems += [f"{width}: {p}" for p in axe_problems(page)]
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if width < 1280 and scroll > width:
            problems.append(f"{width}: {scroll} px wide")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert problems == [], f"{page.url}\n" + "\n".join(problems)


def test_an_absence_shows_its_meeting_and_moves_it_to_the_stand_in(site, tab):
    tab.goto("/admin/handovers/new")
    tab.get_by_label("Sara Lind").check()
    tab.get_by_label("To", exact=True).select_option(label="Omar Haddad")
    tab.get_by_label("During an absence").check()
    tab.get_by_label("First day").fill(FIRST_DAY.isoformat())
    tab.get_by_label("Last day of the absence").fill(LAST_DAY.isoformat())
    tab.get_by_role("button", name="Hand over").click()

    tab.wait_for_url("**/admin/handovers/meetings?**")
    tab.get_by_text("Now: reminders name Omar Haddad, who stands in.").wait_for()
    check_every_width(tab)
    tab.get_by_label("Move it to Omar Haddad and tell the client now").check()
    tab.get_by_role("button", name="Save the choices").click()
    tab.get_by_role("status").wait_for()
    check_every_width(tab)
    _base, app = site
    with Session(app.extensions["tydligt.engine"]) as session:
        (meeting,) = session.exec(select(Appointment)).all()
        omar = session.exec(select(StaffUser).where(StaffUser.name == "Omar Haddad")).one()
        assert meeting.staff_id == omar.id


def test_booking_the_absent_person_warns_and_books_the_stand_in(site, tab):
    tab.goto("/admin/clients")
    tab.get_by_role("link", name="Ali Warsame").click()
    tab.get_by_role("link", name="Plan a meeting").click()
    tab.get_by_label("Date").fill(MEETING_DAY.isoformat())
    tab.get_by_label("Time", exact=True).fill("07:00")
    tab.get_by_role("button", name="Plan the meeting").click()

    warning = tab.get_by_role("alert")
    assert "Lina Berg is away from" in warning.inner_text()
    expect(tab.locator("#meeting-warnings")).to_be_focused()
    assert "outside the meeting hours of the unit, 08:00–20:00" in warning.inner_text()
    check_every_width(tab)
    tab.get_by_role("button", name="Book with Omar Haddad").click()
    tab.get_by_role("status").wait_for()

    tab.locator("#h-meetings + ul a[href$='/edit']").first.click()
    section = tab.locator("#reminder-times")
    assert "Reminders go out only between 08:00 and 20:00." in section.inner_text()
    check_every_width(tab)
