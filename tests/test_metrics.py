"""GET /metrics (app/metrics.py): behind a bearer token, in the Prometheus text format, with
what the database knows read at scrape time and the counters the app keeps."""

import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.error import HTTPError

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import select

from app import health, metrics
from app.models import Client, OutboxMessage
from app.outbox.sweep import send_due
from tests.alerts.conftest import free_port
from tests.factories import book_appointment, create_client
from tests.signing import post_signed

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
TOKEN = "metrics-token-for-tests-0123456789"

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def config(config):
    return config | {"METRICS_TOKEN": TOKEN}


def scrape(client) -> dict[str, list]:
    """The samples of each metric family, by family name."""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    families = text_string_to_metric_families(response.get_data(as_text=True))
    return {family.name: family.samples for family in families}


def value(samples: dict, family: str, sample: str | None = None, **labels) -> float:
    """One sample's value (0 when there is none yet)."""
    for s in samples.get(family, []):
        if s.name == (sample or family) and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    return 0.0


def due(session, waited: timedelta, channel: str = "sms", **values) -> None:
    client = session.exec(select(Client)).first() or create_client(session)
    session.add(
        OutboxMessage(kind="welcome", client_id=client.id, channel=channel,
                      dedupe_key=f"{channel}{waited}", due_at=NOW - waited, **values)
    )  # fmt: skip
    session.commit()


