"""Choosing the SMS providers: SMS_TRANSPORT=46elks, SMS_FALLBACK_TRANSPORT, and the start-up
checks that refuse a 46elks configuration that could not work or would be unsafe."""

import pytest

from app import create_app
from app.config import ConfigError
from app.transports.failover import FailoverTransport

ELKS = {
    "SMS_TRANSPORT": "46elks",
    "SECRET_KEY": "k" * 40,
    "ELKS_API_USERNAME": "u" + "1" * 32,
    "ELKS_API_PASSWORD": "api-password",
    "ELKS_FROM": "Ekby",
    # As `openssl rand -hex 32` makes one (README "Connecting 46elks, and failover").
    "ELKS_WEBHOOK_SECRET": "3f9c1a7e5b2d8046e1c9a3f7b5d20e8c4a6f1b3d9e7c5a2f0b8d6e4c2a1f3b5d",
    "PUBLIC_BASE_URL": "https://tydligt.ekby.example",
}
TWILIO = {
    "TWILIO_AUTH_TOKEN": "t" + "0123456789abcdef" * 2,
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_FROM_NUMBER": "+46846500400",
}


def test_46elks_alone_starts_and_sends_sms_through_it(tmp_path):
    app = create_app({"INSTANCE_PATH": tmp_path, **ELKS})
    provider = app.extensions["tydligt.provider"]
    assert isinstance(provider, FailoverTransport)
    assert provider.primary.name == "46elks" and provider.secondary is None


def test_twilio_with_46elks_behind_it_starts(tmp_path):
    config = {**ELKS, **TWILIO, "SMS_TRANSPORT": "twilio", "SMS_FALLBACK_TRANSPORT": "46elks"}
    provider = create_app({"INSTANCE_PATH": tmp_path, **config}).extensions["tydligt.provider"]
    assert (provider.primary.name, provider.secondary.name, provider.voice.name) == (
        "twilio",
        "46elks",
        "twilio",
    )


def test_the_failover_thresholds_are_settings(tmp_path):
    config = {**ELKS, "FAILOVER_MIN_FAILURES": "8", "FAILOVER_COOLDOWN_SECONDS": "600"}
    provider = create_app({"INSTANCE_PATH": tmp_path, **config}).extensions["tydligt.provider"]
    assert provider.health.rules.min_failures == 8
    assert provider.health.rules.cooldown.total_seconds() == 600


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"ELKS_API_USERNAME": ""}, "ELKS_API_USERNAME is missing"),
        ({"ELKS_API_PASSWORD": ""}, "ELKS_API_PASSWORD is missing"),
        ({"ELKS_FROM": ""}, "ELKS_FROM is missing"),
        ({"ELKS_WEBHOOK_SECRET": "short"}, "ELKS_WEBHOOK_SECRET"),
        # What `openssl rand -base64 32` gives: "/" is decoded before routing, so every
        # text and report from 46elks would be 404; "+" and "=" need escaping as well.
        ({"ELKS_WEBHOOK_SECRET": "abc/def+ghi=" + "Xy7k" * 8}, "ELKS_WEBHOOK_SECRET"),
        # "?" and "#" would end the path: 46elks would call a URL without the secret.
        ({"ELKS_WEBHOOK_SECRET": "a?b#c" + "Xy7k" * 8}, "ELKS_WEBHOOK_SECRET"),
        ({"ELKS_WEBHOOK_SECRET": "a" * 40}, "ELKS_WEBHOOK_SECRET"),
        ({"ELKS_WEBHOOK_SECRET": "ab" * 20}, "openssl rand -hex 32"),
        ({"ELKS_CALLBACK_USERNAME": "elk"}, "ELKS_CALLBACK_PASSWORD"),
        ({"PUBLIC_BASE_URL": "http://tydligt.ekby.example"}, "public https address 46elks"),
        ({"SMS_TRANSPORT": "pigeon"}, "'46elks'"),
        ({"SMS_FALLBACK_TRANSPORT": "46elks"}, "not the same as SMS_TRANSPORT"),
        ({"SMS_FALLBACK_TRANSPORT": "carrier-pigeon"}, "SMS_FALLBACK_TRANSPORT"),
        ({"SMS_FALLBACK_TRANSPORT": "console"}, "only for a loopback address"),
        ({"FAILOVER_FAILURE_PERCENT": "0"}, "FAILOVER_FAILURE_PERCENT"),
        ({"FAILOVER_WINDOW_SECONDS": "5"}, "FAILOVER_WINDOW_SECONDS"),
    ],
)
def test_a_46elks_configuration_that_cannot_work_is_refused(tmp_path, values, complaint):
    with pytest.raises(ConfigError, match=complaint):
        create_app({"INSTANCE_PATH": tmp_path, **ELKS, **values})


def test_46elks_as_the_fallback_is_checked_too(tmp_path):
    config = {**ELKS, **TWILIO, "SMS_TRANSPORT": "twilio", "SMS_FALLBACK_TRANSPORT": "46elks"}
    with pytest.raises(ConfigError, match="ELKS_FROM"):
        create_app({"INSTANCE_PATH": tmp_path, **config, "ELKS_FROM": ""})


@pytest.mark.parametrize(
    "secret",
    [
        "3f9c1a7e5b2d8046e1c9a3f7b5d20e8c4a6f1b3d9e7c5a2f0b8d6e4c2a1f3b5d",  # rand -hex 32
        "q8Zt-3Lw_Vn9xR2mKp7YbHc4sJd6EfGa1UoNiTe5WrQ",  # secrets.token_urlsafe(32)
    ],
)
def test_a_url_safe_webhook_secret_is_accepted(tmp_path, secret):
    app = create_app({"INSTANCE_PATH": tmp_path, **ELKS, "ELKS_WEBHOOK_SECRET": secret})
    assert app.config["ELKS_WEBHOOK_SECRET"] == secret


def test_46elks_alone_needs_no_twilio_token(tmp_path):
    app = create_app({"INSTANCE_PATH": tmp_path, **ELKS})
    assert not app.config.get("TWILIO_AUTH_TOKEN")
    # With no token nothing can be signed, so the Twilio webhooks refuse everyone.
    web = app.test_client()
    for path in ("/twilio/sms", "/twilio/status"):
        assert web.post(path, data={"From": "+46700000001", "Body": "Hej"}).status_code == 403


def test_a_known_development_token_is_refused_even_without_twilio(tmp_path):
    with pytest.raises(ConfigError, match="TWILIO_AUTH_TOKEN"):
        create_app(
            {"INSTANCE_PATH": tmp_path, **ELKS, "TWILIO_AUTH_TOKEN": "development-auth-token"}
        )


@pytest.mark.parametrize(
    "twilio_in_use",
    [
        {"SMS_TRANSPORT": "twilio", "SMS_FALLBACK_TRANSPORT": "46elks"},
        {"SMS_FALLBACK_TRANSPORT": "twilio"},
        {},  # voice: Twilio's account and number are there for calls
    ],
)
def test_twilio_in_use_still_needs_its_token(tmp_path, twilio_in_use):
    config = {**ELKS, **TWILIO, **twilio_in_use, "TWILIO_AUTH_TOKEN": ""}
    with pytest.raises(ConfigError, match="TWILIO_AUTH_TOKEN"):
        create_app({"INSTANCE_PATH": tmp_path, **config})
