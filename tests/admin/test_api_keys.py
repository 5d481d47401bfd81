"""API keys on the admin page: administrators make one (shown once), see the unit's keys
and revoke them; case workers cannot; the key itself is never stored or logged."""

from sqlmodel import select

from app.api import keys
from app.models import ApiKey, AuditEvent
from tests.admin.conftest import post
from tests.factories import create_staff, create_unit


def test_case_workers_may_not_manage_keys(session, unit, as_caseworker):
    key, _secret = keys.create(session, unit_id=unit.id, name="Lifecare", scopes="read")
    session.commit()
    assert as_caseworker.get("/admin/api-keys").status_code == 403
    assert as_caseworker.get("/admin/api-keys/new").status_code == 403
    assert post(as_caseworker, f"/admin/api-keys/{key.id}/revoke").status_code == 403
    assert "/admin/api-keys" not in as_caseworker.get("/admin/").get_data(as_text=True)


def test_a_new_key_is_shown_once_and_stored_as_a_hash(session, unit, administrator, as_admin):
    assert "/admin/api-keys" in as_admin.get("/admin/").get_data(as_text=True)
    response = post(as_admin, "/admin/api-keys/new", {"name": " Lifecare ", "scopes": "read,write"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    stored = session.exec(select(ApiKey)).one()
    secret = html.split('id="field-secret" type="text" readonly value="')[1].split('"')[0]
    assert secret.startswith(stored.prefix) and keys.find(session, secret).id == stored.id
    assert secret not in (stored.key_hash, stored.prefix)
    assert (stored.name, stored.scopes, stored.unit_id) == ("Lifecare", "read,write", unit.id)
    assert stored.created_by_id == administrator.id
    assert response.headers["Cache-Control"] == "no-store"
    listing = as_admin.get("/admin/api-keys").get_data(as_text=True)
    assert "Lifecare" in listing and stored.prefix in listing and secret not in listing
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "api_key_created"))
    assert secret not in event.detail and event.actor_id == administrator.id


def test_the_form_names_what_is_missing(session, as_admin):
    response = post(as_admin, "/admin/api-keys/new", {"name": "", "scopes": "everything"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'href="#field-name"' in html and 'href="#field-scopes"' in html
    assert session.exec(select(ApiKey)).all() == []


def test_a_revoked_key_stops_working_at_once(session, client, unit, as_admin):
    key, secret = keys.create(session, unit_id=unit.id, name="Treserva", scopes="read")
    session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/outbox", headers=headers).status_code == 200
    response = post(as_admin, f"/admin/api-keys/{key.id}/revoke")
    assert response.status_code == 302
    assert client.get("/api/v1/outbox", headers=headers).status_code == 401
    listing = as_admin.get("/admin/api-keys").get_data(as_text=True)
    assert "Revoked" in listing
    again = post(as_admin, f"/admin/api-keys/{key.id}/revoke", follow_redirects=True)
    assert "already revoked" in again.get_data(as_text=True)
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "api_key_revoked")).one()


def test_another_unit_s_keys_are_neither_shown_nor_revoked(session, as_admin):
    other = create_unit(session, name="Västby kommun", phone="+46846500500")
    create_staff(session, other, email="per@vastby.example", name="Per Västby")
    key, _secret = keys.create(session, unit_id=other.id, name="Combine", scopes="read")
    session.commit()
    assert "Combine" not in as_admin.get("/admin/api-keys").get_data(as_text=True)
    assert post(as_admin, f"/admin/api-keys/{key.id}/revoke").status_code == 404
    session.expire_all()
    assert session.get(ApiKey, key.id).revoked_at is None


def test_the_pages_are_in_swedish_by_default(session, client, administrator):
    from tests.admin.conftest import sign_in

    sign_in(client, administrator, language="sv")
    html = client.get("/admin/api-keys").get_data(as_text=True)
    assert "API-nycklar" in html
