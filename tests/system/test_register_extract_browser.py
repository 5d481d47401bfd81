"""The register extract and closing a client in a real headless Chromium: the client page's
"Their data, and closing" section, the extract in Swedish at 1280 and 390 px (axe-clean,
nothing sideways at 320 px), its print view on A4, and closing after ticking the box.

Runs once (with the SQLite suite): the pages do not depend on the database engine. The
clock is not frozen (the browser needs real time)."""

import re

import pytest
from sqlmodel import Session, select

from app.models import Client, Unit, utcnow
from app.pages import links
from tests.browser import app_on_fresh_database, axe_problems, served
from tests.casework.full_client import full_client
from tests.conftest import BACKEND
from tests.factories import create_staff, password_hash_of
from tests.system.test_admin_browser import PASSWORD, signed_in

TOKENS: dict[str, str] = {}  # Sara's overview link, made with the site
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages are checked once, with the SQLite run"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Sara with one of every record, her case worker Lina, her former one Omar, and Eva,
    the unit's administrator."""
    folder = tmp_path_factory.mktemp("extract")
    app = app_on_fresh_database(folder)
    engine = app.extensions["tydligt.engine"]
    with app.app_context(), Session(engine, expire_on_commit=False) as session:
        unit = Unit(name="Ekby kommun, stöd och omsorg", sender_name="Ekby kommun",
                    phone="+46846500400", phone_menu_number="+46846500401",
                    address="Storgatan 12, Ekby", sending_window="00:00-23:59")  # fmt: skip
        session.add(unit)
        session.commit()
        password = password_hash_of(PASSWORD)
        lina = create_staff(session, unit, email="lina@ekby.example", name="Lina Berg",
                            password_hash=password)  # fmt: skip
        omar = create_staff(session, unit, email="omar@ekby.example", name="Omar Haddad",
                            password_hash=password)  # fmt: skip
        create_staff(session, unit, email="eva@ekby.example", name="Eva Admin", role="admin",
                     password_hash=password)  # fmt: skip
        sara = full_client(session, lina, omar, utcnow()).client
        TOKENS["sara"] = links.create(session, sara, "overview", utcnow())
        session.commit()
    with served(app) as base:
        yield base, app


def sara_id(site) -> int:
    _base, app = site
    with Session(app.extensions["tydligt.engine"]) as session:
        return session.exec(select(Client.id).where(Client.first_name == "Sara")).one()


def no_sideways_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_extract_is_swedish_accessible_and_prints_on_a4(site, browser):
    context, tab = signed_in(site, browser, "eva@ekby.example")
    try:
        tab.set_viewport_size({"width": 1280, "height": 900})
        tab.goto(f"/admin/clients/{sara_id(site)}")
        tab.get_by_role("heading", name="Their data, and closing").wait_for()
        assert axe_problems(tab) == []
        tab.get_by_role("link", name="Register extract", exact=True).click()
        tab.get_by_role("heading", name="Registerutdrag: Sara Lind", level=1).wait_for()
        assert tab.locator("html").get_attribute("lang") == "sv"
        tab.get_by_text("god man Anna Berg").first.wait_for()
        assert axe_problems(tab) == []
        for width in (390, 320):
            tab.set_viewport_size({"width": width, "height": 800})
            assert axe_problems(tab) == [], width
            assert no_sideways_scroll(tab), width
        tab.emulate_media(media="print")
        assert not tab.locator(".extract-tools").is_visible()
        assert tab.get_by_role("heading", name="Meddelanden vi skickade").is_visible()
        pdf = tab.pdf(prefer_css_page_size=True)  # the page's own @page: A4
        pages = re.findall(rb"/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]", pdf)
        assert len(pages) >= 2  # every section, with headings, on more than one sheet
        assert {(round(float(w)), round(float(h))) for w, h in pages} == {(595, 842)}  # A4
        tab.emulate_media(media="screen")
        # The staff member's own language is English again on the next admin page.
        tab.get_by_role("link", name="Tillbaka till klienten").click()
        tab.get_by_role("heading", name="Their data, and closing").wait_for()
    finally:
        context.close()


def test_the_case_worker_closes_the_client_after_ticking_the_box(site, browser):
    context, tab = signed_in(site, browser, "lina@ekby.example")
    try:
        tab.set_viewport_size({"width": 390, "height": 800})
        tab.goto(f"/admin/clients/{sara_id(site)}#closing")
        assert tab.get_by_role("link", name="Register extract", exact=True).count() == 0
        # Sara has meetings ahead: closing lists them and asks for a second tick, and the
        # browser will not send the form without it.
        tab.get_by_label("Sara Lind is no longer a client").check()
        tab.get_by_role("button", name="Close as client").click()
        assert tab.get_by_text("The client is closed.").count() == 0
        tab.get_by_label("I have seen what is still open").check()
        tab.get_by_role("button", name="Close as client").click()
        tab.get_by_text("The client is closed.").wait_for()
        tab.get_by_text("No longer a client", exact=True).wait_for()
        assert axe_problems(tab) == []
        tab.set_viewport_size({"width": 1280, "height": 900})
        tab.goto("/admin/clients?show=closed")
        tab.get_by_role("link", name="Sara Lind").wait_for()
        assert axe_problems(tab) == []
        # Her overview link now shows a calm page with whom to call.
        tab.set_viewport_size({"width": 390, "height": 800})
        tab.goto(f"/p/{TOKENS['sara']}")
        tab.get_by_role("heading", name="Sidan finns inte längre").wait_for()
        tab.get_by_role("link", name="Ring 08-465 004 00").wait_for()
        assert axe_problems(tab) == []
    finally:
        context.close()
