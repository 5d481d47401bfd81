"""The overview's history, a representative's own overview and "add to calendar" in a real
headless Chromium: axe-core finds nothing at 320 and 1280 px, the history prints, and the
calendar button gives the phone an .ics file (which paper leaves out).

Pages do not depend on the database engine, so this runs once (with the SQLite suite).
"""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from app.casework import clients, decisions, representatives
from app.models import Appointment, Unit
from app.outbox.sweep import send_due
from tests.browser import app_on_fresh_database, axe_problems, served
from tests.conftest import BACKEND
from tests.factories import book_appointment, create_staff

# The server below runs on the real clock, so the data is made on it too.
NOW = datetime.now(UTC)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages are checked once, with the SQLite run"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A Swedish and an Arabic client, each with a past meeting, an answer, a decision and a
    meeting ahead, and a god man for the Swedish one: their links by (language, page)."""
    folder = tmp_path_factory.mktemp("history")
    app = app_on_fresh_database(folder)
    with app.app_context():
        with Session(app.extensions["tydligt.engine"], expire_on_commit=False) as session:
            unit = Unit(
                name="Ekby",
                sender_name="Ekby kommun",
                phone="+46846500400",
                phone_menu_number="+46846500401",
                address="Storgatan 12, Ekby",
                sending_window="00:00-23:59",
            )
            session.add(unit)
            session.commit()
            lina = create_staff(
                session, unit, email="lina@ekby.example", name="Lina Berg", phone="+46701740605"
            )
            for index, code in enumerate(("sv", "ar"), 1):
                client = clients.enroll(
                    session,
                    unit_id=unit.id,
                    caseworker_id=lina.id,
                    first_name=f"Klient{index}",
                    phone=f"+4670000000{index}",
                    language=code,
                    consent_method="verbal",
                    now=NOW,
                )
                past = NOW - timedelta(days=10)
                session.add(
                    Appointment(
                        client_id=client.id,
                        staff_id=lina.id,
                        starts_at=past,
                        location="Storgatan 12, Ekby",
                        response="confirmed",
                        responded_at=past - timedelta(days=1),
                        attendance="came",
                    )
                )
                decisions.decide(
                    session,
                    client,
                    now=NOW - timedelta(days=3),
                    service="boendestod",
                    outcome="refused",
                    reasons=["need_met_otherwise"],
                )
                book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
                if code == "sv":
                    per = representatives.add(
                        session,
                        client,
                        name="Per Holm",
                        role="god_man",
                        phone="+46700000009",
                        copy_appointments=True,
                        copy_decisions=True,
                        now=NOW,
                    )
                    representatives.send_overview(session, per, now=NOW)
                session.commit()
        send_due(NOW)
    pages = {}
    for line in (folder / "outbox.jsonl").read_text().splitlines():
        message = json.loads(line)
        found = re.search(r"/p/([A-Za-z0-9_-]{22})", message["body"])
        if found:
            pages[(message["language"], message["kind"])] = f"/p/{found.group(1)}"
    with served(app) as base:
        yield base, pages


def open_page(browser, address: str, width: int):
    # bypass_csp only lets the test inject axe-core; the CSP header is tested in tests/pages.
    context = browser.new_context(
        viewport={"width": width, "height": 800}, bypass_csp=True, accept_downloads=True
    )
    page = context.new_page()
    page.goto(address, wait_until="load")
    return context, page


PAGES = [
    ("sv", "welcome"),
    ("ar", "welcome"),
    ("sv", "appointment_reminder"),
    ("ar", "appointment_reminder"),
    ("sv", "representative_overview"),
]


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize(("code", "kind"), PAGES)
def test_history_and_calendar_pages_have_no_accessibility_violations(
    site, browser, code, kind, width
):
    base, pages = site
    context, page = open_page(browser, base + pages[(code, kind)], width)
    try:
        assert page.locator(".calendar-link a").count() >= 1
        if kind != "appointment_reminder":
            assert page.locator(".history-list li").count() == 3  # meeting, answer, decision
        assert axe_problems(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()


def test_the_calendar_button_downloads_the_meeting(site, browser):
    base, pages = site
    context, page = open_page(browser, base + pages[("sv", "appointment_reminder")], 390)
    try:
        with page.expect_download() as download:
            page.click(".calendar-link a")
        saved = download.value
        assert saved.suggested_filename.startswith("meeting-")
        assert saved.suggested_filename.endswith(".ics")
        text = Path(saved.path()).read_bytes().decode("utf-8")  # CRLF kept, as sent
        assert text.startswith("BEGIN:VCALENDAR\r\n")
        assert "SUMMARY;LANGUAGE=sv:Möte med Lina Berg\r\n" in text
        assert "BEGIN:VALARM" in text
    finally:
        context.close()


def test_the_history_prints_and_the_calendar_button_does_not(site, browser):
    base, pages = site
    context, page = open_page(browser, base + pages[("sv", "welcome")], 1280)
    try:
        page.emulate_media(media="print")
        paper = page.inner_text("body")
        assert "Det här har hänt" in paper
        assert "Svar: JA till mötet" in paper and "Sista dag att överklaga" in paper
        assert "Lägg in i din kalender" not in paper
        # The overview to put up stays one page: the history starts a page of its own.
        assert page.evaluate(
            "getComputedStyle(document.querySelector('.history')).breakBefore"
        ) == ("page")
    finally:
        context.close()


def test_the_god_man_s_page_is_addressed_to_him(site, browser):
    base, pages = site
    context, page = open_page(browser, base + pages[("sv", "representative_overview")], 390)
    try:
        assert page.inner_text("h1") == "Allt om Klient1 hos Ekby kommun"
        assert "Hej Per Holm!" in page.inner_text("main")
        assert page.locator("#documents-title").count() == 0
    finally:
        context.close()
