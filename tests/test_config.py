"""Configuration from the environment and explicit settings, checked at start (app/config.py)."""

import pytest

from app import create_app
from app.config import DEVELOPMENT_SECRET_KEY, ConfigError, ReminderOffset, parse_offsets

PRODUCTION = {
    "SMS_TRANSPORT": "twilio",
    "SECRET_KEY": "k" * 40,
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "token",
    "TWILIO_FROM_NUMBER": "+46846500400",
    "PUBLIC_BASE_URL": "https://tydligt.ekby.example",
}


def test_environment_variables_configure_the_app(tmp_path, monkeypatch):
    monkeypatch.setenv("TIMEZONE", "Europe/Helsinki")
    monkeypatch.setenv("REMINDER_OFFSETS", "2h, 7d")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://example.org/")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "a-real-token")
    app = create_app({"INSTANCE_PATH": tmp_path})
    assert app.config["TIMEZONE"] == "Europe/Helsinki"
    assert app.config["REMINDER_OFFSETS"] == (ReminderOffset(days=7), ReminderOffset(hours=2))
    assert app.config["PUBLIC_BASE_URL"] == "https://example.org"


def test_explicit_config_wins_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TIMEZONE", "Europe/Helsinki")
    app = create_app({"INSTANCE_PATH": tmp_path, "TIMEZONE": "Europe/Stockholm"})
    assert app.config["TIMEZONE"] == "Europe/Stockholm"


def test_production_configuration_starts(tmp_path):
    app = create_app({"INSTANCE_PATH": tmp_path, **PRODUCTION})
    assert app.extensions["tydligt.transport"].name == "twilio"


@pytest.mark.parametrize(
    ("key", "value", "complaint"),
    [
        ("SECRET_KEY", DEVELOPMENT_SECRET_KEY, "SECRET_KEY"),
        ("SECRET_KEY", "short", "SECRET_KEY"),
        ("TWILIO_AUTH_TOKEN", "", "TWILIO_AUTH_TOKEN"),
        ("TWILIO_ACCOUNT_SID", "", "TWILIO_ACCOUNT_SID"),
        ("TWILIO_FROM_NUMBER", "", "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID"),
        ("PUBLIC_BASE_URL", "", "PUBLIC_BASE_URL"),
        ("PUBLIC_BASE_URL", "http://tydligt.ekby.example", "PUBLIC_BASE_URL"),
        ("PUBLIC_BASE_URL", "https://127.0.0.1:5000", "PUBLIC_BASE_URL"),
    ],
)
def test_production_refuses_to_start_without_real_secrets(
    tmp_path, monkeypatch, key, value, complaint
):
    for env_key in PRODUCTION:
        monkeypatch.delenv(env_key, raising=False)
    with pytest.raises(ConfigError, match=complaint):
        create_app({"INSTANCE_PATH": tmp_path, **PRODUCTION, key: value})


def test_messaging_service_can_replace_the_from_number(tmp_path):
    settings = PRODUCTION | {
        "TWILIO_FROM_NUMBER": "",
        "TWILIO_MESSAGING_SERVICE_SID": "MG" + "2" * 32,
    }
    assert create_app({"INSTANCE_PATH": tmp_path, **settings})


def test_unknown_transport_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="SMS_TRANSPORT"):
        create_app({"INSTANCE_PATH": tmp_path, "SMS_TRANSPORT": "pigeon"})


@pytest.mark.parametrize("text_value", ["", "3", "3x", "0d", "d", "3d,,x"])
def test_malformed_reminder_offsets_are_refused(text_value):
    with pytest.raises(ConfigError, match="REMINDER_OFFSETS"):
        parse_offsets(text_value)


def test_offsets_are_sorted_longest_first_and_deduplicated():
    assert [o.label for o in parse_offsets("1d, 3d, 24h, 2h")] == ["3d", "1d", "2h"]
