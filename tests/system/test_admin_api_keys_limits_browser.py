"""The API key limit pages in a real headless Chromium, with axe-core on each at 1280, 390
and 320 px: the limit in the list, the field on the new-key form, and the page that
changes a key's limit, with its errors."""

from playwright.sync_api import expect

from tests.system.test_admin_browser import admin_page, check, pytestmark, site  # noqa: F401

WIDTHS = (1280, 390, 320)


def check_widths(page) -> None:
    """axe-core finds nothing at a desktop and two phone widths."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        check(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_key_s_limit_is_shown_and_changed(admin_page):  # noqa: F811 - the imported fixture
    page = admin_page
    page.get_by_role("link", name="API keys", exact=True).click()
    page.get_by_role("link", name="Make a new key").click()
    assert page.get_by_label("Requests a minute").input_value() == "3000"
    page.get_by_label("The system's name").fill("Treserva")
    page.get_by_label("Requests a minute").fill("0")
    page.get_by_role("button", name="Make the key").click()
    expect(page.get_by_role("link", name="Give a whole number from 1 to 100000.")).to_have_count(1)
    check_widths(page)
    page.get_by_label("Requests a minute").fill("6 000")
    page.get_by_role("button", name="Make the key").click()
    expect(page.get_by_text("may make 6,000 requests a minute")).to_have_count(1)
    page.get_by_role("link", name="I have copied the key").click()
    check_widths(page)

    page.get_by_role("link", name="Change the limit for Treserva").click()
    assert page.get_by_label("Requests a minute").input_value() == "6000"
    check_widths(page)
    page.get_by_label("Requests a minute").fill("many")
    page.get_by_role("button", name="Save the limit").click()
    check_widths(page)
    page.get_by_label("Requests a minute").fill("120")
    page.get_by_role("button", name="Save the limit").click()
    expect(page.get_by_text("may now make 120 requests a minute")).to_have_count(1)
    row = page.get_by_role("row", name="Treserva")
    assert "120" in row.inner_text()
