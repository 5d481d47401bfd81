"""Each API key's rate limit on the admin page: shown with the key, 3,000 a minute unless
the administrator sets another number when making the key or later; wrong numbers are
named in the form; case workers and other units cannot change it."""

from sqlmodel import select

from app.api import keys
from app.models import ApiKey, AuditEvent
from tests.admin.conftest import post, sign_in
from tests.factories import create_staff, create_unit


def stored(session, key_id: int) -> ApiKey:
    session.expire_all()
    return session.get(ApiKey, key_id)


def test_the_list_shows_each_key_s_limit_and_how_to_change_it(session, unit, as_admin):
    working, _secret = keys.create(session, unit_id=unit.id, name="Lifecare", scopes="read")
    old, _old = keys.create(session, unit_id=unit.id, name="Procapita", scopes="read",
                            rate_limit=120)  # fmt: skip
    keys.revoke(session, old)
    session.commit()
    html = as_admin.get("/admin/api-keys").get_data(as_text=True)
    assert "Requests a minute" in html
    assert "3,000" in html and "120" in html
    assert f'href="/admin/api-keys/{working.id}/limit"' in html
    assert "Change the limit for Lifecare" in html
    assert f"/admin/api-keys/{old.id}/limit" not in html  # a revoked key makes no requests


def test_a_new_key_gets_3000_a_minute_or_the_number_given(session, as_admin):
    form = as_admin.get("/admin/api-keys/new").get_data(as_text=True)
    assert 'name="rate_limit" type="text"\n      value="3000"' in form
    # Left empty, the key gets the default.
    made = post(as_admin, "/admin/api-keys/new", {"name": "Lifecare", "scopes": "read,write",
                                                   "rate_limit": ""})  # fmt: skip
    assert made.status_code == 200
    assert "may make 3,000 requests a minute" in made.get_data(as_text=True)
    # Swedish writes thousands with a space; it is the same number.
    post(as_admin, "/admin/api-keys/new", {"name": "Viva", "scopes": "read",
                                           "rate_limit": "6\u00a0000"})  # fmt: skip
    limits = {k.name: k.rate_limit for k in session.exec(select(ApiKey))}
    assert limits == {"Lifecare": 3000, "Viva": 6000}
    event = session.exec(select(AuditEvent).where(AuditEvent.detail.like("Viva%"))).one()
    assert event.detail == "Viva: read, 6000/min"


def test_the_administrator_changes_a_key_s_limit(session, client, unit, administrator, as_admin):
    key, secret = keys.create(session, unit_id=unit.id, name="Lifecare", scopes="read")
    session.commit()
    page = as_admin.get(f"/admin/api-keys/{key.id}/limit").get_data(as_text=True)
    assert "Requests a minute for Lifecare" in page and 'value="3000"' in page

    saved = post(as_admin, f"/admin/api-keys/{key.id}/limit", {"rate_limit": " 50 "},
                 follow_redirects=True)  # fmt: skip

    assert "may now make 50 requests a minute" in saved.get_data(as_text=True)
    assert stored(session, key.id).rate_limit == 50
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "api_key_limit_changed")
    ).one()
    assert (event.actor_id, event.subject_id) == (administrator.id, key.id)
    assert event.detail == "Lifecare: 3000/min -> 50/min"
    answer = client.get("/api/v1/outbox", headers={"Authorization": f"Bearer {secret}"})
    assert answer.headers["RateLimit-Limit"] == "50"


def test_a_wrong_number_is_named_and_changes_nothing(session, unit, as_admin):
    key, _secret = keys.create(session, unit_id=unit.id, name="Lifecare", scopes="read")
    session.commit()
    for wrong in ("", "0", "-1", "100001", "many", "7,5", "²"):
        answer = post(as_admin, f"/admin/api-keys/{key.id}/limit", {"rate_limit": wrong})
        assert answer.status_code == 422, wrong
        html = answer.get_data(as_text=True)
        assert 'href="#field-rate_limit"' in html
        assert "Give a whole number from 1 to 100000." in html
    made = post(as_admin, "/admin/api-keys/new", {"name": "Viva", "scopes": "read",
                                                   "rate_limit": "0"})  # fmt: skip
    assert made.status_code == 422 and 'href="#field-rate_limit"' in made.get_data(as_text=True)
    assert [k.name for k in session.exec(select(ApiKey))] == ["Lifecare"]
    assert stored(session, key.id).rate_limit == 3000


def test_only_the_unit_s_administrators_change_limits(session, unit, as_caseworker):
    key, _secret = keys.create(session, unit_id=unit.id, name="Lifecare", scopes="read")
    session.commit()
    assert as_caseworker.get(f"/admin/api-keys/{key.id}/limit").status_code == 403
    answer = post(as_caseworker, f"/admin/api-keys/{key.id}/limit", {"rate_limit": "1"})
    assert answer.status_code == 403
    assert stored(session, key.id).rate_limit == 3000


def test_another_unit_s_key_is_not_found(session, as_admin):
    other = create_unit(session, name="Västby kommun", phone="+46846500500")
    create_staff(session, other, email="per@vastby.example", name="Per Västby")
    key, _secret = keys.create(session, unit_id=other.id, name="Combine", scopes="read")
    session.commit()
    assert as_admin.get(f"/admin/api-keys/{key.id}/limit").status_code == 404
    assert post(as_admin, f"/admin/api-keys/{key.id}/limit", {"rate_limit": "1"}).status_code == 404
    assert stored(session, key.id).rate_limit == 3000


def test_the_limit_pages_are_in_swedish(session, client, unit, administrator):
    key, _secret = keys.create(session, unit_id=unit.id, name="Lifecare", scopes="read")
    session.commit()
    sign_in(client, administrator, language="sv")
    listing = client.get("/admin/api-keys").get_data(as_text=True)
    assert "Anrop per minut" in listing and "3\u00a0000" in listing
    page = client.get(f"/admin/api-keys/{key.id}/limit").get_data(as_text=True)
    assert "Anrop per minut för Lifecare" in page
