"""How the client wants to be reached, in a real headless Chromium: the interpreter and the
communication aid show on the client page and on the week list, axe-clean at 1280 and
320 px, and nothing scrolls sideways at 320 px (WCAG 1.4.10).

Runs once (with the SQLite suite): the pages do not depend on the database engine. The
clock is not frozen (the browser needs real time): the meeting is put in the current week.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from app.models import Appointment, Unit
from tests.browser import app_on_fresh_database, axe_problems, served
from tests.conftest import BACKEND
from tests.factories import create_client, create_staff, password_hash_of

PASSWORD = "correct horse battery"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
NEEDS = ("Interpreter: Tigrinya", "Communication aid: bildstöd och lättläst text")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages are checked once, with the SQLite run"),
]


def this_week(weekday: int, hour: int) -> datetime:
    """A moment of the current week in Stockholm (weekday 0 is Monday), as UTC."""
    today = datetime.now(STOCKHOLM).date()
    day = today - timedelta(days=today.weekday() - weekday)
    return datetime.combine(day, time(hour), tzinfo=STOCKHOLM).astimezone(UTC)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A case worker with Senait, who reads Swedish texts but needs a Tigrinya interpreter
    and picture support, and a meeting with her this week."""
    folder = tmp_path_factory.mktemp("needs")
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
        senait = create_client(session, lina, first_name="Senait", last_name="Tesfay-Gebremedhin",
                               interpreter_language="ti",
                               communication_aid="bildstöd och lättläst text")  # fmt: skip
        meeting = Appointment(
            client_id=senait.id, staff_id=lina.id, starts_at=this_week(2, 10), location="Ekby"
        )
        session.add(meeting)
        session.commit()
        app.config["SENAIT_ID"] = senait.id
    with served(app) as base:
        yield base, app.config["SENAIT_ID"]


@pytest.fixture
def signed_in(site, browser):
    """A tab at a given width, signed in as the case worker (English interface)."""
    base, _senait = site
    contexts = []

    def tab_at(width: int):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, base_url=base, bypass_csp=True
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


@pytest.mark.parametrize("width", (1280, 320))
def test_the_client_page_shows_how_to_reach_the_client(width, site, signed_in):
    _base, senait = site
    tab = signed_in(width)
    tab.goto(f"/admin/clients/{senait}")
    needs = tab.locator(".contact-needs")
    for text in NEEDS:
        expect(needs).to_contain_text(text)
    # Above the details, where it is seen before anything is done.
    assert (
        needs.bounding_box()["y"] < tab.get_by_role("heading", name="Details").bounding_box()["y"]
    )
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_problems(tab) == []


@pytest.mark.parametrize("width", (1280, 320))
def test_the_week_list_shows_how_to_reach_the_client(width, signed_in):
    tab = signed_in(width)
    tab.goto("/admin/week")
    senait = tab.locator(".days ul > li", has_text="Senait")
    for text in NEEDS:
        expect(senait).to_contain_text(text)
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_problems(tab) == []
