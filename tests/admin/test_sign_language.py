"""Sign-language videos on the admin page: administrators link one per message kind or one
for every page; https only, a known kind, a short title; what is wrong is shown in the
staff language and nothing is saved."""

from sqlmodel import select

from app.models import EVERY_PAGE, AuditEvent, SignVideo
from tests.admin.conftest import post, sign_in
from tests.factories import create_staff, create_unit

VIDEO = "https://play.ekby.example/teckensprak/motet"


def videos(session) -> list[SignVideo]:
    session.expire_all()
    return list(session.exec(select(SignVideo).order_by(SignVideo.id)))


def add(web, **values):
    data = {"kind": "appointment_reminder", "url": VIDEO, "title": "Om ditt möte"} | values
    return post(web, "/admin/sign-language", data)


def test_case_workers_may_not_manage_videos(session, unit, as_caseworker):
    assert as_caseworker.get("/admin/sign-language").status_code == 403
    assert add(as_caseworker).status_code == 403
    assert videos(session) == []


def test_the_settings_link_to_the_sign_language_page(as_admin):
    assert 'href="/admin/sign-language"' in as_admin.get("/admin/settings").get_data(as_text=True)


def test_an_administrator_links_a_video_to_a_kind_and_sees_it_listed(session, unit, as_admin):
    response = add(as_admin)
    assert response.status_code == 303
    (video,) = videos(session)
    assert (video.unit_id, video.kind, video.url, video.title) == (
        unit.id,
        "appointment_reminder",
        VIDEO,
        "Om ditt möte",
    )
    page = as_admin.get("/admin/sign-language").get_data(as_text=True)
    assert VIDEO in page and "Om ditt möte" in page
    assert "Meeting reminder" in page or "reminder" in page.lower()
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "sign_video_saved")).one()
    assert "appointment_reminder" in event.detail


def test_one_video_for_every_page(session, as_admin):
    assert add(as_admin, kind=EVERY_PAGE, title="Om Tydligt").status_code == 303
    assert [v.kind for v in videos(session)] == [EVERY_PAGE]
    assert "Every page" in as_admin.get("/admin/sign-language").get_data(as_text=True)


def test_a_second_video_for_the_same_kind_replaces_the_first(session, as_admin):
    add(as_admin)
    add(as_admin, url=VIDEO + "-ny", title="Nytt om ditt möte")
    (video,) = videos(session)
    assert (video.url, video.title) == (VIDEO + "-ny", "Nytt om ditt möte")


def test_only_https_addresses_and_known_kinds_are_taken(session, as_admin):
    for values, message in (
        ({"url": "http://play.ekby.example/film"}, "The address must begin with https://."),
        ({"url": "javascript:alert(1)"}, "The address must begin with https://."),
        ({"url": "https://user:secret@play.ekby.example/x"}, "without a user name or password"),
        ({"url": "https://play.ekby.example;script-src *"}, "without spaces"),
        ({"url": ""}, "Fill this in."),
        ({"kind": "no_such_kind"}, "Choose one of the options."),
        ({"kind": "reply_menu"}, "Choose one of the options."),  # answers have no page
        ({"title": ""}, "Fill this in."),
        ({"title": "x" * 81}, "This is too long."),
    ):
        response = add(as_admin, **values)
        assert response.status_code == 422, values
        assert message in response.get_data(as_text=True), values
    assert videos(session) == []


def test_an_error_is_shown_in_swedish_to_swedish_staff(client, session, administrator):
    sign_in(client, administrator, language="sv")
    response = add(client, url="http://play.ekby.example/film")
    assert response.status_code == 422
    assert "Adressen måste börja med https://." in response.get_data(as_text=True)


def test_a_video_is_removed_and_another_units_is_out_of_reach(session, unit, as_admin):
    add(as_admin)
    (video,) = videos(session)
    other_unit = create_unit(session, name="Annanby", phone="+46846500499")
    create_staff(session, other_unit, email="x@annanby.example")
    theirs = SignVideo(unit_id=other_unit.id, kind=EVERY_PAGE, url=VIDEO, title="Deras")
    session.add(theirs)
    session.commit()
    assert post(as_admin, f"/admin/sign-language/{theirs.id}/remove").status_code == 404
    assert post(as_admin, f"/admin/sign-language/{video.id}/remove").status_code == 303
    assert [v.id for v in videos(session)] == [theirs.id]
