"""The recordings pages in a real headless Chromium, with axe-core at 1280 and 320 px: the
overview, a language's long list, an upload that is kept and played back, one refused with
its message next to the row, and a delete that asks first."""

import pytest
from playwright.sync_api import expect

from tests.espeak import tone
from tests.system.test_admin_browser import admin_page, check, pytestmark, site  # noqa: F401

WIDTHS = (1280, 320)


def checked_at_each_width(page) -> None:
    """axe finds nothing at each width, and nothing scrolls sideways on a phone."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        check(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
    page.set_viewport_size({"width": 1280, "height": 900})


def menu_row(page):
    """The phone menu's "press 1" row in the language shown."""
    header = page.locator("th[id^='rec-tryck-1-for-ditt-']").first
    return page.locator("tr", has=header), header.get_attribute("id")[len("rec-") :]


@pytest.fixture
def somali(admin_page):  # noqa: F811 - the imported fixture
    admin_page.get_by_role("link", name="Recordings", exact=True).click()
    admin_page.get_by_role("heading", name="Recordings for the phone").wait_for()
    return admin_page


def test_the_overview_and_a_language_are_accessible(somali):
    page = somali
    checked_at_each_width(page)
    page.get_by_role("link", name="Somali", exact=True).click()
    page.get_by_role("heading", name="Recordings in Somali", level=1).wait_for()
    checked_at_each_width(page)
    page.get_by_role("link", name="Weekdays, months and days").click()
    page.get_by_role("heading", name="Weekdays, months and days", level=2).wait_for()
    page.get_by_label("Only what is still to be recorded").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**show=missing**")
    checked_at_each_width(page)


def test_an_upload_is_played_back_and_a_bad_one_is_explained(somali):
    page = somali
    page.get_by_role("link", name="Somali", exact=True).click()
    row, name = menu_row(page)
    row.locator("input[type=file]").set_input_files(
        {"name": "take.wav", "mimeType": "audio/wav", "buffer": tone(1.0, level=0.25)}
    )
    row.get_by_role("button", name="Upload").click()
    page.get_by_text(f"Saved {name}: 1.0 seconds.").wait_for()
    row, _name = menu_row(page)
    player = row.locator("audio")
    assert player.get_attribute("preload") == "none"
    assert player.evaluate("a => fetch(a.src).then(r => r.status)") == 200
    checked_at_each_width(page)

    row.locator("input[type=file]").set_input_files(
        {"name": "take.wav", "mimeType": "audio/wav", "buffer": b"RIFF" + bytes(3000)}
    )
    row.get_by_role("button", name="Upload").click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    assert "cannot be played as WAV" in summary.inner_text()
    expect(page.locator("#error-summary")).to_be_focused()  # by the page's script, once loaded
    summary.get_by_role("link").click()
    expect(page.locator(f'[id="field-{name}"]')).to_be_focused()
    checked_at_each_width(page)


def test_a_delete_asks_first(somali):
    page = somali
    page.get_by_role("link", name="Finnish", exact=True).click()
    row, name = menu_row(page)
    row.locator("input[type=file]").set_input_files(
        {"name": "take.wav", "mimeType": "audio/wav", "buffer": tone(1.0, level=0.25)}
    )
    row.get_by_role("button", name="Upload").click()
    row, name = menu_row(page)
    row.get_by_role("button", name="Delete").click()
    page.get_by_role("heading", name=f"Delete the recording {name}?").wait_for()
    checked_at_each_width(page)
    page.get_by_role("button", name="Delete the recording").click()
    page.get_by_text(f"Deleted the recording {name}.").wait_for()
    row, _name = menu_row(page)
    assert row.locator("audio").count() == 0
