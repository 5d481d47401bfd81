"""Where deliveries may go: https to public addresses; loopback and private ones only
where the setting allows (tests, development), checked again at each delivery."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.models import OutboxMessage, WebhookAttempt
from app.webhooks import addresses
from app.webhooks.delivery import deliver_due

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


@pytest.mark.parametrize(
    "url",
    [
        "https://localhost/x",
        "https://127.0.0.1/x",
        "https://10.0.0.5/x",
        "https://169.254.169.254/latest/meta-data",
        "https://[fd00::1]/x",
    ],
)
def test_names_and_addresses_that_are_not_public_are_refused_in_production(url):
    assert addresses.problem(url, allow_private=False) is not None
    assert addresses.checked_address(url, allow_private=False) is None


def test_a_public_address_passes():
    url = "https://93.184.216.34/tydligt"

    assert addresses.problem(url, allow_private=False) is None
    assert addresses.checked_address(url, allow_private=False) == "93.184.216.34"


def test_plain_http_only_to_loopback_and_only_where_allowed():
    assert addresses.problem("http://127.0.0.1:8080/x", allow_private=True) is None
    assert addresses.problem("http://127.0.0.1:8080/x", allow_private=False) is not None
    assert addresses.problem("http://lifecare.example/x", allow_private=True) is not None


def test_the_worker_refuses_a_private_address_when_the_setting_is_off(
    app, session, subscribed, sara, receiver
):
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = False
    session.add(
        OutboxMessage(
            kind="staff_message", client_id=sara.id, to_phone=sara.phone, dedupe_key="a", due_at=NOW
        )
    )
    session.commit()

    deliver_due()

    assert receiver.requests == []
    attempt = session.exec(select(WebhookAttempt)).one()
    assert (attempt.status_code, attempt.error) == (None, "address refused")
