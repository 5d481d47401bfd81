"""An application's pages in a real headless Chromium at 320, 390 and 1280 px: the client
page's list, registering one, its page with a form per step; a step sent without its day
names it in the error summary. axe-core finds nothing on any page on the way, and nothing
is wider than the screen.

Runs once (with the SQLite suite): the pages do not depend on the database engine.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from app.casework import applications, decisions
from app.models import Unit
from app.outbox.planner import local_date
from tests.browser import app_on_fresh_database, axe_problems, served
from tests.conftest import BACKEND
from tests.factories import create_client, create_staff, password_hash_of

PASSWORD = "correct horse battery"
NOW = datetime.now(UTC)  # the server runs on the real clock
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages are checked once, with the SQLite run"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A case worker and her client Amal, with an application waiting to start (so every
    form, the delay's too, is on its page) and a decision to link."""
    app = app_on_fresh_database(tmp_path_factory.mktemp("applications"))
    engine = app.extensions["tydligt.engine"]
    with app.app_context(), Session(engine, expire_on_commit=False) as session:
        unit = Unit(name="Ekby", sender_name="Ekby kommun", phone="+46846500400",
                    phone_menu_number="+46846500401", address="Storgatan 12, Ekby",
                    sending_window="00:00-23:59")  # fmt: skip
        session.add(unit)
        session.commit()
        lina = create_staff(session, unit, email="lina@ekby.example", name="Lina Berg",
                            phone="+46701740605",
                            password_hash=password_hash_of(PASSWORD))  # fmt: skip
        amal = create_client(session, lina, first_name="Amal", last_name="Yusuf", language="ar")
        today = local_date(NOW)
        application = applications.receive(
            session, amal, service="personlig_assistans", received_on=today - timedelta(days=30),
            decision_expected_on=today + timedelta(days=10), now=NOW,
        )  # fmt: skip
        decisions.decide(session, amal, now=NOW, service="personlig_assistans",
                         outcome="approved")  # fmt: skip
        applications.move(session, amal, application, "waiting",
                          start_expected_on=today + timedelta(days=20), now=NOW)  # fmt: skip
        session.commit()
        ids = {"client": amal.id, "application": application.id}
    with served(app) as base:
        yield base, ids


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_the_application_pages_are_accessible_and_name_what_is_wrong(site, browser, width):
    base, ids = site
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=base,
                                  bypass_csp=True)  # fmt: skip
    tab = context.new_page()
    tab.goto("/admin/login")
    tab.get_by_role("button", name="English").click()
    tab.get_by_label("E-mail address").fill("lina@ekby.example")
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url("**/admin/")

    def check() -> None:
        assert axe_problems(tab) == [], tab.url
        wide = tab.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{tab.url} is {wide} px wide at {width} px"

    tab.goto(f"/admin/clients/{ids['client']}")
    check()
    tab.locator(f'#applications a[href="/admin/applications/{ids["application"]}"]').click()
    tab.wait_for_url(f"**/admin/applications/{ids['application']}")
    check()
    # Sent for comment without the day: the summary names the field, focus moves there.
    tab.locator('form[aria-label="Send for the client\'s comment"]').get_by_label("Answer by").fill(
        ""
    )
    tab.get_by_role("button", name="Send for the client's comment").click()
    summary = tab.locator("#error-summary")
    assert "Answer by" in summary.inner_text()
    check()
    tab.goto(f"/admin/clients/{ids['client']}/applications/new")
    check()
    context.close()
