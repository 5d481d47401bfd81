"""Webhooks on the admin page: an administrator adds an address for a key of the unit (the
secret shown once), reads the delivery log, pauses, resumes, rotates and removes; case
workers and other units' administrators cannot."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.api import keys
from app.models import AuditEvent, WebhookAttempt, WebhookDelivery, WebhookSubscription
from app.webhooks import subscriptions
from tests.admin.conftest import post
from tests.factories import create_unit

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)
URL = "https://lifecare.ekby.example/tydligt"


@pytest.fixture
def key(session, unit):
    api_key, _secret = keys.create(session, unit_id=unit.id, name="Lifecare", scopes="read")
    session.commit()
    return api_key


def test_the_keys_page_links_to_each_keys_webhooks(key, as_admin):
    html = as_admin.get("/admin/api-keys").get_data(as_text=True)

    assert f"/admin/api-keys/{key.id}/webhooks" in html


def test_an_address_is_added_and_its_secret_shown_once(session, key, as_admin):
    response = post(
        as_admin,
        f"/admin/api-keys/{key.id}/webhooks",
        {"url": URL, "events": ["outbox.status", "inbound.received"]},
    )

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    stored = session.exec(select(WebhookSubscription)).one()
    assert stored.secret in html and stored.events == "inbound.received,outbox.status"
    page = as_admin.get(f"/admin/api-keys/{key.id}/webhooks").get_data(as_text=True)
    assert URL in page and stored.secret not in page
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "webhook_added"))
    assert stored.secret not in event.detail


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"url": "http://lifecare.ekby.example/", "events": ["outbox.status"]}, "https"),
        ({"url": "https://192.168.1.20/", "events": ["outbox.status"]}, "public address"),
        ({"url": URL}, "at least one event"),
        ({"url": URL, "events": ["everything"]}, ""),
    ],
)
def test_the_form_says_what_is_wrong_never_500(session, key, as_admin, data, problem):
    response = post(as_admin, f"/admin/api-keys/{key.id}/webhooks", data)

    assert response.status_code == 422
    assert problem in response.get_data(as_text=True)
    assert session.exec(select(WebhookSubscription)).all() == []


def test_the_log_pause_resume_rotate_and_remove(session, key, as_admin):
    subscription, secret = subscriptions.create(
        session, key, URL, ["outbox.status"], allow_private=False
    )
    session.flush()
    delivery = WebhookDelivery(
        subscription_id=subscription.id,
        message_id="msg_1",
        event_type="outbox.status",
        record="outbox_message:7",
        payload="{}",
        attempts=1,
    )
    session.add(delivery)
    session.flush()
    session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            subscription_id=subscription.id,
            attempt=1,
            status_code=503,
        )
    )
    session.commit()
    page = as_admin.get(f"/admin/api-keys/{key.id}/webhooks").get_data(as_text=True)
    assert "outbox_message:7" in page and "503" in page and "Waiting for another try" in page

    post(as_admin, f"/admin/webhooks/{subscription.id}/pause")
    session.refresh(subscription)
    assert subscription.paused_reason == "by_hand"
    post(as_admin, f"/admin/webhooks/{subscription.id}/resume")
    session.refresh(subscription)
    assert subscription.paused_at is None
    rotated = post(as_admin, f"/admin/webhooks/{subscription.id}/secret").get_data(as_text=True)
    session.refresh(subscription)
    assert subscription.secret in rotated and subscription.previous_secret == secret
    post(as_admin, f"/admin/webhooks/{subscription.id}/remove")
    session.expire_all()
    assert session.exec(select(WebhookSubscription)).all() == []
    assert session.exec(select(WebhookDelivery)).all() == []


def test_case_workers_and_other_units_may_not(session, key, as_caseworker, client):
    subscription, _secret = subscriptions.create(
        session, key, URL, ["outbox.status"], allow_private=False
    )
    session.commit()

    assert as_caseworker.get(f"/admin/api-keys/{key.id}/webhooks").status_code == 403
    assert post(as_caseworker, f"/admin/webhooks/{subscription.id}/pause").status_code == 403


def test_another_units_administrator_gets_404(session, as_admin):
    other_unit = create_unit(session, name="Västby", phone_menu_number="+46846500402")
    other_key, _ = keys.create(session, unit_id=other_unit.id, name="Treserva", scopes="read")
    subscription, _secret = subscriptions.create(
        session, other_key, URL, ["outbox.status"], allow_private=False
    )
    session.commit()

    assert as_admin.get(f"/admin/api-keys/{other_key.id}/webhooks").status_code == 404
    assert post(as_admin, f"/admin/webhooks/{subscription.id}/remove").status_code == 404
    assert session.exec(select(WebhookSubscription)).one().id == subscription.id
