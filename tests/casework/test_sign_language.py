"""Which sign-language video a page shows, and the rules for linking one."""

import pytest

from app.casework import sign_language
from app.errors import InvalidInput
from app.models import EVERY_PAGE
from tests.factories import create_unit


@pytest.mark.parametrize(
    "url",
    [
        "https://play.ekby.example/v/123",
        "https://media.ekby.example:8443/film.webm",
        "https://xn--ekby-kommun-xyz.example/film.mp4?t=10",
    ],
)
def test_https_addresses_with_a_plain_host_are_taken(url):
    assert sign_language.check_url(f"  {url} ") == url


@pytest.mark.parametrize(
    "url",
    [
        "http://play.ekby.example/v",
        "ftp://play.ekby.example/v",
        "//play.ekby.example/v",
        "https://",
        "https://localhost/v",
        "https://user@play.ekby.example/v",
        "https://play.ekby.example;img-src */v",
        "https://play.ekby.example:99999/v",
        "https://play ekby.example/v",
        "https://" + "a" * 500 + ".example/",
    ],
)
def test_other_addresses_are_refused(url):
    with pytest.raises(InvalidInput) as refused:
        sign_language.check_url(url)
    assert "url" in refused.value.errors


def test_a_video_file_plays_on_the_page_and_names_its_host():
    assert sign_language.media_type("https://m.ekby.example/a/Film.MP4") == "video/mp4"
    assert sign_language.media_type("https://m.ekby.example/a.webm?x=1") == "video/webm"
    assert sign_language.media_type("https://m.ekby.example/watch?v=a.mp4x") is None
    assert (
        sign_language.origin("https://M.Ekby.example:8443/a.mp4") == "https://m.ekby.example:8443"
    )


def test_a_page_shows_its_kinds_video_else_the_one_for_every_page(session):
    unit = create_unit(session)
    assert sign_language.for_page(session, unit.id, "decision_refused") is None
    sign_language.save(session, unit.id, kind=EVERY_PAGE, url="https://a.example/x", title="Alla")
    sign_language.save(
        session, unit.id, kind="decision_refused", url="https://a.example/n.mp4", title="Nej"
    )
    session.commit()
    refused = sign_language.for_page(session, unit.id, "decision_refused")
    assert (refused.title, refused.media_type) == ("Nej", "video/mp4")
    assert sign_language.for_page(session, unit.id, "appointment_reminder").title == "Alla"
    assert sign_language.for_page(session, unit.id, None).title == "Alla"
    assert [v.kind for v in sign_language.of_unit(session, unit.id)] == [
        EVERY_PAGE,
        "decision_refused",
    ]


def test_a_title_is_kept_short_and_on_one_line(session):
    unit = create_unit(session)
    video, replaced = sign_language.save(
        session, unit.id, kind=EVERY_PAGE, url="https://a.example/x", title="  Om\n Tydligt "
    )
    assert (video.title, replaced) == ("Om Tydligt", False)
    _, replaced = sign_language.save(
        session, unit.id, kind=EVERY_PAGE, url="https://a.example/y", title="Igen"
    )
    assert replaced
