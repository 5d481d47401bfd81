"""Sign language in a real headless Chromium: a picture page with the unit's video (a link,
or a video file played on the page) and the administrators' page for the videos are
axe-clean at 320 and 1280 px and never scroll sideways at 320 px.

Pages do not depend on the database engine, so this runs once (with the SQLite suite).
"""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from app.casework import clients, sign_language
from app.models import EVERY_PAGE, StaffRole, Unit
from app.outbox.sweep import send_due
from tests.browser import app_on_fresh_database, axe_problems, served
from tests.conftest import BACKEND
from tests.factories import book_appointment, create_staff, password_hash_of
from tests.system.test_admin_accessibility_browser import PASSWORD, sign_in
from tests.system.test_page_accessibility import open_page

NOW = datetime.now(UTC)  # the server runs on the real clock
LINK_VIDEO = "https://play.ekby.example/teckensprak/ditt-mote-med-en-lang-adress-som-maste-brytas"
FILE_VIDEO = "https://media.ekby.example/teckensprak/om-tydligt.mp4"
ADMIN = "eva.admin@ekby.example"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages are checked once, with the SQLite run"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Two clients' meeting pages, one with a kind's video link and one (of another unit)
    with a video file for every page, and an administrator of the first unit."""
    folder = tmp_path_factory.mktemp("sign-language")
    app = app_on_fresh_database(folder)
    pages = {}
    with app.app_context():
        with Session(app.extensions["tydligt.engine"], expire_on_commit=False) as session:
            for number, (name, video) in enumerate(
                [("Ekby", ("appointment_reminder", LINK_VIDEO)), ("Åby", (EVERY_PAGE, FILE_VIDEO))]
            ):
                unit = Unit(name=name, sender_name=f"{name} kommun", phone=f"+4684650040{number}",
                            sending_window="00:00-23:59")  # fmt: skip
                session.add(unit)
                session.commit()
                lina = create_staff(session, unit, email=f"lina{number}@ekby.example",
                                    name="Lina Berg", phone="+46701740605")  # fmt: skip
                if number == 0:
                    create_staff(session, unit, email=ADMIN, name="Eva Admin",
                                 role=StaffRole.ADMIN,
                                 password_hash=password_hash_of(PASSWORD))  # fmt: skip
                sign_language.save(session, unit.id, kind=video[0], url=video[1],
                                   title="Om ditt möte med Lina")  # fmt: skip
                client = clients.enroll(session, unit_id=unit.id, caseworker_id=lina.id,
                                        first_name="Sara", phone=f"+4670000000{number}",
                                        consent_method="verbal", picture_support=True,
                                        now=NOW)  # fmt: skip
                book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
                session.commit()
        send_due(NOW)
    for line in (folder / "outbox.jsonl").read_text().splitlines():
        message = json.loads(line)
        if message["kind"] == "appointment_reminder":
            token = re.search(r"/p/([A-Za-z0-9_-]{22})", message["body"]).group(1)
            pages["file" if message["to"].endswith("1") else "link"] = f"/p/{token}"
    with served(app) as base:
        yield base, pages


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("which", ["link", "file"])
def test_a_page_with_a_sign_language_video_is_accessible(site, browser, which, width):
    base, pages = site
    context, page, outside = open_page(browser, base + pages[which], width=width)
    try:
        button = page.get_by_role("link", name="Se på teckenspråk")
        assert button.get_attribute("href") == (LINK_VIDEO if which == "link" else FILE_VIDEO)
        assert page.get_by_role("img", name="Teckenspråk").is_visible()
        videos = page.locator("video[controls]")
        assert videos.count() == (1 if which == "file" else 0)
        assert axe_problems(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert outside == []  # nothing is fetched before the client presses play
    finally:
        context.close()


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_the_administrators_page_is_accessible_with_a_video_and_with_errors(site, browser, width):
    base, _pages = site
    context, tab = sign_in(browser, base, ADMIN, width)
    try:
        tab.goto("/admin/settings")
        tab.get_by_role("link", name="Change the sign-language videos").click()
        assert tab.get_by_role("cell", name="Om ditt möte med Lina").is_visible()
        assert axe_problems(tab) == []
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
        tab.get_by_label("Address of the video").fill("http://play.ekby.example/film")
        tab.get_by_role("button", name="Save the video").click()
        assert tab.get_by_text("The address must begin with https://.").first.is_visible()
        assert axe_problems(tab) == []
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
