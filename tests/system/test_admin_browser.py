"""The admin page in a real headless Chromium: the main flows a case worker goes through,
with axe-core checking every page on the way.

Runs once (with the SQLite suite): the pages do not depend on the database engine.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from app.casework.deadlines import next_working_day
from app.models import Client, InboundMessage, OutboxMessage, Unit
from tests.browser import app_on_fresh_database, axe_problems, pass_second_factor, served
from tests.conftest import BACKEND
from tests.factories import create_client, create_staff, password_hash_of

PASSWORD = "correct horse battery"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages are checked once, with the SQLite run"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app on loopback with a unit, two case workers, a client and a text to answer."""
    folder = tmp_path_factory.mktemp("admin")
    app = app_on_fresh_database(folder)
    engine = app.extensions["tydligt.engine"]
    with app.app_context(), Session(engine, expire_on_commit=False) as session:
        unit = Unit(name="Ekby", sender_name="Ekby kommun", phone="+46846500400",
                    phone_menu_number="+46846500401", address="Storgatan 12, Ekby",
                    sending_window="00:00-23:59")  # fmt: skip
        session.add(unit)
        session.commit()
        password = password_hash_of(PASSWORD)
        lina = create_staff(session, unit, email="lina@ekby.example", name="Lina Berg",
                            phone="+46701740605", password_hash=password)  # fmt: skip
        create_staff(session, unit, email="omar@ekby.example", name="Omar Haddad",
                     phone="+46701740606", password_hash=password)  # fmt: skip
        create_staff(session, unit, email="eva@ekby.example", name="Eva Admin", role="admin",
                     password_hash=password)  # fmt: skip
        sara = create_client(session, lina, first_name="Sara", last_name="Lind")
        create_client(session, lina, first_name="Amal", last_name="Yusuf", language="ar",
                      phone="+46700000003")  # fmt: skip
        session.add(InboundMessage(provider_id="SMbrowser1", from_phone=sara.phone,
                                   client_id=sara.id, body="Kan vi ses på fredag i stället?",
                                   needs_answer=True, intent="free_text"))  # fmt: skip
        session.commit()
    with served(app) as base:
        yield base, app


def signed_in(site, browser, email: str):
    """A fresh browser tab, signed in through the form, with the English interface."""
    base, _app = site
    # bypass_csp only lets the test inject axe-core; the headers are tested in test_auth.
    context = browser.new_context(
        viewport={"width": 1024, "height": 900}, base_url=base, bypass_csp=True
    )
    tab = context.new_page()
    tab.goto("/")  # the start page README points to, in Swedish until English is chosen
    assert axe_problems(tab) == []
    tab.get_by_role("link", name="Logga in").click()
    tab.wait_for_url("**/admin/login")
    assert axe_problems(tab) == []
    tab.get_by_role("button", name="English").click()
    tab.get_by_label("E-mail address").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    pass_second_factor(tab, email)
    tab.wait_for_url("**/admin/")
    return context, tab


@pytest.fixture
def page(site, browser):
    """Signed in as Lina, a case worker."""
    context, tab = signed_in(site, browser, "lina@ekby.example")
    yield tab
    context.close()


@pytest.fixture
def admin_page(site, browser):
    """Signed in as Eva, an administrator."""
    context, tab = signed_in(site, browser, "eva@ekby.example")
    yield tab
    context.close()


def rows(site, model, *conditions):
    _base, app = site
    with Session(app.extensions["tydligt.engine"]) as session:
        return session.exec(select(model).where(*conditions)).all()


def check(page) -> None:
    """axe-core finds nothing on the page as it stands."""
    assert axe_problems(page) == [], page.url


def test_signing_in_shows_today_with_the_text_to_answer(page):
    page.get_by_role("heading", name="Today", level=1).wait_for()
    page.get_by_text("Kan vi ses på fredag i stället?").wait_for()
    check(page)


def test_registering_a_client(site, page):
    page.get_by_role("link", name="Clients", exact=True).click()
    check(page)
    page.get_by_role("link", name="Register a client").click()
    check(page)
    page.get_by_role("button", name="Register").click()  # empty: errors, nothing saved
    page.get_by_role("alert").wait_for()
    check(page)
    page.get_by_label("First name").fill("Nadia")
    page.get_by_label("Last name").fill("Berg")
    page.get_by_label("Mobile number").fill("070-000 00 07")
    page.get_by_label("Language").select_option("so")
    page.get_by_role("group", name="Has the client agreed").get_by_label("Yes, verbally").check()
    page.get_by_role("button", name="Register").click()
    page.get_by_role("heading", name="Nadia Berg").wait_for()
    check(page)
    client = rows(site, Client, Client.first_name == "Nadia")[0]
    assert (client.phone, client.language) == ("+46700000007", "so")
    assert rows(site, OutboxMessage, OutboxMessage.client_id == client.id)[0].kind == "welcome"


