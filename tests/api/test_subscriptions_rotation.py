"""A second rotation of a subscription's secret within 24 hours is refused with a clear
422, so the first secret is never dropped while the system may still use it."""

from datetime import UTC, datetime, timedelta

import pytest

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)
URL = "https://lifecare.ekby.example/tydligt/events"


def test_a_second_rotation_within_a_day_is_refused_and_allowed_after(api, frozen_clock):
    subscription = api.post("/subscriptions", {"url": URL, "events": ["outbox.status"]})
    sid = subscription.get_json()["id"]
    assert api.post(f"/subscriptions/{sid}/secret").status_code == 200

    frozen_clock.shift(timedelta(hours=23))
    refused = api.post(f"/subscriptions/{sid}/secret")
    assert refused.status_code == 422
    assert "24 hours" in refused.get_data(as_text=True)

    frozen_clock.shift(timedelta(hours=1))
    assert api.post(f"/subscriptions/{sid}/secret").status_code == 200
