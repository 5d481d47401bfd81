"""The answer form in a real headless Chromium: the plain-language check appears under
the text box as the case worker types (in a polite live region), ready answers preview
in the client's language beside the Swedish, and axe-core finds nothing on the way.
Without JavaScript the same check comes with Preview.

Runs once (with the SQLite suite): the page does not depend on the database engine.
"""

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from app.models import InboundMessage, OutboxMessage, Unit
from tests.browser import app_on_fresh_database, axe_problems, served
from tests.conftest import BACKEND
from tests.factories import create_client, create_staff, password_hash_of

PASSWORD = "correct horse battery"
HARD = "Du har fått avslag eftersom handläggningen visar att inkomsten överstiger normen."
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages are checked once, with the SQLite run"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app on loopback with a case worker and an Arabic client's question to answer."""
    folder = tmp_path_factory.mktemp("answers")
    app = app_on_fresh_database(folder)
    engine = app.extensions["tydligt.engine"]
    with app.app_context(), Session(engine, expire_on_commit=False) as session:
        unit = Unit(name="Ekby", sender_name="Ekby kommun", phone="+46846500400",
                    phone_menu_number="+46846500401", address="Storgatan 12, Ekby",
                    office_hours="mån-fre 9-12", sending_window="00:00-23:59")  # fmt: skip
        session.add(unit)
        session.commit()
        lina = create_staff(session, unit, email="lina@ekby.example", name="Lina Berg",
                            phone="+46701740605",
                            password_hash=password_hash_of(PASSWORD))  # fmt: skip
        amal = create_client(session, lina, first_name="Amal", last_name="Yusuf",
                             language="ar", phone="+46700000003")  # fmt: skip
        session.add(InboundMessage(provider_id="SMlive1", from_phone=amal.phone,
                                   client_id=amal.id, body="هل حصلتم على أوراقي؟",
                                   needs_answer=True, intent="free_text"))  # fmt: skip
        session.commit()
    with served(app) as base:
        yield base, app


def answer_page(site, browser, *, javascript: bool = True):
    base, _app = site
    context = browser.new_context(viewport={"width": 1024, "height": 900}, base_url=base,
                                  bypass_csp=True, java_script_enabled=javascript)  # fmt: skip
    tab = context.new_page()
    tab.goto("/admin/login")
    tab.get_by_role("button", name="English").click()
    tab.get_by_label("E-mail address").fill("lina@ekby.example")
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url("**/admin/")
    tab.goto("/admin/inbox/1")
    return context, tab


def test_the_check_shows_as_the_case_worker_types(site, browser):
    context, page = answer_page(site, browser)
    try:
        assert axe_problems(page) == []
        region = page.locator("#plain-language")
        assert region.get_attribute("aria-live") == "polite"
        box = page.get_by_label("Your answer")
        assert region.get_attribute("id") in box.get_attribute("aria-describedby")
        page.get_by_label("My own words (sent as I write them)").check()
        box.press_sequentially(HARD, delay=5)
        expect(region).to_contain_text("harder than our limit of 30", timeout=5000)
        expect(region).to_contain_text("avslag")
        expect(region).to_contain_text("handläggning")
        expect(region).to_contain_text("Det betyder att du inte får det du bad om.")
        assert axe_problems(page) == []
        box.fill("")
        box.press_sequentially("Ja, det går bra. Vi ses på fredag.", delay=5)
        expect(region).to_contain_text("easy to read", timeout=5000)
        expect(region).not_to_contain_text("avslag")
    finally:
        context.close()


def test_a_ready_answer_previews_beside_the_swedish_and_is_sent(site, browser):
    context, page = answer_page(site, browser)
    try:
        page.get_by_label("We have got your papers. Thank you!").check()
        page.get_by_role("button", name="Preview").click()
        preview = page.get_by_role("region", name="The client will get this")
        expect(preview.get_by_role("heading", name=re.compile("Arabic"))).to_be_visible()
        swedish = preview.get_by_role("region", name="Swedish")
        expect(swedish).to_contain_text("Vi har fått dina papper. Tack!")
        expect(preview).to_contain_text("UCS-2")
        assert axe_problems(page) == []
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_role("status")).to_be_visible()
        _base, app = site
        with Session(app.extensions["tydligt.engine"]) as session:
            sent = session.exec(select(OutboxMessage.kind)).all()
        assert "answer_papers_received" in sent
    finally:
        context.close()


def test_without_javascript_the_check_comes_with_preview(site, browser):
    context, page = answer_page(site, browser, javascript=False)
    try:
        page.get_by_label("My own words (sent as I write them)").check()
        page.get_by_label("Your answer").fill(HARD)
        page.get_by_role("button", name="Preview").click()
        region = page.locator("#plain-language")
        expect(region).to_contain_text("harder than our limit of 30")
        expect(region).to_contain_text("avslag")  # (axe-core itself needs JavaScript)
    finally:
        context.close()
