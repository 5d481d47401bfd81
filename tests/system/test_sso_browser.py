"""Single sign-on in a real headless Chromium: from Tydligt's sign-in page through the
provider's own sign-in page (oidc-provider on loopback, tests/oidc) and back to Today,
with axe-core checking Tydligt's pages on the way (the provider's page is not ours).

Runs once (with the SQLite suite); the real clock (the provider signs with it)."""

import pytest
from sqlmodel import Session

from app.models import Unit
from tests.browser import app_on_fresh_database, axe_problems, served
from tests.conftest import BACKEND
from tests.factories import create_staff

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages are checked once, with the SQLite run"),
]


@pytest.fixture
def site(tmp_path, oidc):
    """Tydligt on loopback, configured for the provider, with Lina, a case worker, and Eva,
    an administrator: (its address, the app)."""
    app = app_on_fresh_database(tmp_path)
    with app.app_context(), Session(app.extensions["tydligt.engine"]) as session:
        unit = Unit(name="Ekby", sender_name="Ekby kommun", phone="+46846500400")
        session.add(unit)
        session.commit()
        # Lina signed in by single sign-on before; Eva, an administrator, never has.
        create_staff(session, unit, email="lina@ekby.example", name="Lina Berg",
                     sso_issuer=oidc.issuer, sso_subject="lina")  # fmt: skip
        create_staff(session, unit, email="eva@ekby.example", name="Eva Admin", role="admin")
    oidc.accounts(
        lina={"email": "lina@ekby.example", "email_verified": True},
        eva={"email": "eva@ekby.example", "email_verified": True},
        nils={"email": "nils@ekby.example", "email_verified": True},
    )
    with served(app) as base:
        app.config |= oidc.settings(PUBLIC_BASE_URL=base)
        oidc.allow_redirect(f"{base}/admin/sso/callback")
        yield base, app


def tab_at(browser, site, width: int):
    base, _app = site
    context = browser.new_context(
        viewport={"width": width, "height": 900}, base_url=base, bypass_csp=True
    )
    return context, context.new_page()


def through_the_provider(tab, login: str) -> None:
    """From Tydligt's sign-in page, in English, through the provider's page as `login`."""
    tab.goto("/admin/login")
    tab.get_by_role("button", name="English").click()
    tab.wait_for_url("**/admin/login")
    assert axe_problems(tab) == []
    tab.get_by_role("link", name="Sign in with your work account").click()
    tab.locator("input[name=login]").fill(login)
    tab.locator("input[name=password]").fill("anything")
    tab.get_by_role("button", name="Sign-in").click()


@pytest.mark.parametrize("width", (320, 1280))
def test_a_case_worker_signs_in_with_the_work_account_and_lands_on_today(site, browser, width):
    context, tab = tab_at(browser, site, width)
    through_the_provider(tab, "lina")
    tab.wait_for_url("**/admin/")
    tab.get_by_role("heading", name="Today", level=1).wait_for()
    assert tab.get_by_text("Lina Berg").first.is_visible()
    assert axe_problems(tab) == []
    context.close()


@pytest.mark.parametrize("width", (320, 1280))
def test_someone_unknown_sees_whom_to_ask_and_a_way_back(site, browser, width):
    context, tab = tab_at(browser, site, width)
    through_the_provider(tab, "nils")
    tab.get_by_role("heading", name="Tydligt has no account for you", level=1).wait_for()
    assert "/admin/sso/callback" in tab.url
    assert axe_problems(tab) == []
    tab.get_by_role("link", name="Back to the sign-in page").click()
    tab.wait_for_url("**/admin/login")
    context.close()


@pytest.mark.parametrize("width", (320, 1280))
def test_an_administrator_sees_the_work_account_settings_and_unlinks_one(site, browser, width):
    context, tab = tab_at(browser, site, width)
    through_the_provider(tab, "eva")
    tab.wait_for_url("**/admin/")
    tab.goto("/admin/settings")
    tab.get_by_label("Staff new to Tydligt may join the unit").wait_for()
    assert axe_problems(tab) == []
    tab.goto("/admin/staff")
    tab.get_by_role("link", name="Lina Berg").first.click()
    tab.get_by_role("heading", name="Work account").wait_for()
    assert axe_problems(tab) == []
    tab.get_by_role("button", name="Unlink the work account").click()
    tab.get_by_text("The work account of Lina Berg is unlinked.").wait_for()
    tab.get_by_text("Not linked yet").wait_for()
    assert axe_problems(tab) == []
    context.close()


def test_signing_out_at_the_provider_too_asks_for_the_work_account_again(site, browser, oidc):
    _base, app = site
    app.config["OIDC_LOGOUT_AT_PROVIDER"] = True
    context, tab = tab_at(browser, site, 1280)
    through_the_provider(tab, "lina")
    tab.wait_for_url("**/admin/")
    tab.get_by_role("button", name="Sign out").click()
    tab.get_by_role("button", name="Yes, sign me out").click()  # the provider's own page
    tab.wait_for_url("**/admin/login")
    assert axe_problems(tab) == []
    tab.get_by_role("link", name="Sign in with your work account").click()
    tab.locator("input[name=login]").wait_for()  # signed out there too: asked again
    context.close()
