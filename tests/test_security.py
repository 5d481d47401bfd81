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
        ({"SECRET_KEY": "s" * 40}, "TWILIO_AUTH_TOKEN"),
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
