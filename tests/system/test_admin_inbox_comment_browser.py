"""A text from a client whose application waits for their comment, in a real headless
Chromium at 320, 390 and 1280 px: the inbox page offers "Mark as the client's comment",
and after it the offer is gone. axe-core finds nothing, and nothing is wider than the screen.

Runs once (with the SQLite suite): the pages do not depend on the database engine.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from app.casework import applications
from app.models import Unit
from app.outbox.planner import local_date
from tests.browser import app_on_fresh_database, axe_problems, served
from tests.conftest import BACKEND
from tests.factories import create_client, create_staff, password_hash_of, receive_text

PASSWORD = "correct horse battery"
NOW = datetime.now(UTC)  # the server runs on the real clock
WIDTHS = (320, 390, 1280)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages are checked once, with the SQLite run"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A case worker, and for each width a client of hers with an application sent for
    comment and a text from the client since."""
    app = app_on_fresh_database(tmp_path_factory.mktemp("inbox-comment"))
    engine = app.extensions["tydligt.engine"]
    texts = {}
    with app.app_context(), Session(engine, expire_on_commit=False) as session:
        unit = Unit(name="Ekby", sender_name="Ekby kommun", phone="+46846500400",
                    phone_menu_number="+46846500401", address="Storgatan 12, Ekby",
                    sending_window="00:00-23:59")  # fmt: skip
        session.add(unit)
        session.commit()
        lina = create_staff(session, unit, email="lina@ekby.example", name="Lina Berg",
                            phone="+46701740605",
                            password_hash=password_hash_of(PASSWORD))  # fmt: skip
        today = local_date(NOW)
        for index, width in enumerate(WIDTHS, 1):
            client = create_client(session, lina, first_name=f"Sara{index}",
                                   phone=f"+4670000001{index}")  # fmt: skip
            application = applications.receive(
                session, client, service="boendestod", received_on=today - timedelta(days=20),
                now=NOW - timedelta(days=2),
            )  # fmt: skip
            applications.move(session, client, application, "comment",
                              answer_by=today + timedelta(days=14),
                              now=NOW - timedelta(days=2))  # fmt: skip
            session.commit()
            texts[width] = receive_text(session, client, "Jag vill säga något om utredningen.").id
    with served(app) as base:
        yield base, texts


@pytest.mark.parametrize("width", WIDTHS)
def test_the_inbox_page_offers_to_record_the_text_as_the_comment(site, browser, width):
    base, texts = site
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

    tab.goto(f"/admin/inbox/{texts[width]}")
    check()
    tab.get_by_role("button", name="Mark as the client's comment").click()
    tab.wait_for_url(f"**/admin/inbox/{texts[width]}")
    assert "Saved as the client's comment." in tab.inner_text("body")
    assert tab.get_by_role("button", name="Mark as the client's comment").count() == 0
    check()
    context.close()
