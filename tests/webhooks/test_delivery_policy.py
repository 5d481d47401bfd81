"""The delivery policy: a short outage of a receiver neither pauses its subscription nor
sends it every waiting event (one try per step of backoff); only an event refused for its
whole day pauses it. One slow receiver does not hold up others, and a run keeps to its
time. The worker's counts show on /metrics."""

import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import select

from app.api import keys
from app.models import (
    DeliveryState,
    OutboxMessage,
    PauseReason,
    WebhookDelivery,
    WebhookSubscription,
)
from app.webhooks import delivery, subscriptions
from app.webhooks.delivery import RETRY_DELAYS, deliver_due
from tests.factories import create_client, create_staff, create_unit

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)
TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def config(config: dict) -> dict:
    return config | {"METRICS_TOKEN": TOKEN}


def plan(session, client, count: int = 1, prefix: str = "m") -> list[OutboxMessage]:
    messages = [
        OutboxMessage(
            kind="staff_message",
            client_id=client.id,
            to_phone=client.phone,
            dedupe_key=f"{prefix}{number}",
            due_at=NOW,
            body="Hej Sara, ring mig.",
        )
        for number in range(count)
    ]
    session.add_all(messages)
    session.commit()
    return messages


def subscription_of(session, subscribed) -> WebhookSubscription:
    session.expire_all()
    return session.get_one(WebhookSubscription, subscribed[0].id)


def test_a_short_outage_neither_pauses_nor_tries_every_waiting_event(
    session, subscribed, sara, receiver, frozen_clock
):
    receiver.answers = [503] * 3
    plan(session, sara, count=12)

    deliver_due()
    assert len(receiver.requests) == 1  # the receiver is down: the others wait behind it
    assert subscription_of(session, subscribed).paused_at is None
    frozen_clock.shift(RETRY_DELAYS[0])
    deliver_due()
    frozen_clock.shift(RETRY_DELAYS[1])
    deliver_due()
    assert len(receiver.requests) == 3  # once per step of backoff
    assert subscription_of(session, subscribed).paused_at is None

    frozen_clock.shift(RETRY_DELAYS[2])
    deliver_due()  # back: everything goes out, oldest first
    assert len(receiver.requests) == 3 + 12
    ids = [r.json["data"]["id"] for r in receiver.requests[3:]]
    assert ids == sorted(ids)
    session.expire_all()
    assert {d.state for d in session.exec(select(WebhookDelivery))} == {DeliveryState.DELIVERED}
    assert subscription_of(session, subscribed).paused_at is None


def test_only_a_day_of_refusals_pauses_and_the_others_wait_meanwhile(
    session, subscribed, sara, receiver, frozen_clock
):
    receiver.status = 500
    plan(session, sara, count=3)

    deliver_due()
    for delay in RETRY_DELAYS[:-1]:
        frozen_clock.shift(delay)
        deliver_due()
        assert subscription_of(session, subscribed).paused_at is None
    frozen_clock.shift(RETRY_DELAYS[-1])
    deliver_due()

    assert len(receiver.requests) == len(RETRY_DELAYS) + 1
    subscription = subscription_of(session, subscribed)
    assert subscription.paused_reason == PauseReason.FAILURES
    assert [
        d.state for d in session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id))
    ] == [
        DeliveryState.FAILED,
        DeliveryState.PENDING,
        DeliveryState.PENDING,
    ]


def scrape(client) -> dict[str, list]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    families = text_string_to_metric_families(response.get_data(as_text=True))
    return {family.name: family.samples for family in families}


def value(samples: dict, name: str, **labels) -> float:
    for family in samples.values():
        for s in family:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


def test_metrics_count_deliveries_by_outcome_and_show_waiting_and_paused(
    client, session, subscribed, sara, receiver
):
    before = scrape(client)
    receiver.answers = [204, 503]
    plan(session, sara, count=3)
    deliver_due()
    subscriptions.pause(subscription_of(session, subscribed))
    session.commit()
    after = scrape(client)

    total = "tydligt_webhook_deliveries_total"
    for outcome, count in (("delivered", 1), ("retried", 1), ("failed", 0)):
        change = value(after, total, outcome=outcome) - value(before, total, outcome=outcome)
        assert change == count, outcome
    assert value(after, "tydligt_webhook_deliveries_waiting") == 2
    assert value(after, "tydligt_webhook_subscriptions_paused") == 1


class SlowReceiver:
    """A loopback receiver that takes `seconds` to answer each POST."""

    def __init__(self, seconds: float):
        got: list[float] = []
        self.got = got

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(seconds)
                got.append(time.monotonic())
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/slow"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def slow():
    receiver = SlowReceiver(0.3)
    yield receiver
    receiver.close()


def test_a_slow_receiver_holds_up_no_other_and_a_run_keeps_to_its_time(
    session, subscribed, sara, receiver, slow, monkeypatch
):
    monkeypatch.setattr(delivery, "RUN_FOR_SECONDS", 1)
    other = create_unit(session, name="Slowby", phone="+46846500499")
    staff = create_staff(session, other, email="a@slowby.example")
    other_key, _ = keys.create(session, unit_id=other.id, name="Slow", scopes="read")
    session.commit()
    subscriptions.create(session, other_key, slow.url, ["outbox.status"], allow_private=True)
    session.commit()
    plan(session, create_client(session, staff, phone="+46702009999"), count=10, prefix="s")
    plan(session, sara)  # this unit's one event comes after the slow unit's ten

    started = time.monotonic()
    deliver_due()
    took = time.monotonic() - started

    assert took < 1 + 0.3 + 0.5  # the budget, one slow answer and some slack
    assert len(receiver.requests) == 1
    assert 1 <= len(slow.got) < 10


def test_an_event_arriving_during_the_backoff_waits_for_it_too(
    session, subscribed, sara, receiver, frozen_clock
):
    receiver.answers = [503]
    plan(session, sara)
    deliver_due()
    frozen_clock.shift(RETRY_DELAYS[0] / 2)
    plan(session, sara, prefix="later")

    deliver_due()
    assert len(receiver.requests) == 1  # the receiver is still in its backoff

    frozen_clock.shift(RETRY_DELAYS[0] / 2)
    deliver_due()
    assert len(receiver.requests) == 3
    session.expire_all()
    assert {d.state for d in session.exec(select(WebhookDelivery))} == {DeliveryState.DELIVERED}
