"""The webhook pages in a real headless Chromium, with axe-core on each, wide and narrow:
a key's addresses, the form with its errors, the secret shown once, pause and resume."""

from playwright.sync_api import expect

from tests.system.test_admin_browser import admin_page, check, pytestmark, site  # noqa: F401

WIDTHS = (1280, 390, 320)


def check_widths(page) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        check(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_webhook_pages_are_accessible(admin_page):  # noqa: F811 - the imported fixture
    page = admin_page
    page.get_by_role("link", name="API keys", exact=True).click()
    page.get_by_role("link", name="Make a new key").click()
    page.get_by_label("The system's name").fill("Lifecare")
    page.get_by_role("button", name="Make the key").click()
    page.get_by_role("link", name="I have copied the key").click()
    page.get_by_role("link", name="Webhooks for Lifecare").click()
    page.get_by_role("heading", name="Webhooks for Lifecare", level=1).wait_for()
    check_widths(page)

    page.get_by_label("The system's address").fill("http://lifecare.ekby.example/tydligt")
    page.get_by_role("button", name="Add the address").click()
    page.get_by_role("alert").wait_for()
    assert page.get_by_text("Use an https address.").count() >= 1
    check_widths(page)

    page.get_by_label("The system's address").fill("https://lifecare.ekby.example/tydligt")
    page.get_by_role("button", name="Add the address").click()
    secret = page.get_by_label("Secret for https://lifecare.ekby.example/tydligt")
    assert secret.input_value().startswith("whsec_")
    check_widths(page)
    page.get_by_role("link", name="I have copied the secret").click()
    expect(page.get_by_text("Nothing sent yet.")).to_have_count(1)
    check_widths(page)

    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Resume").wait_for()
    check(page)
    page.get_by_role("button", name="Resume").click()
    page.get_by_role("button", name="Make a new secret").click()
    page.get_by_text("signed with the old secret too").wait_for()
    check(page)
