"""The rate limit holds across processes: two app instances in two processes, calling with
the same key at the same moment against the same database, together get exactly the key's
limit of answers and a 429 for every call beyond it."""

import multiprocessing
from datetime import UTC, datetime

import time_machine
from sqlmodel import select

from app import create_app
from app.api import keys
from app.models import ApiRateWindow
from tests.api.conftest import make_key

NOW = datetime(2026, 3, 2, 8, 0, 5, tzinfo=UTC)
LIMIT = 25
CALLS_EACH = 20


def call_many(config: dict, secret: str, start, results) -> None:
    """One process: its own app instance, which waits for the other and then calls."""
    # Each process stops its own clock: both count in the same minute whenever they run.
    with time_machine.travel(NOW, tick=False):
        web = create_app(config).test_client()
        headers = {"Authorization": f"Bearer {secret}"}
        start.wait(timeout=60)
        statuses = [
            web.get("/api/v1/outbox", headers=headers).status_code for _ in range(CALLS_EACH)
        ]
        results.put(statuses)


def test_two_processes_share_one_limit(config, session, unit):
    secret = make_key(session, unit)
    key = keys.find(session, secret)
    keys.set_rate_limit(session, key, LIMIT)
    session.commit()
    context = multiprocessing.get_context("spawn")  # fresh interpreters, as two servers are
    start, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=call_many, args=(config, secret, start, results)) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    answers = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0

    statuses = answers[0] + answers[1]
    assert statuses.count(200) == LIMIT
    assert statuses.count(429) == 2 * CALLS_EACH - LIMIT
    session.expire_all()
    [window] = session.exec(select(ApiRateWindow)).all()
    assert (window.api_key_id, window.requests) == (key.id, 2 * CALLS_EACH)
    assert window.window_start == NOW.replace(second=0)
