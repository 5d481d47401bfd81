"""The support page (/p/<token>/support) and the admin's support pages in a real headless
Chromium: axe-core finds nothing at 320 and 1280 px, the page reflows at 320 px in a
left-to-right and a right-to-left language, and prints without its buttons."""

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from app.casework import support_offers
from app.demo import SUPPORT_OFFERS
from app.models import LinkPurpose, StaffRole, Unit
from app.pages import links
from tests.browser import app_on_fresh_database, axe_problems, pass_second_factor, served
from tests.conftest import BACKEND
from tests.factories import create_client, create_staff, password_hash_of

NOW = datetime.now(UTC)  # the server runs on the real clock
PASSWORD = "correct horse battery"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages are checked once, with the SQLite run"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A unit offering the demo's four kinds of support, a client's overview link and an
    administrator."""
    folder = tmp_path_factory.mktemp("support")
    app = app_on_fresh_database(folder)
    with app.app_context():
        with Session(app.extensions["tydligt.engine"], expire_on_commit=False) as session:
            unit = Unit(
                name="Ekby",
                sender_name="Ekby kommun",
                phone="+46846500400",
                phone_menu_number="+46846500401",
            )
            session.add(unit)
            session.commit()
            for kind, details in SUPPORT_OFFERS.items():
                support_offers.save(session, unit.id or 0, kind, details, now=NOW)
            create_staff(
                session,
                unit,
                email="admin@ekby.example",
                name="Anna Admin",
                role=StaffRole.ADMIN,
                password_hash=password_hash_of(PASSWORD),
            )
            sara = create_client(session, create_staff(session, unit), phone="+46700000001")
            token = links.create(session, sara, LinkPurpose.OVERVIEW, NOW)
            session.commit()
    with served(app) as base:
        yield base, f"/p/{token}/support"


def _open(browser, address: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(address, wait_until="load")
    return context, page


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("code", ["sv", "ar"])
def test_the_support_page_is_accessible_and_reflows(site, browser, code, width):
    base, path = site
    context, page = _open(browser, f"{base}{path}?lang={code}", width)
    try:
        assert axe_problems(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        headings = page.eval_on_selector_all("section.offer h2", "els => els.map(e => e.id)")
        assert headings[0] == "offer-violence" and len(headings) == 4
        images = page.eval_on_selector_all("img", "els => els.map(e => [e.alt, e.naturalWidth])")
        assert images and all(alt and natural > 0 for alt, natural in images)
    finally:
        context.close()


def test_the_support_page_prints_numbers_and_web_addresses_as_text(site, browser):
    base, path = site
    context, page = _open(browser, base + path, 1024)
    try:
        page.emulate_media(media="print")
        assert page.eval_on_selector("button.print", "e => getComputedStyle(e).display") == "none"
        call = page.eval_on_selector('a[href="tel:+46846500450"]', "e => e.innerText")
        assert "08-465 004 50" in call
        web = page.eval_on_selector(
            'a[href="https://ekby.example/budget"]',
            "e => getComputedStyle(e, '::after').content",
        )
        assert "https://ekby.example/budget" in web
    finally:
        context.close()


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_the_admin_support_pages_are_accessible(site, browser, width):
    base, _ = site
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"{base}/admin/login")
        page.fill("input[name=email]", "admin@ekby.example")
        page.fill("input[name=password]", PASSWORD)
        page.click("form[novalidate] button.primary")
        pass_second_factor(page, "admin@ekby.example")
        for path in ("/admin/settings/support", "/admin/settings/support/budget_debt"):
            page.goto(base + path)
            assert axe_problems(page) == [], path
            assert page.evaluate("document.documentElement.scrollWidth") <= max(width, 320)
        page.fill("input[name=web]", "http://not-https.example")
        page.click("form[novalidate] button.primary")
        assert page.is_visible("#error-summary")
        assert axe_problems(page) == []
    finally:
        context.close()
