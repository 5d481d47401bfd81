"""46elks' webhooks: inbound texts and delivery reports on their own routes, with the same
contracts as Twilio's: stored first, idempotent on 46elks' id, a clear 4xx on odd input,
the conversation and status rules unchanged, the URL's secret and basic auth checked."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import Client, InboundMessage, Intent, OutboxMessage, OutboxStatus
from app.models.messaging import EarlyReport
from app.outbox.sweep import send_due
from tests.factories import book_appointment, create_client, create_unit

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SECRET = "k" * 40
SARA = "+46700000001"
UNIT_NUMBER = "+46846500400"
ELKS_ID = "s" + "a" * 32

pytestmark = pytest.mark.frozen_at(NOW + timedelta(minutes=1))


@pytest.fixture
def config(config):
    return config | {"ELKS_WEBHOOK_SECRET": SECRET}


@pytest.fixture
def sara(session):
    return create_client(session, staff=None, phone=SARA)


def text(web, body: str, provider_id: str = ELKS_ID, secret: str = SECRET, **extra):
    form = {
        "direction": "incoming",
        "id": provider_id,
        "from": SARA,
        "to": UNIT_NUMBER,
        "created": "2026-03-02T08:00:23.741000",
        "message": body,
    } | extra
    return web.post(f"/elks/sms/{secret}", data=form, headers=extra.pop("headers", {}))


def stored(session) -> list[InboundMessage]:
    session.expire_all()
    return list(session.exec(select(InboundMessage).order_by(InboundMessage.id)))


def test_a_text_is_stored_acted_on_and_answered_in_the_response_body(client, session, sara):
    response = text(client, "Hjälp")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    [inbound] = stored(session)
    assert inbound.provider_id == ELKS_ID
    assert inbound.client_id == sara.id
    assert inbound.body == "Hjälp"
    assert inbound.intent == Intent.HELP
    # The answer is what the conversation gave, sent back as 46elks' automatic reply.
    assert response.get_data(as_text=True) == inbound.reply
    assert "Svara med en siffra" in inbound.reply


def test_a_retry_with_the_same_id_changes_nothing_and_gets_the_first_answer(client, session, sara):
    first = text(client, "Hjälp").get_data(as_text=True)
    again = text(client, "Hjälp")
    assert again.status_code == 200
    assert again.get_data(as_text=True) == first
    assert len(stored(session)) == 1


def test_stop_opts_the_client_out_with_the_same_rules_as_twilio(client, session, sara):
    response = text(client, "STOPP")
    assert response.status_code == 200
    assert response.get_data(as_text=True)  # the confirmation: 46elks has not answered
    session.expire_all()
    assert session.get(Client, sara.id).opted_out_at is not None


def test_a_stranger_gets_the_unit_s_answer(client, session):
    create_unit(session)
    response = text(client, "Vem är det här?", **{"from": "+46709999999"})
    assert response.status_code == 200
    [inbound] = stored(session)
    assert inbound.intent == Intent.UNKNOWN_SENDER
    assert "Ekby kommun" in response.get_data(as_text=True)


@pytest.mark.parametrize("secret", ["wrong", "k" * 39, "k" * 41])
def test_a_wrong_secret_is_refused_and_nothing_is_stored(client, session, sara, secret):
    assert text(client, "Hjälp", secret=secret).status_code == 403
    assert stored(session) == []


def test_without_a_configured_secret_every_request_is_refused(app, client, session, sara):
    app.config["ELKS_WEBHOOK_SECRET"] = ""
    assert client.post("/elks/sms/", data={"id": ELKS_ID}).status_code in (403, 404, 405)
    assert text(client, "Hjälp", secret="").status_code in (403, 404, 405)
    assert stored(session) == []


def basic(user: str, password: str) -> dict:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_basic_auth_is_required_where_configured(app, client, session, sara):
    app.config |= {"ELKS_CALLBACK_USERNAME": "elk", "ELKS_CALLBACK_PASSWORD": "p" * 20}
    form = {"id": ELKS_ID, "from": SARA, "to": UNIT_NUMBER, "message": "Hjälp"}
    url = f"/elks/sms/{SECRET}"
    assert client.post(url, data=form).status_code == 401
    assert client.post(url, data=form, headers=basic("elk", "wrong")).status_code == 401
    assert stored(session) == []
    assert client.post(url, data=form, headers=basic("elk", "p" * 20)).status_code == 200
    assert len(stored(session)) == 1


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"from": SARA, "message": "Hej"},  # no id
        {"id": ELKS_ID, "message": "Hej"},  # no sender
        {"id": ELKS_ID, "from": SARA, "message": "Hej", "direction": "outgoing"},
    ],
)
def test_odd_input_gets_a_clear_400(client, session, sara, form):
    response = client.post(f"/elks/sms/{SECRET}", data=form)
    assert response.status_code == 400
    assert stored(session) == []


def test_an_odd_sender_or_long_text_is_still_kept_and_answered(client, session, sara):
    response = text(client, "x" * 9000, **{"from": "not a number", "to": ""})
    assert response.status_code in (200, 204)
    [inbound] = stored(session)
    assert inbound.from_phone == "not a number"


# Delivery reports


@pytest.fixture
def sent_message(session):
    client = create_client(session)
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    send_due(NOW)
    session.expire_all()
    message = session.exec(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENT)
    ).one()
    message.provider_id, message.provider = ELKS_ID, "46elks"
    session.add(message)
    session.commit()
    return message


def report(web, status: str, provider_id: str = ELKS_ID, secret: str = SECRET):
    form = {"id": provider_id, "status": status}
    if status == "delivered":
        form["delivered"] = "2026-03-02T08:01:00Z"
    return web.post(f"/elks/status/{secret}", data=form)


def current(session, message) -> OutboxMessage:
    session.expire_all()
    return session.get(OutboxMessage, message.id)


def test_delivered_is_recorded_and_never_goes_back(client, session, sent_message):
    assert report(client, "sent").status_code == 204
    assert current(session, sent_message).status == OutboxStatus.SENT
    assert report(client, "delivered").status_code == 204
    assert current(session, sent_message).status == OutboxStatus.DELIVERED
    report(client, "sent")
    report(client, "failed")
    assert current(session, sent_message).status == OutboxStatus.DELIVERED


def test_failed_is_tried_again_later_by_the_same_rules(client, session, sent_message):
    assert report(client, "failed").status_code == 204
    message = current(session, sent_message)
    assert message.status == OutboxStatus.FAILED
    assert message.last_error == "46elks: failed"
    retry = session.exec(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == f"{message.dedupe_key}:retry:1")
    ).one()
    assert retry.status == OutboxStatus.PENDING


def test_a_report_before_the_id_is_known_is_kept(client, session):
    assert report(client, "delivered", provider_id="s" + "b" * 32).status_code == 204
    session.expire_all()
    [kept] = session.exec(select(EarlyReport)).all()
    assert kept.provider_id == "s" + "b" * 32
    assert kept.status == "delivered"


@pytest.mark.parametrize(
    "form", [{}, {"id": ELKS_ID}, {"status": "delivered"}, {"id": ELKS_ID, "status": "lost"}]
)
def test_an_odd_report_gets_a_clear_400(client, session, sent_message, form):
    assert client.post(f"/elks/status/{SECRET}", data=form).status_code == 400
    assert current(session, sent_message).status == OutboxStatus.SENT


def test_a_report_with_a_wrong_secret_is_refused(client, session, sent_message):
    assert report(client, "delivered", secret="nope").status_code == 403
    assert current(session, sent_message).status == OutboxStatus.SENT
