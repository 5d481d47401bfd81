"""The overview printed from a real headless Chromium (page.pdf, A4): it says "print it and
put it up", so the paper must carry every phone number as text and the date it was
printed, in the client's language, on one A4 page for an overview of the demo's size.

Pages do not depend on the database engine, so this runs once (with the SQLite suite).
"""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from app.casework import checklists, clients, decisions
from app.models import Unit
from app.outbox.planner import local_date
from app.outbox.sweep import send_due
from app.words.i18n import catalogs
from app.words.languages import languages
from tests.browser import app_on_fresh_database, served
from tests.conftest import BACKEND
from tests.factories import book_appointment, create_staff

# The server below runs on the real clock, so the data is made on it too.
NOW = datetime.now(UTC)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages are checked once, with the SQLite run"),
]
# The case worker's number, the unit's (SMS), the phone menu's: as in the demo (app/demo.py).
NUMBERS = ("070-174 06 05", "08-465 004 00", "08-465 004 01")


@pytest.fixture(scope="module")
def overviews(tmp_path_factory):
    """The app on loopback with one client per language, each with more than a demo
    client has: a meeting with something to bring, a list of two papers and a decision in
    force. Their overview links, and the app (for the dates the pages will show)."""
    folder = tmp_path_factory.mktemp("print")
    app = app_on_fresh_database(folder)
    with app.app_context():
        with Session(app.extensions["tydligt.engine"], expire_on_commit=False) as session:
            unit = Unit(
                name="Ekby kommun, stöd och omsorg",
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
            for index, language in enumerate(languages(), 1):
                client = clients.enroll(
                    session,
                    unit_id=unit.id,
                    caseworker_id=lina.id,
                    first_name=f"Klient{index}",
                    phone=f"+4670000000{index}",
                    language=language.code,
                    consent_method="verbal",
                    now=NOW,
                )
                book_appointment(
                    session, client, starts_at=NOW + timedelta(days=2), now=NOW, bring="hyresavi"
                )
                checklists.create(
                    session,
                    client,
                    application_type="ekonomiskt_bistand",
                    due_date=(NOW + timedelta(days=7)).date(),
                    documents=["hyresavi", "lonespecifikation"],
                    now=NOW,
                )
                decisions.decide(
                    session,
                    client,
                    now=NOW,
                    service="boendestod",
                    outcome="approved",
                    scope_amount=6,
                    scope_unit="hours_per_week",
                    valid_from=NOW.date(),
                    valid_to=(NOW + timedelta(days=180)).date(),
                )
                session.commit()
        send_due(NOW)
    links = {}
    for line in (folder / "outbox.jsonl").read_text().splitlines():
        message = json.loads(line)
        if message["kind"] == "welcome":
            token = re.search(r"/p/([A-Za-z0-9_-]{22})", message["body"]).group(1)
            links[message["language"]] = f"/p/{token}"
    with served(app) as base:
        yield base, links, app


def printed_dates(app, code: str, *moments: datetime) -> set[str]:
    """The date a page printed at these moments says, in the client's language."""
    with app.app_context():
        formatter = catalogs().formatter(code)
        return {formatter.weekday_date_year(local_date(moment)) for moment in moments}


def pdf_pages(pdf: bytes) -> int:
    """How many pages a PDF has (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.parametrize("code", [lang.code for lang in languages()])
def test_the_printed_overview_has_the_numbers_and_the_date_on_one_a4_page(overviews, browser, code):
    base, links, app = overviews
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        before = datetime.now(UTC)
        page.goto(base + links[code], wait_until="load")
        printed = printed_dates(app, code, before, datetime.now(UTC))  # midnight may pass
        page.evaluate("document.fonts.ready.then(() => true)")
        page.emulate_media(media="print")
        paper = page.inner_text("body")  # what print shows: display:none leaves text out
        for number in NUMBERS:
            assert number in paper, number
        # Calling and texting the contact, and hearing the page, each with its number.
        contact = page.inner_text(".contact")
        assert NUMBERS[0] in contact and NUMBERS[1] in contact
        assert NUMBERS[2] in page.inner_text(".tools")
        assert any(date in paper for date in printed), printed
        assert "Lina Berg" in paper
        # The history (today's decision) follows on a page of its own: the overview to put
        # up is one page.
        with_history = pdf_pages(page.pdf(format="A4"))
        page.evaluate("document.querySelector('.history').remove()")
        overview = pdf_pages(page.pdf(format="A4"))
        assert with_history == overview + 1
        assert overview == 1
    finally:
        context.close()


def test_a_long_overview_goes_on_to_a_second_page_without_losing_anything(overviews, browser):
    base, links, app = overviews
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        before = datetime.now(UTC)
        page.goto(base + links["sv"], wait_until="load")
        printed = printed_dates(app, "sv", before, datetime.now(UTC))
        # Four times as many meetings as the demo has: more than one page can hold.
        page.evaluate(
            "const list = document.querySelector('#meetings-title').parentElement;"
            "const rows = list.querySelector('.rows');"
            "for (let i = 0; i < 3; i++) list.append(rows.cloneNode(true));"
        )
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4")
        assert pdf_pages(pdf) >= 2
        paper = page.inner_text("body")
        assert all(number in paper for number in NUMBERS)
        assert any(date in paper for date in printed)
    finally:
        context.close()
