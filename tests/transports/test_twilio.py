"""The Twilio transport: the REST request it makes, its errors, and what it logs."""

import logging

import pytest

from app.transports import TransportError
from app.transports.twilio import TwilioTransport
from tests.transports.outgoing import BODY, outgoing
from tests.twilio_fake import FakeTwilioHttp, error_body


def twilio_config(http: FakeTwilioHttp, **values) -> dict:
    return {
        "TWILIO_ACCOUNT_SID": "AC" + "a" * 32,
        "TWILIO_AUTH_TOKEN": "secret-token",
        "TWILIO_FROM_NUMBER": "+46846500400",
        "TWILIO_MESSAGING_SERVICE_SID": "",
        "PUBLIC_BASE_URL": "https://tydligt.ekby.example",
        "TWILIO_HTTP_CLIENT": http,
    } | values


def test_twilio_sends_exactly_the_expected_rest_request():
    http = FakeTwilioHttp()
    accepted = TwilioTransport(twilio_config(http)).send(outgoing())
    assert len(http.requests) == 1
    request = http.requests[0]
    assert request["method"] == "POST"
    assert (
        request["uri"] == f"https://api.twilio.com/2010-04-01/Accounts/AC{'a' * 32}/Messages.json"
    )
    assert request["auth"] == ("AC" + "a" * 32, "secret-token")
    assert request["data"] == {
        "To": "+46700000001",
        "From": "+46846500400",
        "Body": BODY,
        "StatusCallback": "https://tydligt.ekby.example/twilio/status",
    }
    assert accepted.provider_id == "SM" + "1".zfill(32)


def test_twilio_uses_the_messaging_service_when_configured():
    http = FakeTwilioHttp()
    config = twilio_config(http, TWILIO_MESSAGING_SERVICE_SID="MG" + "b" * 32)
    TwilioTransport(config).send(outgoing())
    data = http.requests[0]["data"]
    assert data["MessagingServiceSid"] == "MG" + "b" * 32
    assert "From" not in data


def test_twilio_places_a_call_with_a_url_back_to_the_app():
    http = FakeTwilioHttp()
    url = "https://tydligt.ekby.example/twilio/voice/reminder/7"
    accepted = TwilioTransport(twilio_config(http)).send(outgoing(channel="voice", call_url=url))
    request = http.requests[0]
    assert request["uri"].endswith("/Calls.json")
    assert request["data"]["Url"] == url
    assert request["data"]["To"] == "+46700000001"
    assert accepted.provider_id.startswith("CA")


@pytest.mark.parametrize(
    ("code", "status", "permanent"),
    [
        (21211, 400, True),  # invalid number
        (21610, 400, True),  # opted out
        (21614, 400, True),  # landline
        (20429, 429, False),  # too many requests
        (20500, 500, False),  # Twilio's server error
        (20003, 401, True),  # wrong credentials: retrying will not help
    ],
)
def test_twilio_errors_are_told_apart(code, status, permanent):
    http = FakeTwilioHttp([(status, error_body(code, status))])
    with pytest.raises(TransportError) as excinfo:
        TwilioTransport(twilio_config(http)).send(outgoing())
    assert excinfo.value.permanent is permanent
    assert excinfo.value.code == str(code)


def test_twilio_errors_are_logged_without_number_or_text(caplog):
    caplog.set_level(logging.DEBUG)
    http = FakeTwilioHttp([(400, error_body(21211, 400))])
    with pytest.raises(TransportError):
        TwilioTransport(twilio_config(http)).send(outgoing())
    assert "21211" in caplog.text
    assert "+46700000001" not in caplog.text
    assert "Sara" not in caplog.text


def test_the_twilio_client_is_made_on_first_send_not_before():
    transport = TwilioTransport(twilio_config(FakeTwilioHttp()))
    assert transport._client is None
    transport.send(outgoing())
    assert transport._client is not None
