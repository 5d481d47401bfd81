"""Sign language on the picture pages: the unit's video for the message's kind (or for
every page) as a clear link, or played on the page for a video file, with the page's
Content-Security-Policy naming only that video's host."""

from datetime import UTC, datetime

import pytest

from app.casework import sign_language
from app.models import EVERY_PAGE, LinkPurpose
from app.pages import links
from tests.factories import create_client, create_staff, create_unit
from tests.pages.test_views import reminded

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PAGE_VIDEO = "https://play.ekby.example/teckensprak/motet"
FILE_VIDEO = "https://media.ekby.example/teckensprak/alla-sidor.mp4"

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def lina(session):
    unit = create_unit(session, phone_menu_number="+46846500401")
    return create_staff(
        session, unit, email="lina@ekby.example", name="Lina Berg", phone="+46701740605"
    )


def add_video(session, unit_id: int, kind: str, url: str, title: str = "Om ditt möte") -> None:
    sign_language.save(session, unit_id, kind=kind, url=url, title=title)
    session.commit()


def page(client, token: str, lang: str = "") -> tuple[str, str]:
    response = client.get(f"/p/{token}" + (f"?lang={lang}" if lang else ""))
    assert response.status_code == 200
    return response.data.decode(), response.headers["Content-Security-Policy"]


def test_a_page_without_a_video_shows_none_and_keeps_the_strict_policy(
    client, session, lina, outbox_file
):
    html, policy = page(client, reminded(session, lina, outbox_file))
    assert "teckenspråk" not in html
    assert "media-src" not in policy
    assert "<video" not in html


def test_the_kinds_video_is_a_clear_link_with_the_sign_language_picture(
    client, session, lina, outbox_file
):
    add_video(session, lina.unit_id, "appointment_reminder", PAGE_VIDEO)
    add_video(session, lina.unit_id, EVERY_PAGE, FILE_VIDEO, "Om Tydligt")
    html, policy = page(client, reminded(session, lina, outbox_file))
    assert f'href="{PAGE_VIDEO}"' in html
    assert "Se på teckenspråk" in html
    assert '<img src="/pictograms/sign_language.svg" alt="Teckenspråk"' in html
    assert "Om ditt möte" in html
    assert "<video" not in html and "alla-sidor.mp4" not in html  # the kind's own comes first
    assert "media-src" not in policy  # a link loads nothing into the page


def test_a_video_file_plays_on_the_page_from_its_host_only(client, session, lina, outbox_file):
    add_video(session, lina.unit_id, EVERY_PAGE, FILE_VIDEO, "Om Tydligt")
    html, policy = page(client, reminded(session, lina, outbox_file))
    assert "<video controls" in html
    assert f'<source src="{FILE_VIDEO}" type="video/mp4">' in html
    assert f'href="{FILE_VIDEO}"' in html  # and a link, for a browser that cannot play it
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["media-src"] == "https://media.ekby.example"
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["img-src"] == "'self'"


def test_the_link_is_in_the_page_language(client, session, lina, outbox_file):
    add_video(session, lina.unit_id, "appointment_reminder", PAGE_VIDEO)
    token = reminded(session, lina, outbox_file)
    assert "Watch in sign language" in page(client, token, "en")[0]
    assert "Teckenspråk" not in page(client, token, "en")[0]


def test_the_overview_shows_the_video_for_every_page(client, session, lina):
    add_video(session, lina.unit_id, "appointment_reminder", PAGE_VIDEO)
    sara = create_client(session, staff=lina)
    token = links.create(session, sara, LinkPurpose.OVERVIEW, NOW)
    session.commit()
    html, _ = page(client, token)
    assert "Se på teckenspråk" not in html  # only a kind's video: not for the overview
    add_video(session, lina.unit_id, EVERY_PAGE, PAGE_VIDEO + "/alla", "Om Tydligt")
    html, policy = page(client, token)
    assert f'href="{PAGE_VIDEO}/alla"' in html and "Se på teckenspråk" in html
    assert "media-src" not in policy


def test_another_units_video_is_never_shown(client, session, lina, outbox_file):
    other = create_unit(session, name="Annanby", phone="+46846500499")
    add_video(session, other.id, EVERY_PAGE, PAGE_VIDEO)
    html, _ = page(client, reminded(session, lina, outbox_file))
    assert PAGE_VIDEO not in html
