"""Idempotency-Key: a retried write gets the first answer and creates nothing; the same
key for another request is refused; answers are kept 24 hours."""

from datetime import timedelta

from sqlmodel import func, select

from app.api import idempotency
from app.db import get_session
from app.models import Client, IdempotencyRecord, OutboxMessage, utcnow
from tests.api.conftest import client_body


def count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def with_key(value: str) -> dict:
    return {"headers": {"Idempotency-Key": value}}


def test_a_retry_gets_the_first_answer_and_creates_nothing(session, api):
    first = api.put("/clients/C-1", client_body(), **with_key("k-1"))
    retry = api.put("/clients/C-1", client_body(), **with_key("k-1"))
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.get_json() == first.get_json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count(session, Client) == 1 and count(session, OutboxMessage) == 1


def test_a_retried_action_is_not_done_twice(session, api, enrolled):
    first = api.post("/clients/C-1/opt-out", **with_key("opt-out-1"))
    api.post("/clients/C-1/opt-in")
    retry = api.post("/clients/C-1/opt-out", **with_key("opt-out-1"))
    assert retry.get_json() == first.get_json()
    session.expire_all()
    assert session.get(Client, enrolled["id"]).opted_out_at is None  # the opt-in stands


def test_the_same_key_for_another_request_is_refused(api):
    api.put("/clients/C-1", client_body(), **with_key("k-1"))
    response = api.put("/clients/C-1", client_body(first_name="Sarah"), **with_key("k-1"))
    assert response.status_code == 422
    assert response.get_json()["type"].endswith("idempotency-key-reused")
    assert response.get_json()["errors"][0] == {
        "in": "header",
        "path": "Idempotency-Key",
        "detail": "Already used for another request.",
    }
    other_path = api.put("/clients/C-2", client_body(), **with_key("k-1"))
    assert other_path.status_code == 422


def test_keys_belong_to_one_api_key(session, client, unit, api):
    from tests.api.conftest import Api, make_key

    other = Api(client, make_key(session, unit, name="Treserva"))
    assert api.put("/clients/C-1", client_body(), **with_key("k-1")).status_code == 201
    second = other.put("/clients/C-1", client_body(phone="+46700000002"), **with_key("k-1"))
    assert second.status_code == 201 and "Idempotent-Replayed" not in second.headers


def test_an_invalid_answer_is_kept_too_but_a_conflict_is_not(session, app, api, write_key):
    from flask import Response

    from app.api import keys

    first = api.put("/clients/C-1", client_body(phone="12"), **with_key("bad"))
    again = api.put("/clients/C-1", client_body(phone="12"), **with_key("bad"))
    assert first.status_code == again.status_code == 422
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content_type == "application/problem+json"
    # A 409 (a parallel request changed the same record) frees the key for the retry.
    stored = select(IdempotencyRecord).where(IdempotencyRecord.key == "c")
    with app.test_request_context(
        "/api/v1/clients/C-1", method="PUT", json=client_body(), headers={"Idempotency-Key": "c"}
    ):
        assert idempotency.begin(keys.find(session, write_key)) is None
        assert session.exec(stored).one().status_code == 0
        idempotency.finish(Response("{}", 409))
    session.expire_all()
    assert session.exec(stored).all() == []


def test_an_options_request_does_not_use_up_a_key(session, client, api):
    headers = api.headers({"Idempotency-Key": "k-1", "Content-Type": "application/json"})
    options = client.options("/api/v1/clients/C-1", headers=headers)
    assert options.status_code == 200 and "PUT" in options.headers["Allow"]
    assert count(session, IdempotencyRecord) == 0
    response = api.put("/clients/C-1", client_body(), **with_key("k-1"))
    assert response.status_code == 201, response.get_json()
    assert (
        api.put("/clients/C-1", client_body(), **with_key("k-1")).headers["Idempotent-Replayed"]
        == "true"
    )


def test_a_malformed_key_is_refused(api):
    response = api.put("/clients/C-1", client_body(), **with_key("a key with spaces"))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["in"] == "header"
    assert api.put("/clients/C-1", client_body(), **with_key("x" * 201)).status_code == 422


def test_a_request_still_running_answers_409(session, api, write_key):
    from app.api import keys

    key = keys.find(session, write_key)
    body = client_body()
    first = api.put("/clients/C-1", body, **with_key("k-1"))
    record = session.exec(select(IdempotencyRecord)).one()
    record.status_code = 0  # as if the first request had not finished
    session.add(record)
    session.commit()
    response = api.put("/clients/C-1", body, **with_key("k-1"))
    assert response.status_code == 409 and response.headers["Retry-After"] == "1"
    # A record left running by a request that died is given up after a while.
    record.created_at = utcnow() - timedelta(minutes=10)
    session.add(record)
    session.commit()
    retry = api.put("/clients/C-1", body, **with_key("k-1"))
    assert retry.status_code == 200 and retry.get_json()["id"] == first.get_json()["id"]
    assert key.id == record.api_key_id


def test_answers_are_kept_for_24_hours(app, session, api):
    api.put("/clients/C-1", client_body(), **with_key("old"))
    api.put("/clients/C-2", client_body(phone="+46700000002"), **with_key("new"))
    old = session.exec(select(IdempotencyRecord).where(IdempotencyRecord.key == "old")).one()
    old.created_at = utcnow() - timedelta(hours=25)
    session.add(old)
    session.commit()
    # An expired key may be used again: the request runs as new.
    response = api.put("/clients/C-1", client_body(first_name="Sarah"), **with_key("old"))
    assert response.status_code == 200 and "Idempotent-Replayed" not in response.headers
    later = utcnow() + timedelta(hours=24, minutes=1)
    db = get_session()
    assert idempotency.purge_expired(db, later) == 2
    db.commit()
    assert count(session, IdempotencyRecord) == 0


def test_reads_ignore_the_header(session, api, enrolled):
    api.get("/clients/C-1", **with_key("k-read"))
    assert count(session, IdempotencyRecord) == 0
