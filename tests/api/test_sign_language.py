"""GET and PUT /api/v1/sign-language-videos: the key's unit's sign-language videos."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.casework import sign_language
from app.models import EVERY_PAGE, SignVideo
from tests.factories import create_unit

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
VIDEO = "https://play.ekby.example/teckensprak/motet"

pytestmark = pytest.mark.frozen_at(NOW)


def stored(session) -> dict[str, SignVideo]:
    session.expire_all()
    return {v.kind: v for v in session.exec(select(SignVideo))}


def test_the_kinds_and_the_units_videos(reader, session, unit):
    sign_language.save(session, unit.id, kind=EVERY_PAGE, url=VIDEO + ".mp4", title="Alla")
    other = create_unit(session, name="Västby kommun", phone="+46846500900")
    sign_language.save(session, other.id, kind=EVERY_PAGE, url=VIDEO, title="Deras")
    session.commit()
    response = reader.get("/sign-language-videos")
    assert response.status_code == 200
    body = response.get_json()
    assert "appointment_reminder" in body["kinds"] and "reply_menu" not in body["kinds"]
    assert body["videos"] == [
        {"kind": "", "url": VIDEO + ".mp4", "title": "Alla", "plays_on_page": True}
    ]


def test_put_sets_the_whole_list(api, session, unit):
    sign_language.save(session, unit.id, kind="decision_refused", url=VIDEO, title="Nej")
    session.commit()
    response = api.put(
        "/sign-language-videos",
        {
            "videos": [
                {"kind": "", "url": VIDEO, "title": "Om Tydligt"},
                {"kind": "appointment_reminder", "url": VIDEO + "/2", "title": "Ditt möte"},
            ]
        },
    )
    assert response.status_code == 200, response.get_json()
    assert [v["kind"] for v in response.get_json()["videos"]] == ["", "appointment_reminder"]
    videos = stored(session)
    assert set(videos) == {"", "appointment_reminder"}  # the refusal's video is gone
    assert videos["appointment_reminder"].title == "Ditt möte"


def test_put_names_each_wrong_field_and_saves_nothing(api, session, unit):
    sign_language.save(session, unit.id, kind=EVERY_PAGE, url=VIDEO, title="Alla")
    session.commit()
    response = api.put(
        "/sign-language-videos",
        {
            "videos": [
                {"kind": "appointment_reminder", "url": "http://play.ekby.example", "title": "A"},
                {"kind": "lottery", "url": VIDEO, "title": "B"},
                {"kind": "", "url": VIDEO, "title": " "},
                {"kind": "appointment_reminder", "url": VIDEO, "title": "C"},
            ]
        },
    )
    assert response.status_code == 422
    paths = {error["path"] for error in response.get_json()["errors"]}
    assert paths == {"/videos/0/url", "/videos/1/kind", "/videos/2/title", "/videos/3/kind"}
    assert {k: v.title for k, v in stored(session).items()} == {"": "Alla"}


def test_a_read_key_cannot_write(reader):
    assert reader.put("/sign-language-videos", {"videos": []}).status_code == 403


def test_the_openapi_document_describes_it(reader):
    operations = reader.get("/openapi.json").get_json()["paths"]["/sign-language-videos"]
    assert "every page" in operations["get"]["description"]
    assert "no longer shown" in operations["put"]["description"]
