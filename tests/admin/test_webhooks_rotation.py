"""On the admin page a second new secret within 24 hours is refused in the staff
language, and the secret before it keeps signing."""

from datetime import UTC, datetime

import pytest

from app.api import keys
from app.webhooks import subscriptions
from tests.admin.conftest import post

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


def test_a_second_new_secret_within_a_day_is_refused_with_a_clear_message(session, unit, as_admin):
    key, _secret = keys.create(session, unit_id=unit.id, name="Lifecare", scopes="read")
    session.commit()
    subscription, first = subscriptions.create(
        session, key, "https://lifecare.ekby.example/tydligt", ["outbox.status"],
        allow_private=False,
    )  # fmt: skip
    session.commit()
    post(as_admin, f"/admin/webhooks/{subscription.id}/secret")
    session.refresh(subscription)
    second = subscription.secret

    answer = post(as_admin, f"/admin/webhooks/{subscription.id}/secret", follow_redirects=True)

    assert answer.status_code == 200
    assert "The secret was changed less than 24 hours ago." in answer.get_data(as_text=True)
    session.refresh(subscription)
    assert (subscription.secret, subscription.previous_secret) == (second, first)
