"""GET /metrics about the SMS providers (app/metrics.py): whether each is up, which one SMS
go through now, and the 46elks webhooks timed like Twilio's."""

from datetime import UTC, datetime, timedelta

import pytest

from app.models.providers import SmsProviderHealth
from app.transports.console import ConsoleTransport
from app.transports.failover import FailoverRules, FailoverTransport
from tests.test_metrics import TOKEN, scrape, value

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
SECRET = "3f9c1a7e5b2d8046e1c9a3f7b5d20e8c4a6f1b3d9e7c5a2f0b8d6e4c2a1f3b5d"
pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def config(config):
    return config | {"METRICS_TOKEN": TOKEN, "ELKS_WEBHOOK_SECRET": SECRET}


class Named(ConsoleTransport):
    """A provider known only by its name here."""

    def __init__(self, name: str, path: str) -> None:
        super().__init__(path)
        self.name = name


@pytest.fixture
def two_providers(app, tmp_path):
    primary = Named("twilio", str(tmp_path / "a.jsonl"))
    secondary = Named("46elks", str(tmp_path / "b.jsonl"))
    app.extensions["tydligt.provider"] = FailoverTransport(
        primary, secondary, primary, FailoverRules()
    )


def health(session, name: str, down_since: datetime | None) -> None:
    session.add(SmsProviderHealth(name=name, window_started_at=NOW, tries=5, failures=5,
                                  down_since=down_since))  # fmt: skip
    session.commit()


def test_both_providers_up_and_sms_through_the_primary(client, two_providers):
    samples = scrape(client)
    up, active = "tydligt_sms_provider_up", "tydligt_sms_provider_active"
    assert value(samples, up, provider="twilio") == 1
    assert value(samples, up, provider="46elks") == 1
    assert value(samples, active, provider="twilio") == 1
    assert value(samples, active, provider="46elks") == 0


def test_a_failed_over_primary_is_down_and_the_secondary_active(client, session, two_providers):
    health(session, "twilio", NOW - timedelta(minutes=7))
    samples = scrape(client)
    up, active = "tydligt_sms_provider_up", "tydligt_sms_provider_active"
    assert value(samples, up, provider="twilio") == 0
    assert value(samples, up, provider="46elks") == 1
    assert value(samples, active, provider="twilio") == 0
    assert value(samples, active, provider="46elks") == 1


def test_the_46elks_webhooks_are_timed_by_route_without_the_secret(client):
    before = scrape(client)
    client.post(f"/elks/sms/{SECRET}", data={})
    client.post(f"/elks/status/{SECRET}", data={})
    after = scrape(client)
    count = "tydligt_webhook_duration_seconds_count"
    for route in ("/elks/sms/<secret>", "/elks/status/<secret>"):
        assert value(after, "tydligt_webhook_duration_seconds", count, route=route) - value(
            before, "tydligt_webhook_duration_seconds", count, route=route
        ) == 1  # fmt: skip
    assert SECRET not in client.get(
        "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
    ).get_data(as_text=True)


def test_a_text_through_46elks_is_counted_like_one_through_twilio(client, session):
    from tests.factories import create_client

    create_client(session, phone="+46700000009")
    before = scrape(client)
    data = {"id": "s" + "5" * 32, "from": "+46700000009", "to": "+46846500400", "message": "Hej"}
    assert client.post(f"/elks/sms/{SECRET}", data=data).status_code in (200, 204)
    after = scrape(client)
    texts = "tydligt_inbound_texts"
    assert value(after, texts, f"{texts}_total") - value(before, texts, f"{texts}_total") == 1
