"""The week at a glance in a real headless Chromium, signed in as a case worker: this
week's meetings with each client's answer and the reminder's state, axe-clean at 1280 and
390 px, and nothing scrolls sideways at 320 px (WCAG 1.4.10).

Runs once (with the SQLite suite): the page does not depend on the database engine. The
clock is not frozen (the browser needs real time): the meetings are put in the current week.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from app.models import Appointment, OutboxMessage, Unit
from tests.browser import app_on_fresh_database, axe_problems, served
from tests.conftest import BACKEND
from tests.factories import create_client, create_staff, password_hash_of

PASSWORD = "correct horse battery"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages are checked once, with the SQLite run"),
]


def this_week(weekday: int, hour: int, minute: int = 0) -> datetime:
    """A moment of the current week in Stockholm (weekday 0 is Monday), as UTC."""
    today = datetime.now(STOCKHOLM).date()
    day = today - timedelta(days=today.weekday() - weekday)
    return datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM).astimezone(UTC)


def meeting(session, client, starts_at, *, response=None, reminder=None, **values):
    """A meeting of this week with its reminder in the state given (None: none planned)."""
    values = {"location": "Storgatan 12, Ekby"} | values
    appointment = Appointment(client_id=client.id, staff_id=client.caseworker_id,
                              starts_at=starts_at, response=response,
                              responded_at=starts_at - timedelta(days=2) if response else None,
                              **values)  # fmt: skip
    session.add(appointment)
    session.flush()
    if reminder:
        due = starts_at - timedelta(days=1)
        done = reminder in ("sent", "delivered", "failed")
        session.add(OutboxMessage(kind="appointment_reminder", client_id=client.id,
                                  subject_type="appointment", subject_id=appointment.id,
                                  subject_version=1, dedupe_key=f"r{appointment.id}",
                                  due_at=due, status=reminder,
                                  sent_at=due if done else None, final_at=due if done else None,
                                  last_error="30003 Unreachable" if reminder == "failed" else None,
                                  ))  # fmt: skip
    return appointment


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A case worker whose week holds three meetings: Sara said yes (reminder delivered),
    Amal (Arabic, needs an interpreter) has not answered (reminder planned), and Jonas
    with a long address said no (his reminder failed)."""
    folder = tmp_path_factory.mktemp("week")
    app = app_on_fresh_database(folder)
    engine = app.extensions["tydligt.engine"]
    with app.app_context(), Session(engine, expire_on_commit=False) as session:
        unit = Unit(name="Ekby", sender_name="Ekby kommun", phone="+46846500400",
                    phone_menu_number="+46846500401", address="Storgatan 12, Ekby",
                    office_hours="mån-fre 9-12", sending_window="00:00-23:59")  # fmt: skip
        session.add(unit)
        session.commit()
        lina = create_staff(session, unit, email="lina@ekby.example", name="Lina Berg",
                            password_hash=password_hash_of(PASSWORD))  # fmt: skip
        sara = create_client(session, lina)
        amal = create_client(session, lina, first_name="Amal", last_name="Yusuf",
                             language="ar", phone="+46700000003",
                             interpreter_language="ar")  # fmt: skip
        jonas = create_client(session, lina, first_name="Jonas", last_name="Wikström-Andersson",
                              phone="+46700000004")  # fmt: skip
        meeting(session, sara, this_week(1, 13), response="confirmed", reminder="delivered")
        meeting(session, amal, this_week(2, 9, 30), reminder="pending", mode="video")
        meeting(session, jonas, this_week(3, 15), response="declined", reminder="failed",
                mode="home",
                location="Långa vägen 123 B, lägenhet 1402, Norra Ekbyområdet")  # fmt: skip
        session.commit()
    with served(app) as base:
        yield base


@pytest.fixture
def signed_in(site, browser):
    """A tab at a given width, signed in as the case worker (English interface)."""
    contexts = []

    def tab_at(width: int):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, base_url=site, bypass_csp=True
        )
        contexts.append(context)
        tab = context.new_page()
        tab.goto("/admin/login")
        tab.get_by_role("button", name="English").click()
        tab.get_by_label("E-mail address").fill("lina@ekby.example")
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_url("**/admin/")
        return tab

    yield tab_at
    for context in contexts:
        context.close()


def test_the_week_shows_the_meetings_with_answers_and_reminders(signed_in):
    tab = signed_in(1280)
    tab.get_by_role("navigation", name="Main menu").get_by_role("link", name="Week").click()
    tab.wait_for_url("**/admin/week")
    sara = tab.locator(".days ul > li", has_text="Sara Lind")
    expect(sara).to_contain_text("Yes, will come")
    expect(sara).to_contain_text("Delivered")
    amal = tab.locator(".days ul > li", has_text="Amal Yusuf")
    expect(amal).to_contain_text("No answer yet")
    expect(amal).to_contain_text("Planned")
    expect(amal).to_contain_text("Interpreter: Arabic")
    jonas = tab.locator(".days ul > li", has_text="Jonas")
    expect(jonas).to_contain_text("No, cannot come")
    expect(jonas).to_contain_text("Failed")
    expect(tab.get_by_role("heading", name="Waiting on Today")).to_be_visible()
    tab.get_by_role("link", name="Next week").click()
    expect(tab.get_by_text("3 meetings this week")).to_have_count(0)
    expect(tab.get_by_text("0 meetings this week")).to_be_visible()


@pytest.mark.parametrize("width", (1280, 390))
def test_the_week_is_accessible_at(width, signed_in):
    tab = signed_in(width)
    tab.goto("/admin/week")
    expect(tab.get_by_text("3 meetings this week")).to_be_visible()
    assert axe_problems(tab) == []


def test_nothing_scrolls_sideways_at_320_px(signed_in):
    tab = signed_in(320)
    tab.goto("/admin/week")
    expect(tab.get_by_text("3 meetings this week")).to_be_visible()
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320
    assert axe_problems(tab) == []
