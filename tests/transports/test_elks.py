"""The 46elks transport: the HTTP request it makes, its errors, the history lookup."""

import base64
import logging
from datetime import UTC, datetime

import pytest
import requests

from app.transports import TransportError, build_transport
from app.transports.elks import ElksTransport, callback_url
from tests.elks_fake import fake_session, history, sent_body
from tests.transports.outgoing import BODY, outgoing


def elks_config(session: requests.Session, **values) -> dict:
    return {
        "ELKS_API_USERNAME": "u" + "a" * 32,
        "ELKS_API_PASSWORD": "api-password",
        "ELKS_FROM": "Ekby",
        "ELKS_WEBHOOK_SECRET": "s3cret-in-the-path",
        "ELKS_CALLBACK_USERNAME": "",
        "ELKS_CALLBACK_PASSWORD": "",
        "PUBLIC_BASE_URL": "https://tydligt.ekby.example",
        "ELKS_HTTP_SESSION": session,
    } | values


def test_elks_sends_exactly_the_documented_request():
    session, fake = fake_session([(200, sent_body("s" + "f" * 32))])
    accepted = ElksTransport(elks_config(session)).send(outgoing())
    assert len(fake.requests) == 1
    request = fake.requests[0]
    assert request["method"] == "POST"
    assert request["url"] == "https://api.46elks.com/a1/sms"
    expected = base64.b64encode(f"u{'a' * 32}:api-password".encode()).decode()
    assert request["authorization"] == f"Basic {expected}"
    assert request["data"] == {
        "from": "Ekby",
        "to": "+46700000001",
        "message": BODY,
        "whendelivered": "https://tydligt.ekby.example/elks/status/s3cret-in-the-path",
        "dontlog": "message",
    }
    assert request["timeout"] is not None  # never hangs a sweep
    assert accepted.provider_id == "s" + "f" * 32


def test_the_report_url_carries_basic_auth_where_configured():
    config = elks_config(None, ELKS_CALLBACK_USERNAME="elk", ELKS_CALLBACK_PASSWORD="p@ss word")
    assert (
        callback_url(config, "status")
        == "https://elk:p%40ss%20word@tydligt.ekby.example/elks/status/s3cret-in-the-path"
    )


@pytest.mark.parametrize(
    ("status", "permanent", "refusal"),
    [
        (400, True, None),  # a bad number or text: this message never goes
        (401, False, "auth"),  # our credentials: no message's fault
        # The account cannot send at all (no credit left, blocked): no message's fault.
        (402, False, "account"),
        (403, False, "account"),
        (429, False, "throttled"),
        (500, False, None),
        (503, False, None),
    ],
)
def test_elks_errors_are_told_apart(status, permanent, refusal):
    session, _ = fake_session([(status, "Invalid to number")])
    with pytest.raises(TransportError) as excinfo:
        ElksTransport(elks_config(session)).send(outgoing())
    assert excinfo.value.permanent is permanent
    assert excinfo.value.refusal == refusal
    assert excinfo.value.code == str(status)


@pytest.mark.parametrize(
    "failure", [requests.ConnectTimeout("slow"), requests.ConnectionError("refused")]
)
def test_an_unreachable_elks_is_a_temporary_error(failure):
    session, _ = fake_session([failure])
    with pytest.raises(TransportError) as excinfo:
        ElksTransport(elks_config(session)).send(outgoing())
    assert excinfo.value.permanent is False


def test_an_answer_without_an_id_is_not_sent_again():
    session, _ = fake_session([(200, {"status": "created"})])
    with pytest.raises(TransportError) as excinfo:
        ElksTransport(elks_config(session)).send(outgoing())
    assert excinfo.value.permanent is True


def test_elks_does_not_place_calls():
    session, fake = fake_session()
    with pytest.raises(TransportError) as excinfo:
        ElksTransport(elks_config(session)).send(outgoing(channel="voice", call_url="https://x"))
    assert excinfo.value.permanent is True
    assert fake.requests == []


def test_elks_errors_are_logged_without_number_or_text(caplog):
    caplog.set_level(logging.DEBUG)
    session, _ = fake_session([(400, "Invalid to number +46700000001")])
    with pytest.raises(TransportError):
        ElksTransport(elks_config(session)).send(outgoing())
    assert "400" in caplog.text
    assert "+46700000001" not in caplog.text
    assert "Sara" not in caplog.text


def test_find_sent_reads_the_history_and_keeps_only_what_the_api_sent():
    items = [
        {"id": "s" + "1" * 32, "direction": "outgoing", "created": "2026-12-07T09:00:05.000000"},
        {"id": "s" + "2" * 32, "direction": "outgoing-reply", "created": "2026-12-07T09:00:06.0"},
        {"id": "s" + "3" * 32, "direction": "incoming", "created": "2026-12-07T09:00:07.000000"},
        {"id": "s" + "4" * 32, "direction": "outgoing", "created": "2026-12-07T08:00:00.000000"},
    ]
    session, fake = fake_session([(200, history(items))])
    since = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    found = ElksTransport(elks_config(session)).find_sent(7, "+46700000001", "sms", since)
    assert found == ["s" + "1" * 32]
    request = fake.requests[0]
    assert request["method"] == "GET"
    assert request["params"] == {
        "to": "+46700000001",
        "end": "2026-12-07T08:59:00.000000",
        "limit": "20",
    }


def test_find_sent_that_cannot_ask_raises():
    session, _ = fake_session([(502, "Bad gateway")])
    since = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    with pytest.raises(TransportError):
        ElksTransport(elks_config(session)).find_sent(7, "+46700000001", "sms", since)


def test_the_configuration_builds_the_elks_transport():
    session, _ = fake_session()
    config = elks_config(session, SMS_TRANSPORT="46elks", SMS_FALLBACK_TRANSPORT="")
    assert build_transport(config).name == "46elks"


def test_a_request_46elks_took_but_did_not_answer_is_marked_as_timed_out():
    session, _ = fake_session([requests.ReadTimeout("no answer")])
    with pytest.raises(TransportError) as excinfo:
        ElksTransport(elks_config(session)).send(outgoing())
    assert (excinfo.value.permanent, excinfo.value.code) == (False, "timeout")


def test_a_connection_never_made_is_not_a_timeout_to_ask_about():
    session, _ = fake_session([requests.ConnectTimeout("no route")])
    with pytest.raises(TransportError) as excinfo:
        ElksTransport(elks_config(session)).send(outgoing())
    assert excinfo.value.code is None
