"""Per-key rate limits: every answer to a working key says its limit; a call over it is a
429 with Retry-After that does nothing; bad keys are not counted against a key; a new
minute starts afresh; old counts go with retention."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from app.api import keys, rate_limits
from app.errors import InvalidInput
from app.models import ApiKey, ApiRateWindow, AuditEvent, Client, IdempotencyRecord
from app.retention import run_retention
from tests.api.conftest import Api, client_body, make_key

NOW = datetime(2026, 3, 2, 8, 0, 20, tzinfo=UTC)  # 20 seconds into a minute
pytestmark = pytest.mark.frozen_at(NOW)


def key_of(session, secret: str) -> ApiKey:
    session.expire_all()
    return keys.find(session, secret)


def limit_to(session, secret: str, limit: int) -> ApiKey:
    key = key_of(session, secret)
    keys.set_rate_limit(session, key, limit)
    session.commit()
    return key


def counted(session, secret: str) -> int:
    session.expire_all()
    key = keys.find(session, secret)
    rows = session.exec(select(ApiRateWindow).where(ApiRateWindow.api_key_id == key.id)).all()
    return sum(row.requests for row in rows)


def test_a_new_key_may_make_3000_requests_a_minute(session, api, write_key):
    assert key_of(session, write_key).rate_limit == rate_limits.DEFAULT_LIMIT == 3000
    response = api.get("/outbox")
    assert response.status_code == 200
    assert response.headers["RateLimit-Limit"] == "3000"
    assert response.headers["RateLimit-Remaining"] == "2999"
    assert response.headers["RateLimit-Reset"] == "40"  # the minute ends in 40 seconds


def test_every_answer_to_a_working_key_says_what_is_left(session, api, write_key):
    limit_to(session, write_key, 5)
    answers = [
        api.get("/outbox"),
        api.put("/clients/C-1", client_body()),
        api.get("/clients/nobody"),
        api.put("/clients/C-2", {"first_name": ""}),
    ]
    assert [a.status_code for a in answers] == [200, 201, 404, 422]
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["4", "3", "2", "1"]
    assert {a.headers["RateLimit-Limit"] for a in answers} == {"5"}


def test_a_call_over_the_limit_is_refused_and_does_nothing(session, api, write_key, caplog):
    limit_to(session, write_key, 2)
    assert api.get("/outbox").status_code == 200
    assert api.get("/outbox").status_code == 200
    audited = session.exec(select(func.count()).select_from(AuditEvent)).one()

    refused = api.put("/clients/C-1", client_body(), headers={"Idempotency-Key": "k-1"})

    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert (body["type"], body["title"], body["status"]) == (
        "about:blank",
        "Too many requests",
        429,
    )
    assert "2 requests a minute" in body["detail"] and "40 seconds" in body["detail"]
    assert refused.headers["Retry-After"] == "40"
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert refused.headers["RateLimit-Reset"] == "40"
    session.expire_all()
    assert session.exec(select(Client)).all() == []
    assert session.exec(select(IdempotencyRecord)).all() == []
    # Refused calls write nothing: no audit line, no last use.
    assert session.exec(select(func.count()).select_from(AuditEvent)).one() == audited
    assert "over its limit of 2 a minute" in caplog.text
    assert api.get("/outbox").status_code == 429
    assert caplog.text.count("over its limit") == 1  # once a minute, not once a call


def test_the_next_minute_starts_afresh(session, api, write_key, frozen_clock):
    limit_to(session, write_key, 1)
    assert api.get("/outbox").status_code == 200
    assert (
        api.put("/clients/C-1", client_body(), headers={"Idempotency-Key": "k-1"}).status_code
        == 429
    )
    frozen_clock.shift(timedelta(seconds=39))
    refused = api.get("/outbox")
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "1")
    frozen_clock.shift(timedelta(seconds=1))  # 08:01:00
    retry = api.put("/clients/C-1", client_body(), headers={"Idempotency-Key": "k-1"})
    assert retry.status_code == 201
    assert retry.headers["RateLimit-Remaining"] == "0"
    assert retry.headers["RateLimit-Reset"] == "60"
    session.expire_all()
    assert len(session.exec(select(Client)).all()) == 1


def test_unknown_missing_and_revoked_keys_are_not_counted(session, client, api, write_key, unit):
    limit_to(session, write_key, 1)
    revoked_key, revoked = keys.create(session, unit_id=unit.id, name="Old", scopes="read")
    keys.revoke(session, revoked_key)
    session.commit()
    wrong = write_key[:-1] + ("A" if write_key[-1] != "A" else "B")
    for secret in (None, "tyd_nonsense", wrong, revoked):
        for _ in range(3):
            response = Api(client, secret).get("/outbox")
            assert response.status_code == 401
            assert "RateLimit-Limit" not in response.headers
    assert session.exec(select(ApiRateWindow)).all() == []
    assert api.get("/outbox").status_code == 200


def test_each_key_has_its_own_limit(session, client, api, write_key, unit):
    limit_to(session, write_key, 1)
    other = make_key(session, unit, name="Treserva", scopes="read")
    assert api.get("/outbox").status_code == 200
    assert api.get("/outbox").status_code == 429
    answer = Api(client, other).get("/outbox")
    assert answer.status_code == 200
    assert answer.headers["RateLimit-Remaining"] == "2999"


def test_a_changed_limit_holds_from_the_next_request(session, api, write_key):
    limit_to(session, write_key, 1)
    assert api.get("/outbox").status_code == 200
    assert api.get("/outbox").status_code == 429
    limit_to(session, write_key, 10)
    answer = api.get("/outbox")
    # The refused calls count too: three made, seven left.
    assert (answer.status_code, answer.headers["RateLimit-Remaining"]) == (200, "7")


def test_calls_without_a_key_are_not_counted(session, client, api, write_key):
    limit_to(session, write_key, 1)
    assert client.get("/api/v1/openapi.json").status_code == 200
    options = client.options("/api/v1/clients/C-1", headers=api.headers())
    assert "RateLimit-Limit" not in options.headers
    assert counted(session, write_key) == 0
    assert api.get("/outbox").status_code == 200
    assert counted(session, write_key) == 1


def test_limits_are_whole_numbers_from_1_to_100000(session, unit, write_key):
    with pytest.raises(InvalidInput) as made:
        keys.create(session, unit_id=unit.id, name="Viva", scopes="read", rate_limit=0)
    assert set(made.value.errors) == {"rate_limit"}
    key = key_of(session, write_key)
    for wrong in (0, -5, 100_001):
        with pytest.raises(InvalidInput):
            keys.set_rate_limit(session, key, wrong)
    assert keys.set_rate_limit(session, key, 100_000).rate_limit == 100_000


def test_counts_go_an_hour_after_their_minute(session, api, write_key, frozen_clock):
    assert api.get("/outbox").status_code == 200
    frozen_clock.shift(timedelta(minutes=59))
    assert api.get("/outbox").status_code == 200
    frozen_clock.shift(timedelta(minutes=1, seconds=1))  # 09:00:21: the 08:00 minute is old
    assert run_retention()["API rate counts"] == 1
    session.expire_all()
    [left] = session.exec(select(ApiRateWindow)).all()
    assert left.window_start == datetime(2026, 3, 2, 8, 59, tzinfo=UTC)


def test_the_document_names_the_limit_on_every_operation(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "Rate limits" in document["info"]["description"]
    operations = [
        op for path in document["paths"].values() for op in path.values() if op.get("security")
    ]
    assert len(operations) >= 19
    for op in operations:
        too_many = op["responses"]["429"]
        assert too_many["content"]["application/problem+json"]
        assert "Retry-After" in too_many["headers"]
        for status, answer in op["responses"].items():
            if status != "401":
                assert {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(
                    answer["headers"]
                ), (op["operationId"], status)
