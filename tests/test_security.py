"""Hardening: no start in production with development secrets, security headers on every
page, masked logs, and limits on what a request may carry."""

import logging

import pytest

from app import create_app
from app.config import ConfigError
from app.security import MaskingFilter, mask
from tests.signing import post_signed


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({}, "SECRET_KEY"),
        # Without Twilio in use no token is needed (its webhooks then refuse everyone),
        # but the published development token is never accepted.
        (
            {"SECRET_KEY": "s" * 40, "TWILIO_AUTH_TOKEN": "development-auth-token"},
            "TWILIO_AUTH_TOKEN",
        ),
        (
            {
                "SECRET_KEY": "s" * 40,
                "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
                "TWILIO_FROM_NUMBER": "+46846500400",
            },
            "TWILIO_AUTH_TOKEN",
        ),  # fmt: skip
    ],
)
def test_a_public_address_refuses_development_secrets(tmp_path, settings, complaint):
    config = {"INSTANCE_PATH": tmp_path, "PUBLIC_BASE_URL": "https://tydligt.ekby.example"}
    with pytest.raises(ConfigError, match=complaint):
        create_app(config | settings)


def test_a_public_address_with_real_secrets_starts(tmp_path):
    app = create_app({"INSTANCE_PATH": tmp_path, "PUBLIC_BASE_URL": "https://tydligt.ekby.example",
                      "SECRET_KEY": "s" * 40, "TWILIO_AUTH_TOKEN": "token"})  # fmt: skip
    response = app.test_client().get("/admin/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_every_html_page_gets_the_security_headers(client):
    response = client.get("/admin/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    health = client.get("/healthz")
    assert health.headers["X-Frame-Options"] == "DENY"


def test_a_local_address_has_no_hsts(tmp_path):
    app = create_app({"INSTANCE_PATH": tmp_path})
    assert "Strict-Transport-Security" not in app.test_client().get("/admin/login").headers


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ("sent to +46701234567 ok", "sent to +********567 ok"),
        ("from 070-123 45 67", "from *******567"),
        ('GET /p/Xq3vR8kLm2Tn5wYz7bCd9f HTTP/1.1" 200', 'GET /p/<token> HTTP/1.1" 200'),
        ("message 12345 sent in 3 segments", "message 12345 sent in 3 segments"),
        ("2026-11-23 00:29:54 INFO", "2026-11-23 00:29:54 INFO"),
    ],
)
def test_logs_mask_phone_numbers_and_page_tokens(line, masked):
    assert mask(line) == masked


def test_the_filter_masks_arguments_of_any_logger(caplog):
    logger = logging.getLogger("some.library")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO):
        logger.info("calling %s about %s", "+46700000001", "/p/Xq3vR8kLm2Tn5wYz7bCd9f")
    assert "+46700000001" not in caplog.text and "Xq3vR8kLm2" not in caplog.text
    assert "+********001" in caplog.text


def test_a_webhook_request_over_the_size_limit_gets_413_and_no_5xx(client):
    response = post_signed(client, "/twilio/sms", {"From": "+46700000001", "Body": "x" * 300_000})
    assert response.status_code == 413


def test_behind_a_tls_proxy_the_client_address_comes_from_the_proxy(tmp_path):
    app = create_app({"INSTANCE_PATH": tmp_path, "PROXY_COUNT": 1})

    @app.route("/whoami")
    def whoami():
        from flask import request

        return f"{request.remote_addr} {request.scheme}"

    response = app.test_client().get(
        "/whoami", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    )
    assert response.get_data(as_text=True) == "203.0.113.7 https"


# The development secrets are published: only a loopback address may run with them.


@pytest.mark.parametrize(
    "base",
    [
        "http://any-host",
        "http://tydligt.ekby.example:8000",
        "HTTPS://tydligt.ekby.example",
        "Https://tydligt.ekby.example",
        "http://10.0.0.5:5000",
        "http://[2001:db8::1]:5000",
        "http://127.0.0.1.nip.example",
        "http://localhost.ekby.example",
        "http://0.0.0.0:5000",
        "",
    ],
)
def test_an_address_that_is_not_loopback_refuses_development_secrets(tmp_path, base):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": tmp_path, "PUBLIC_BASE_URL": base})


@pytest.mark.parametrize(
    "base",
    [
        "http://127.0.0.1:5000",
        "http://127.8.9.10",
        "http://localhost:5000",
        "HTTP://LOCALHOST:5000/",
        "http://[::1]:5000",
    ],
)
def test_a_loopback_address_starts_with_development_secrets(tmp_path, base):
    app = create_app({"INSTANCE_PATH": tmp_path, "PUBLIC_BASE_URL": base})
    assert app.test_client().get("/admin/login").status_code == 200


