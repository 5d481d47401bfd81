"""The outcomes page and the attendance buttons in a real headless Chromium, with axe-core
at 1280 and 390 px (and 320): the charts are named images with their tables, nothing is wider than
a phone, and one click records whether the client came."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from app.models import Appointment, CallbackRequest, Client, OutboxMessage
from tests.system.test_admin_browser import (  # noqa: F401 - fixtures used by name
    admin_page,
    check,
    page,
    pytestmark,
    site,
)

WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def seeded(site) -> int:  # noqa: F811 - the imported fixture
    """Last week: three texts to Sara (two delivered), a meeting she came to and one she
    missed, one with nothing recorded yet, and a callback answered after two hours. Returns
    the meeting with nothing recorded."""
    _base, app = site
    now = datetime.now(UTC)
    week_ago = now - timedelta(days=7)
    with app.app_context(), Session(app.extensions["tydligt.engine"]) as session:
        sara = session.exec(select(Client).where(Client.first_name == "Sara")).one()
        for number, status in enumerate(("delivered", "delivered", "undelivered")):
            session.add(OutboxMessage(kind="appointment_reminder", client_id=sara.id,
                                      dedupe_key=f"browser:{number}", due_at=week_ago,
                                      sent_at=week_ago, status=status, language="sv"))  # fmt: skip
        session.add(Appointment(client_id=sara.id, starts_at=week_ago, response="confirmed",
                                attendance="came", location="Storgatan 12"))  # fmt: skip
        session.add(Appointment(client_id=sara.id, starts_at=week_ago + timedelta(days=1),
                                attendance="no_show", location="Storgatan 12"))  # fmt: skip
        open_meeting = Appointment(client_id=sara.id, starts_at=now - timedelta(hours=3),
                                   location="Storgatan 12")  # fmt: skip
        session.add(open_meeting)
        session.add(CallbackRequest(client_id=sara.id, unit_id=sara.unit_id, language="sv",
                                    created_at=week_ago,
                                    handled_at=week_ago + timedelta(hours=2)))  # fmt: skip
        session.commit()
        return open_meeting.id


def no_sideways_scroll(tab, width: int) -> None:
    assert tab.evaluate("document.documentElement.scrollWidth") <= width, tab.url


def test_the_outcomes_page_is_accessible_wide_and_on_a_phone(seeded, admin_page):  # noqa: F811
    tab = admin_page
    tab.set_viewport_size(WIDE)
    tab.get_by_role("link", name="Outcomes", exact=True).click()
    tab.wait_for_url("**/admin/outcomes")
    assert tab.get_by_role("heading", name="Outcomes", level=1).is_visible(), tab.content()[:3000]
    tab.get_by_role("img", name="Rates month by month").wait_for()
    tab.get_by_role("img", name="Callback requests month by month").wait_for()
    table = tab.get_by_role("table", name="Figures month by month")
    assert table.get_by_role("cell", name="67% (2 of 3)").count() >= 1
    check(tab)
    tab.get_by_label("From month").select_option(index=0)
    tab.get_by_label("To month").select_option(index=3)  # earlier than "from": refused
    tab.get_by_role("button", name="Show").click()
    tab.get_by_role("alert").wait_for(state="visible")  # the page after the click may still load
    check(tab)
    tab.set_viewport_size(PHONE)
    tab.goto("/admin/outcomes")
    no_sideways_scroll(tab, PHONE["width"])
    tab.get_by_role("img", name="Rates month by month").wait_for()
    check(tab)
    tab.set_viewport_size({"width": 320, "height": 640})
    no_sideways_scroll(tab, 320)
    check(tab)


def test_one_click_records_that_the_client_came(site, seeded, page):  # noqa: F811
    meeting_id = seeded
    tab = page
    tab.set_viewport_size(WIDE)
    tab.get_by_role("link", name="Clients", exact=True).click()
    tab.get_by_role("link", name="Sara Lind").click()
    check(tab)
    tab.set_viewport_size(PHONE)
    no_sideways_scroll(tab, PHONE["width"])
    tab.get_by_role("button", name="Came, meeting").first.click()
    tab.get_by_role("status").wait_for()
    check(tab)
    _base, app = site
    with Session(app.extensions["tydligt.engine"]) as session:
        assert session.get_one(Appointment, meeting_id).attendance == "came"
    tab.get_by_text("Earlier and cancelled meetings").click()  # folded: nothing left to record
    assert (
        tab.get_by_role("button", name="Came, meeting").first.get_attribute("aria-pressed")
        == "true"
    )