def test_metrics_are_off_without_a_token(app, client):
    app.config["METRICS_TOKEN"] = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize(
    "header",
    [None, f"Bearer {TOKEN}x", f"Basic {TOKEN}", "Bearer", f"bearer {TOKEN[:-1]}"],
)
def test_metrics_need_the_bearer_token(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "tydligt_" not in response.get_data(as_text=True)


def test_messages_due_and_the_oldest_age_are_read_from_the_database(client, session):
    due(session, timedelta(minutes=10))
    due(session, timedelta(minutes=1))
    due(session, timedelta(minutes=3), channel="voice")
    due(session, timedelta(hours=2), status="sent")  # not waiting
    due(session, -timedelta(minutes=5), channel="email")  # not due yet
    samples = scrape(client)
    assert value(samples, "tydligt_messages_due", channel="sms") == 2
    assert value(samples, "tydligt_messages_due", channel="voice") == 1
    assert value(samples, "tydligt_messages_due", channel="email") == 0
    assert value(samples, "tydligt_oldest_due_message_age_seconds") == 600


def test_lateness_counts_from_first_due_and_includes_rows_left_in_sending(client, session):
    # Refused 30 s ago: due again in 30 s, but first due two hours ago.
    due(session, -timedelta(seconds=30), first_due_at=NOW - timedelta(hours=2))
    # Claimed by a sweep that crashed 40 minutes ago.
    due(session, timedelta(minutes=41), channel="voice", status="sending", claim_token="t",
        claimed_at=NOW - timedelta(minutes=40))  # fmt: skip
    samples = scrape(client)
    assert value(samples, "tydligt_messages_due", channel="sms") == 1
    assert value(samples, "tydligt_messages_due", channel="voice") == 1
    assert value(samples, "tydligt_oldest_due_message_age_seconds") == 7200


def test_failed_runs_in_a_row_are_read_from_the_database(client, session):
    for seconds in (10, 5):
        health.record_run(session, "send-due", NOW - timedelta(seconds=seconds), succeeded=False)
    health.record_run(session, "retention", NOW, succeeded=True)
    samples = scrape(client)
    assert value(samples, "tydligt_worker_failed_runs", job="send-due") == 2
    assert value(samples, "tydligt_worker_failed_runs", job="retention") == 0
    health.record_run(session, "send-due", NOW, succeeded=True)
    assert value(scrape(client), "tydligt_worker_failed_runs", job="send-due") == 0


def test_the_worker_heartbeat_is_read_from_the_database(client, session):
    health.record_run(session, "send-due", NOW - timedelta(seconds=4), duration=0.1, succeeded=True)
    health.record_run(session, "retention", NOW - timedelta(hours=3), succeeded=False)
    samples = scrape(client)
    family = "tydligt_worker_last_run_timestamp_seconds"
    assert value(samples, family, job="send-due") == (NOW - timedelta(seconds=4)).timestamp()
    assert value(samples, family, job="retention") == (NOW - timedelta(hours=3)).timestamp()
    assert value(samples, "tydligt_worker_last_run_succeeded", job="retention") == 0


def test_the_sweep_counts_by_kind_channel_and_outcome_and_times_itself(client, session):
    patient = create_client(session)
    book_appointment(session, patient, starts_at=NOW + timedelta(days=3, hours=4), now=NOW)
    before = scrape(client)
    result = send_due(NOW + timedelta(hours=5))
    after = scrape(client)
    assert result.sent == 1
    family = "tydligt_outbox_messages"
    labels = {"kind": "appointment_reminder", "channel": "sms", "outcome": "sent"}
    sent = value(after, family, f"{family}_total", **labels)
    assert sent - value(before, family, f"{family}_total", **labels) == 1
    swept = "tydligt_sweep_duration_seconds"
    assert value(after, swept, f"{swept}_count") - value(before, swept, f"{swept}_count") == 1


def test_inbound_texts_are_counted_and_webhooks_timed_by_route(client, session):
    before = scrape(client)
    params = {"MessageSid": "SM" + "7" * 32, "From": "+46700000009", "To": "+46846500400",
              "Body": "Hej"}  # fmt: skip
    assert post_signed(client, "/twilio/sms", params).status_code == 200
    assert client.post("/twilio/sms", data=params).status_code == 403  # not from Twilio
    after = scrape(client)
    texts = "tydligt_inbound_texts"
    assert value(after, texts, f"{texts}_total") - value(before, texts, f"{texts}_total") == 1
    latency = "tydligt_webhook_duration_seconds"
    count = f"{latency}_count"
    assert value(after, latency, count, route="/twilio/sms") - value(
        before, latency, count, route="/twilio/sms"
    ) == 2  # fmt: skip
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(
        as_text=True
    )
    assert "+46700000009" not in text and "Hej" not in text


def test_a_route_with_an_id_is_labelled_by_its_pattern(client):
    before = scrape(client)
    client.post("/twilio/voice/reminder/12345", data={})
    after = scrape(client)
    latency, route = "tydligt_webhook_duration_seconds", "/twilio/voice/reminder/<int:message_id>"
    count = f"{latency}_count"
    assert (
        value(after, latency, count, route=route) - value(before, latency, count, route=route) == 1
    )
    assert not any("12345" in str(s.labels) for s in after[latency])


def test_the_worker_serves_its_own_counters_on_its_port(app, client):
    port = free_port()
    app.config |= {"WORKER_METRICS_PORT": port, "WORKER_METRICS_HOST": "127.0.0.1"}
    server = metrics.serve_worker_metrics(app)
    assert server is not None
    try:
        url = f"http://127.0.0.1:{port}"
        request = urllib.request.Request(
            f"{url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode()
        names = {f.name for f in text_string_to_metric_families(body)}
        assert {"tydligt_outbox_messages", "tydligt_sweep_duration_seconds"} <= names
        assert "tydligt_messages_due" not in names  # the web's /metrics reads the database
        for path, status in (("/metrics", 401), ("/admin/", 404), ("/healthz", 404)):
            headers = {} if path == "/metrics" else {"Authorization": f"Bearer {TOKEN}"}
            with pytest.raises(HTTPError) as refused:
                urllib.request.urlopen(urllib.request.Request(url + path, headers=headers))
            assert refused.value.code == status
            refused.value.close()
    finally:
        server.shutdown()
        server.server_close()


def test_the_worker_serves_no_metrics_without_a_port(app):
    assert metrics.serve_worker_metrics(app) is None
