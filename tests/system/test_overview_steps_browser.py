"""The overview's step line in a real headless Chromium: axe-core finds nothing at 320 and
1280 px, nothing overflows at 320 px (also right to left), the current step is marked by
words and weight as well as colour, and it stays so on paper.

Pages do not depend on the database engine, so this runs once (with the SQLite suite).
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from app.casework import applications, clients
from app.models import LinkPurpose, Unit
from app.outbox.planner import local_date
from app.pages import links
from tests.browser import app_on_fresh_database, axe_problems, served
from tests.conftest import BACKEND
from tests.factories import create_staff

# The server below runs on the real clock, so the data is made on it too.
NOW = datetime.now(UTC)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages are checked once, with the SQLite run"),
]
LANGUAGES = ("sv", "ar", "uk", "ti")  # the source, right to left, long words, Ethiopic


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app on loopback; a client per language with an application sent for comment,
    and each one's overview address."""
    app = app_on_fresh_database(tmp_path_factory.mktemp("steps"))
    pages = {}
    with app.app_context():
        with Session(app.extensions["tydligt.engine"], expire_on_commit=False) as session:
            unit = Unit(name="Ekby", sender_name="Ekby kommun", phone="+46846500400",
                        phone_menu_number="+46846500401", address="Storgatan 12, Ekby",
                        sending_window="00:00-23:59")  # fmt: skip
            session.add(unit)
            session.commit()
            lina = create_staff(session, unit, name="Lina Berg", phone="+46701740605")
            today = local_date(NOW)
            for index, code in enumerate(LANGUAGES, 1):
                client = clients.enroll(
                    session, unit_id=unit.id, caseworker_id=lina.id, first_name=f"Klient{index}",
                    phone=f"+4670000000{index}", language=code, consent_method="verbal", now=NOW,
                )  # fmt: skip
                application = applications.receive(
                    session, client, service="bostad_sarskild_service",
                    received_on=today - timedelta(days=20),
                    decision_expected_on=today + timedelta(days=40), now=NOW,
                )  # fmt: skip
                applications.move(session, client, application, "comment",
                                  answer_by=today + timedelta(days=14), now=NOW)  # fmt: skip
                pages[code] = f"/p/{links.create(session, client, LinkPurpose.OVERVIEW, NOW)}"
            session.commit()
    with served(app) as base:
        yield base, pages


def _current_step(page) -> dict:
    return page.evaluate(
        """() => {
          const step = document.querySelector('.steps [aria-current="step"]');
          const style = getComputedStyle(step);
          const other = getComputedStyle(document.querySelector('.steps .step-done'));
          return {text: step.innerText, weight: style.fontWeight,
                  border: parseFloat(style.borderInlineStartWidth),
                  otherBorder: parseFloat(other.borderInlineStartWidth),
                  overflow: document.documentElement.scrollWidth - window.innerWidth};
        }"""
    )


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_step_line_is_accessible_at_320_and_1280_px(site, browser, code):
    base, pages = site
    for width in (320, 1280):
        context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
        page = context.new_page()
        page.goto(base + pages[code])
        assert page.locator('.steps [aria-current="step"]').count() == 1
        assert axe_problems(page) == [], (code, width)
        current = _current_step(page)
        assert current["overflow"] <= 0, (code, width)
        # Never colour alone: the words, the weight and a thicker border mark it.
        assert int(current["weight"]) >= 700
        assert current["border"] > current["otherBorder"]
        context.close()


def test_the_current_step_is_marked_on_paper_too(site, browser):
    base, pages = site
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(base + pages["sv"])
        page.emulate_media(media="print")
        current = _current_step(page)
        assert current["text"].split()[:2] == ["●", "Nu"]
        assert int(current["weight"]) >= 700
        assert current["border"] > current["otherBorder"]
        assert page.locator(".steps li").count() == 5
    finally:
        context.close()
