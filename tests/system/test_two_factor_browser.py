"""Two factors in a real headless Chromium: an administrator without one sets up an
authenticator at sign-in (QR code and key, one code, the recovery codes once), signs out,
and signs in again with a code; axe-core finds nothing at 1280 and 320 px, and nothing
scrolls sideways on a phone.

Runs once (with the SQLite suite): the pages do not depend on the database engine.
"""

import re

import pyotp
import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from app.models import StaffRole, Unit, utcnow
from tests.browser import app_on_fresh_database, axe_problems, served
from tests.conftest import BACKEND
from tests.factories import create_staff, password_hash_of

PASSWORD = "correct horse battery"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages are checked once, with the SQLite run"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app on loopback with one administrator per width, none with a second factor."""
    folder = tmp_path_factory.mktemp("two-factor")
    app = app_on_fresh_database(folder)
    engine = app.extensions["tydligt.engine"]
    with app.app_context(), Session(engine, expire_on_commit=False) as session:
        unit = Unit(name="Ekby", sender_name="Ekby kommun", phone="+46846500400",
                    address="Storgatan 12, Ekby")  # fmt: skip
        session.add(unit)
        session.commit()
        for width in (320, 1280):
            create_staff(session, unit, email=f"eva{width}@ekby.example", name="Eva Admin",
                         role=StaffRole.ADMIN, password_hash=password_hash_of(PASSWORD),
                         two_factor=False)  # fmt: skip
    with served(app) as base:
        yield base


def checked(tab, width: int) -> None:
    assert axe_problems(tab) == [], tab.url
    assert tab.evaluate("document.documentElement.scrollWidth") <= width, tab.url


def password(tab, email: str) -> None:
    tab.goto("/admin/login")
    tab.get_by_label("E-mail address").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("width", [320, 1280])
def test_setting_up_an_authenticator_and_signing_in_with_a_code(site, browser, width):
    email = f"eva{width}@ekby.example"
    context = browser.new_context(viewport={"width": width, "height": 800}, base_url=site,
                                  bypass_csp=True)  # fmt: skip
    tab = context.new_page()
    try:
        tab.goto("/admin/login")
        tab.get_by_role("button", name="English").click()
        password(tab, email)

        tab.wait_for_url("**/admin/login/set-up")
        assert tab.get_by_role("heading", name="Set up your second factor").is_visible()
        assert tab.locator(".qr-code svg").is_visible()
        checked(tab, width)
        secret = tab.locator("#secret").inner_text().replace(" ", "")
        totp = pyotp.TOTP(secret)

        tab.get_by_label("Code from the app").fill("000000")
        tab.get_by_role("button", name="Turn on the second factor").click()
        assert tab.locator("#error-summary").is_visible()
        expect(tab.locator("#error-summary")).to_be_focused()
        checked(tab, width)

        # The code of the step before: accepted as one step either side. Read the clock
        # now, not before the checks above (on a busy machine they took longer than a step).
        step = int(utcnow().timestamp()) // 30
        tab.get_by_label("Code from the app").fill(totp.generate_otp(step - 1))
        tab.get_by_role("button", name="Turn on the second factor").click()
        assert tab.get_by_role("heading", name="Your recovery codes").is_visible()
        codes = tab.locator("ol.recovery-codes li").all_inner_texts()
        assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
        checked(tab, width)
        tab.get_by_role("link", name="I have kept the codes, go on").click()
        tab.wait_for_url("**/admin/")

        tab.goto("/admin/account/two-factor")
        assert "You have 10 recovery codes left." in tab.locator("main").inner_text()
        checked(tab, width)
        tab.get_by_role("button", name="Sign out").click()
        tab.wait_for_url("**/admin/login")

        password(tab, email)
        tab.wait_for_url("**/admin/login/code")
        assert tab.get_by_label("Code").get_attribute("autocomplete") == "one-time-code"
        checked(tab, width)
        tab.goto("/admin/")  # the code step cannot be skipped
        tab.wait_for_url("**/admin/login?next=**")
        password(tab, email)
        tab.wait_for_url("**/admin/login/code")
        now_step = int(utcnow().timestamp()) // 30  # a later step than the one used above
        tab.get_by_label("Code").fill(totp.generate_otp(max(step, now_step)))
        tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_url("**/admin/")
        assert tab.get_by_text("Eva Admin").first.is_visible()
    finally:
        context.close()
