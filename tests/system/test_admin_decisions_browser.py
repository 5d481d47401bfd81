"""A decision's two-step send in a real headless Chromium, on a desktop and on a phone:
the form chooses no outcome and has no Send button, a missing outcome is named in the
error summary, Preview saves a draft and shows what the client and the representative
each get, and only the preview sends. axe-core finds nothing on any page on the way, and
nothing is wider than the screen.

Runs once (with the SQLite suite): the pages do not depend on the database engine.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from app.models import Client, Decision, OutboxMessage, Representative, Unit
from tests.browser import app_on_fresh_database, axe_problems, served
from tests.conftest import BACKEND
from tests.factories import create_client, create_staff, password_hash_of

PASSWORD = "correct horse battery"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages are checked once, with the SQLite run"),
]
# The width of each run, and the client the decision is about in it.
WIDTHS = [(1280, "Amal"), (390, "Leyla")]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app on loopback with a case worker, an Arabic and a Persian client, each with a
    guardian who reads Swedish and gets copies of decisions."""
    folder = tmp_path_factory.mktemp("decisions")
    app = app_on_fresh_database(folder)
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
        for number, (first, language) in enumerate((("Amal", "ar"), ("Leyla", "fa")), 3):
            client = create_client(session, lina, first_name=first, last_name="Yusuf",
                                   language=language, phone=f"+4670000000{number}")  # fmt: skip
            session.add(Representative(client_id=client.id, name=f"Hassan {first}",
                                       role="god_man", phone=f"+4670000009{number}",
                                       language="sv", copy_decisions=True))  # fmt: skip
        session.commit()
    with served(app) as base:
        yield base, app


def rows(site, model, *conditions):
    _base, app = site
    with Session(app.extensions["tydligt.engine"]) as session:
        return session.exec(select(model).where(*conditions)).all()


def check(page, width: int) -> None:
    """axe-core finds nothing, and the page is no wider than the screen."""
    assert axe_problems(page) == [], page.url
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"{page.url} is {wide} px wide at {width} px"


@pytest.fixture
def signed_in(site, browser, request):
    """A tab signed in as Lina (English interface), at the width of the run."""
    base, _app = site
    width = request.param
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=base,
                                  bypass_csp=True)  # fmt: skip
    tab = context.new_page()
    tab.goto("/admin/login")
    tab.get_by_role("button", name="English").click()
    tab.get_by_label("E-mail address").fill("lina@ekby.example")
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url("**/admin/")
    yield tab, width
    context.close()


@pytest.mark.parametrize(
    ("signed_in", "first_name"), WIDTHS, indirect=["signed_in"], ids=["1280", "390"]
)
def test_a_decision_is_sent_in_two_steps(site, signed_in, first_name):
    page, width = signed_in
    client = rows(site, Client, Client.first_name == first_name)[0]
    page.goto(f"/admin/clients/{client.id}/decisions/new")
    check(page, width)
    form = page.get_by_role("region", name="The decision")
    outcomes = form.get_by_role("group", name="Outcome").get_by_role("radio")
    assert outcomes.count() == 5
    assert not any(outcomes.nth(i).is_checked() for i in range(5))  # nothing chosen for you
    assert form.get_by_role("button", name="Send", exact=True).count() == 0

    form.get_by_label("Service").select_option("boendestod")
    form.get_by_label("Extent").fill("6")
    form.get_by_label("Counted in").select_option("hours_per_week")
    today = datetime.now(UTC).date()
    form.get_by_label("Valid from").fill(today.isoformat())
    form.get_by_label("Valid to").fill((today + timedelta(days=180)).isoformat())
    form.get_by_role("button", name="Preview", exact=True).click()
    summary = page.locator(".error-summary")
    assert "Choose what was decided." in summary.inner_text()
    summary.get_by_role("link", name="Choose what was decided.").click()
    assert page.evaluate("document.activeElement.name") == "outcome"  # the link lands on it
    check(page, width)
    assert rows(site, Decision, Decision.client_id == client.id) == []

    page.get_by_label("Approved", exact=True).check()
    page.get_by_role("button", name="Preview", exact=True).click()
    page.wait_for_url("**/admin/decisions/*")
    check(page, width)
    preview = page.get_by_role("region", name="Preview: what each recipient gets")
    text = preview.inner_text()
    assert "Saved as a draft. Nothing is sent until you press Send." in text
    assert f"{first_name} Yusuf – the client" in text
    assert any("\u0600" <= ch <= "\u06ff" for ch in text)  # her text in her script
    assert "Du får boendestöd." in text  # the Swedish beside it
    copy = preview.get_by_role("region", name=f"Copy to Hassan {first_name}", exact=False)
    assert f"Du är god man för {first_name}." in copy.inner_text()
    (draft,) = rows(site, Decision, Decision.client_id == client.id)
    assert draft.status == "draft"
    assert rows(site, OutboxMessage, OutboxMessage.client_id == client.id) == []

    preview.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_url(f"**/admin/clients/{client.id}")
    assert page.get_by_role("status").is_visible()  # the client page (another area's)
    (decision,) = rows(site, Decision, Decision.client_id == client.id)
    assert decision.status == "decided"
    sent = rows(site, OutboxMessage, OutboxMessage.client_id == client.id,
                OutboxMessage.kind == "decision_approved")  # fmt: skip
    assert sorted(m.representative_id is not None for m in sent) == [False, True]