def test_the_development_auth_token_counts_as_no_token(tmp_path):
    config = {"INSTANCE_PATH": tmp_path, "PUBLIC_BASE_URL": "http://any-host",
              "SECRET_KEY": "s" * 40, "TWILIO_AUTH_TOKEN": "development-auth-token"}  # fmt: skip
    with pytest.raises(ConfigError, match="TWILIO_AUTH_TOKEN"):
        create_app(config)


@pytest.mark.parametrize("base", ["HTTPS://Tydligt.Ekby.Example", "https://tydligt.ekby.example"])
def test_an_https_address_in_any_letter_case_makes_cookies_secure(tmp_path, base):
    app = create_app({"INSTANCE_PATH": tmp_path, "PUBLIC_BASE_URL": base,
                      "SECRET_KEY": "s" * 40, "TWILIO_AUTH_TOKEN": "token"})  # fmt: skip
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/admin/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_plain_http_address_with_real_secrets_has_no_secure_cookie(tmp_path):
    app = create_app({"INSTANCE_PATH": tmp_path, "PUBLIC_BASE_URL": "http://intranet.ekby.example",
                      "SECRET_KEY": "s" * 40, "TWILIO_AUTH_TOKEN": "token"})  # fmt: skip
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_twilio_accepts_an_https_address_in_capitals_but_no_loopback(tmp_path):
    production = {"INSTANCE_PATH": tmp_path, "SMS_TRANSPORT": "twilio", "SECRET_KEY": "k" * 40,
                  "TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "token",
                  "TWILIO_FROM_NUMBER": "+46846500400"}  # fmt: skip
    assert create_app(production | {"PUBLIC_BASE_URL": "HTTPS://tydligt.ekby.example"})
    for loopback in ("https://LOCALHOST", "https://127.1.2.3", "https://[::1]:443"):
        with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
            create_app(production | {"PUBLIC_BASE_URL": loopback})


# Logged exceptions: tracebacks are masked and the database hides statement parameters.


def test_a_logged_traceback_masks_phone_numbers(tmp_path, caplog):
    create_app({"INSTANCE_PATH": tmp_path})  # installs the masking on the log handlers
    try:
        raise ValueError("no client with 070-123 45 67 or +46701234567")
    except ValueError:
        with caplog.at_level(logging.ERROR):
            logging.getLogger("app.somewhere").exception("could not answer")
    assert "could not answer" in caplog.text and "ValueError" in caplog.text
    assert "45 67" not in caplog.text and "+46701234567" not in caplog.text
    assert "+********567" in caplog.text


def test_a_logged_database_error_shows_no_phone_number_and_no_body(config, caplog):
    from sqlalchemy.exc import DBAPIError
    from sqlmodel import Session

    from app.models import Client, OutboxMessage
    from tests.factories import create_client

    app = create_app(config)
    engine = app.extensions["tydligt.engine"]
    try:
        with app.app_context(), Session(engine) as session:
            client = create_client(session, phone="+46701234567")
            sent = dict(
                kind="welcome", client_id=client.id, dedupe_key="k", due_at=client.created_at
            )
            session.add(OutboxMessage(**sent, body="Hemlig text om Sara"))
            session.commit()
            for row in (
                Client(unit_id=client.unit_id, first_name="Nils", phone="+46701234567"),
                OutboxMessage(**sent, body="Hemlig text om Nils"),
            ):
                session.add(row)
                try:
                    session.commit()
                except DBAPIError:
                    session.rollback()
                    with caplog.at_level(logging.ERROR):
                        logging.getLogger("app.somewhere").exception("could not save")
                else:
                    raise AssertionError("the database took a duplicate")
    finally:
        engine.dispose()
    assert caplog.text.count("IntegrityError") >= 2
    assert "+46701234567" not in caplog.text and "1234567" not in caplog.text
    assert "Hemlig" not in caplog.text


def test_passwords_and_pins_are_hashed_with_scrypt_unless_the_tests_say_otherwise(config):
    from app import create_app
    from app.security import hash_secret

    settings = {k: v for k, v in config.items() if k != "SECRET_HASH_METHOD"}
    real = create_app(settings)
    with real.app_context():
        assert real.config["SECRET_HASH_METHOD"] == "scrypt"
        assert hash_secret("2468").startswith("scrypt:")
    real.extensions["tydligt.engine"].dispose()