def test_planning_a_meeting_puts_its_reminders_in_the_outbox(site, page):
    page.get_by_role("link", name="Clients", exact=True).click()
    page.get_by_role("link", name="Sara Lind").click()
    page.get_by_role("link", name="Plan a meeting").click()
    check(page)
    # A working day: a meeting on a weekend or a holiday is questioned first.
    day = next_working_day((datetime.now(UTC) + timedelta(days=10)).date()).isoformat()
    page.get_by_label("Date").fill(day)
    page.get_by_label("Time", exact=True).fill("14:30")
    page.get_by_role("button", name="Plan the meeting").click()
    page.get_by_role("status").wait_for()
    page.get_by_role("link", name="Outbox").click()
    page.get_by_label("Kind").select_option("appointment_reminder")
    page.get_by_role("button", name="Search").click()
    check(page)
    assert page.get_by_role("cell", name="Meeting reminder").count() >= 2


def test_answering_a_text(site, page):
    page.get_by_role("link", name="Answer").first.click()
    check(page)
    page.get_by_label("Your answer").fill("Ja, fredag klockan 10 går bra.")
    page.get_by_role("button", name="Preview").click()
    page.get_by_text("Hälsningar Lina Berg.", exact=False).wait_for()
    check(page)
    page.get_by_role("button", name="Send").click()
    page.get_by_role("status").wait_for()
    sent = rows(site, OutboxMessage, OutboxMessage.kind == "staff_message")
    assert len(sent) == 1
    handled = rows(site, InboundMessage, InboundMessage.provider_id == "SMbrowser1")[0]
    assert handled.handled_at is not None


def test_recording_a_decision_with_a_preview_before_sending(site, page):
    from app.models import Decision

    page.get_by_role("link", name="Clients", exact=True).click()
    page.get_by_role("link", name="Amal Yusuf").click()
    page.get_by_role("link", name="Summarise a decision").click()
    check(page)
    form = page.get_by_role("region", name="The decision")
    form.get_by_label("Service").select_option("boendestod")
    form.get_by_label("Approved", exact=True).check()
    form.get_by_label("Extent").fill("6")
    form.get_by_label("Counted in").select_option("hours_per_week")
    today = datetime.now(UTC).date()
    form.get_by_label("Valid from").fill(today.isoformat())
    form.get_by_label("Valid to").fill((today + timedelta(days=180)).isoformat())
    assert page.get_by_role("button", name="Send", exact=True).count() == 0  # preview first
    page.get_by_role("button", name="Preview", exact=True).click()
    check(page)
    text = page.locator("main").inner_text()
    assert "boendestöd" in text and "LIX" in text  # Swedish beside the client's Arabic
    assert any("\u0600" <= ch <= "\u06ff" for ch in text)
    assert [d.status for d in rows(site, Decision)] == ["draft"]  # a preview sends nothing
    assert rows(site, OutboxMessage, OutboxMessage.kind == "decision_approved") == []
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_role("status").wait_for()
    assert [d.status for d in rows(site, Decision)] == ["decided"]
    assert rows(site, OutboxMessage, OutboxMessage.kind == "decision_approved")


def test_handing_a_client_over_plans_the_notice(site, page):
    page.get_by_role("link", name="Clients", exact=True).click()
    page.get_by_role("link", name="Hand clients over").click()
    check(page)
    page.get_by_label("Sara Lind").check()
    page.get_by_label("To", exact=True).select_option(label="Omar Haddad")
    page.get_by_label("For good").check()
    page.get_by_label("First day").fill(datetime.now(UTC).date().isoformat())
    page.get_by_role("button", name="Hand over").click()
    page.get_by_role("status").wait_for()
    check(page)
    notices = rows(site, OutboxMessage, OutboxMessage.kind == "handover_permanent")
    assert len(notices) == 1
    sara = rows(site, Client, Client.first_name == "Sara")[0]
    assert notices[0].client_id == sara.id
    # Sara is Omar's now: she has left Lina's list
    page.get_by_role("link", name="Clients", exact=True).click()
    assert page.get_by_role("link", name="Sara Lind").count() == 0


def test_the_main_pages_are_accessible_in_swedish(site, page):
    page.get_by_role("button", name="Svenska").click()
    for link in ("Klienter", "Inkorg", "Utkorg", "Skicka nu", "Återkoppling"):
        page.get_by_role("link", name=link, exact=True).click()
        check(page)
    page.goto("/admin/")
    check(page)
    page.goto("/")
    check(page)


def test_the_administrators_pages_are_accessible(admin_page):
    page = admin_page
    for link in ("Settings", "Staff", "Feedback", "Phone simulator"):
        page.get_by_role("link", name=link, exact=True).click()
        check(page)
    page.get_by_role("link", name="Staff", exact=True).click()
    page.get_by_role("link", name="Add a staff account").click()
    check(page)
    page.get_by_role("link", name="Change your password").click()
    check(page)


def test_the_client_forms_are_accessible(page):
    page.get_by_role("link", name="Clients", exact=True).click()
    page.get_by_role("link", name="Amal Yusuf").click()
    check(page)
    for link in ("Change details", "Add a representative", "Ask for documents"):
        page.get_by_role("link", name=link).first.click()
        check(page)
        page.go_back()
