"""The pages in a real headless Chromium: axe-core finds nothing, they reflow at 320 px,
text can grow to 200 %, and nothing is fetched from outside the app.

Pages do not depend on the database engine, so this runs once (with the SQLite suite).
"""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from app.casework import checklists, clients, decisions
from app.models import Unit
from app.outbox.sweep import send_due
from app.words.languages import languages
from tests.browser import app_on_fresh_database, axe_problems, served
from tests.conftest import BACKEND
from tests.factories import book_appointment, create_staff

# The server below runs on the real clock, so the data is made on it too.
NOW = datetime.now(UTC)
MEETING = NOW + timedelta(hours=20)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages are checked once, with the SQLite run"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app on loopback with one fictional client per language, and their page links."""
    folder = tmp_path_factory.mktemp("pages")
    outbox = folder / "outbox.jsonl"
    app = app_on_fresh_database(folder)
    from sqlmodel import Session

    pages = {}
    with app.app_context():
        with Session(app.extensions["tydligt.engine"], expire_on_commit=False) as session:
            unit = Unit(
                name="Ekby",
                sender_name="Ekby kommun",
                phone="+46846500400",
                phone_menu_number="+46846500401",
                address="Storgatan 12, Ekby",
                sending_window="00:00-23:59",  # the real clock: any hour
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
                book_appointment(session, client, starts_at=MEETING, now=NOW, bring="hyresavi")
                checklists.create(
                    session,
                    client,
                    application_type="ekonomiskt_bistand",
                    due_date=(NOW + timedelta(days=7)).date(),
                    now=NOW,
                )
                decisions.decide(
                    session,
                    client,
                    now=NOW,
                    service="boendestod",
                    scope_amount=6,
                    scope_unit="hours_per_week",
                    valid_from=NOW.date(),
                    valid_to=(NOW + timedelta(days=180)).date(),
                )
                session.commit()
        send_due(NOW)
    for line in outbox.read_text().splitlines():
        message = json.loads(line)
        token = re.search(r"/p/([A-Za-z0-9_-]{22})", message["body"]).group(1)
        page = "overview" if message["kind"] == "welcome" else message["kind"]
        pages[(message["language"], page)] = f"/p/{token}"
    with served(app) as base:
        yield base, pages


def open_page(browser, address: str, width: int = 1024):
    # bypass_csp only lets the test inject axe-core; the CSP header is tested in test_pages.
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    outside = []

    def guard(route):
        if route.request.url.startswith("http://127.0.0.1:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(address, wait_until="load")
    return context, page, outside


PAGES = [(lang.code, kind) for lang in languages() for kind in ("appointment_reminder", "overview")]


@pytest.mark.parametrize(("code", "kind"), PAGES)
def test_pages_have_no_accessibility_violations_in_any_language(site, browser, code, kind):
    base, pages = site
    context, page, outside = open_page(browser, base + pages[(code, kind)])
    try:
        language = next(lang for lang in languages() if lang.code == code)
        assert page.get_attribute("html", "lang") == code
        assert page.get_attribute("html", "dir") == language.direction
        assert axe_problems(page) == []
        assert outside == []
        images = page.eval_on_selector_all("img", "els => els.map(e => [e.alt, e.naturalWidth])")
        assert images and all(alt and width > 0 for alt, width in images)
    finally:
        context.close()


@pytest.mark.parametrize("kind", ["appointment_reminder", "overview"])
@pytest.mark.parametrize("code", ["sv", "ar", "uk"])
def test_pages_reflow_at_320_px_and_take_text_at_200_percent(site, browser, code, kind):
    base, pages = site
    context, page, _ = open_page(browser, base + pages[(code, kind)], width=320)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        page.set_viewport_size({"width": 640, "height": 800})
        page.evaluate("document.documentElement.style.fontSize = '250%'")  # 125 % base, doubled
        assert page.evaluate("document.documentElement.scrollWidth") <= 640
        clipped = page.evaluate(
            "Array.from(document.querySelectorAll('p, h1, h2, a, button'))"
            ".filter(e => e.scrollWidth > e.clientWidth + 1).length"
        )
        assert clipped == 0
    finally:
        context.close()
