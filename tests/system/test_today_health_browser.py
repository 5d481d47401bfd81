"""The box on an administrator's Today that says messages are not going out, in a real
headless Chromium: axe-clean on a laptop and on phones."""

from datetime import timedelta

from sqlmodel import Session

from app import health
from app.models import OperationsAlert, utcnow
from tests.system.test_admin_browser import admin_page, check, pytestmark, site  # noqa: F401


def test_the_sending_problems_on_today_are_accessible(site, admin_page):  # noqa: F811
    _base, app = site
    with Session(app.extensions["tydligt.engine"]) as session:
        health.record_run(session, "send-due", utcnow() - timedelta(minutes=40), succeeded=True)
        session.add(OperationsAlert(condition="provider_refusing", open_key="provider_refusing",
                                    started_at=utcnow() - timedelta(minutes=20)))  # fmt: skip
        session.commit()
    page = admin_page
    for width in (1280, 390, 320):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/admin/")
        box = page.get_by_role("region", name="Messages are not going out as they should")
        assert "has not sent messages for 40 min" in box.inner_text()
        assert "SMS provider refuses to take messages" in box.inner_text()
        check(page)
