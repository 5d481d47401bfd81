"""The API key pages in a real headless Chromium, with axe-core on each: the list, the
form, and the page that shows a new key once."""

from playwright.sync_api import expect

from tests.system.test_admin_browser import admin_page, check, pytestmark, site  # noqa: F401


def test_the_api_key_pages_are_accessible(admin_page):  # noqa: F811 - the imported fixture
    page = admin_page
    page.get_by_role("link", name="API keys", exact=True).click()
    check(page)
    page.get_by_role("link", name="Make a new key").click()
    check(page)
    page.get_by_role("button", name="Make the key").click()  # no name: the errors show
    check(page)
    page.get_by_label("The system's name").fill("Lifecare")
    page.get_by_role("button", name="Make the key").click()
    assert page.get_by_label("Key for Lifecare (Read and write)").input_value().startswith("tyd_")
    check(page)
    page.get_by_role("link", name="I have copied the key").click()
    check(page)
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("is revoked")).to_have_count(1)
    check(page)
