"""Keys and scopes: no key, a wrong or revoked key, a read key writing; keys stored only as
hashes; every call audited with the key's name; errors always as problem+json."""

from sqlmodel import select

from app.api import keys
from app.models import ApiKey, AuditEvent, Client
from tests.api.conftest import Api, client_body


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_a_call_without_a_key_is_refused(client):
    response = client.get("/api/v1/clients/C-1")
    problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    problem(client.get("/api/v1/outbox", headers={"Authorization": "Basic abc"}), 401)


def test_an_unknown_key_is_refused_and_changes_nothing(session, client, unit, caseworker):
    wrong = Api(client, "tyd_" + "x" * 43)
    problem(wrong.put("/clients/C-1", client_body()), 401)
    problem(Api(client, "not-even-a-key").get("/outbox"), 401)
    assert session.exec(select(Client)).all() == []


def test_a_revoked_key_is_refused_at_once(session, api, write_key):
    assert api.get("/outbox").status_code == 200
    key = keys.find(session, write_key)
    keys.revoke(session, key)
    session.commit()
    assert "revoked" in problem(api.get("/outbox"), 401)["detail"]
    assert problem(api.put("/clients/C-1", client_body()), 401)


def test_a_read_key_reads_but_may_not_write(session, reader, api, enrolled):
    assert reader.get("/clients/C-1").status_code == 200
    assert reader.get("/outbox").status_code == 200
    problem(reader.put("/clients/C-1", client_body(first_name="Sarah")), 403)
    problem(reader.post("/clients/C-1/opt-out"), 403)
    session.expire_all()
    assert session.get(Client, enrolled["id"]).first_name == "Sara"


def test_keys_are_stored_only_as_hashes(session, write_key):
    key = keys.find(session, write_key)
    assert write_key not in (key.key_hash, key.prefix)
    assert key.key_hash == keys.hash_key(write_key) and write_key.startswith(key.prefix)
    assert len(write_key) > 40 and key.scope_set == {"read", "write"}


def test_every_call_is_audited_with_the_key_s_name(session, api, reader, enrolled):
    reader.get("/clients/C-1")
    reader.put("/clients/C-1", client_body())
    calls = session.exec(
        select(AuditEvent).where(AuditEvent.action == "api_call").order_by(AuditEvent.id)
    ).all()
    details = [(e.actor_type, e.actor_name, e.detail) for e in calls]
    assert details == [
        ("api", "Lifecare", "PUT /api/v1/clients/C-1 201"),
        ("api", "Lifecare", "GET /api/v1/clients/C-1 200"),
        ("api", "Lifecare", "PUT /api/v1/clients/C-1 403"),
    ]
    assert calls[1].client_id == enrolled["id"]
    session.expire_all()
    assert all(k.last_used_at for k in session.exec(select(ApiKey)))


def test_the_document_needs_no_key(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"] == "3.1.0"


def test_bad_requests_get_problems_not_pages(api):
    problem(api.get("/no-such-thing"), 404)
    problem(api.web.delete("/api/v1/clients/C-1", headers=api.headers()), 405)
    response = api.web.put(
        "/api/v1/clients/C-1",
        data="{not json",
        headers=api.headers({"Content-Type": "application/json"}),
    )
    problem(response, 400)
    response = api.web.put(
        "/api/v1/clients/C-1",
        data="first_name=Sara",
        headers=api.headers({"Content-Type": "application/x-www-form-urlencoded"}),
    )
    problem(response, 415)
    big = '{"first_name": "' + "a" * 300_000 + '"}'
    response = api.web.put(
        "/api/v1/clients/C-1", data=big, headers=api.headers({"Content-Type": "application/json"})
    )
    problem(response, 413)
    errors = problem(api.put("/clients/C-1", ["a list"]), 422)["errors"]
    assert errors == [{"in": "body", "path": "", "detail": "Input should be an object"}]


def test_an_unexpected_error_is_a_logged_500_problem(app, api, monkeypatch, caplog):
    from app.api import clients as api_clients

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(api_clients, "client_out", broken)
    response = api.get("/outbox")
    assert response.status_code == 200
    api.put("/clients/C-1", client_body())
    response = api.get("/clients/C-1")
    body = problem(response, 500)
    assert "a bug" not in body["detail"]
    assert "API request GET /api/v1/clients/C-1 failed" in caplog.text
