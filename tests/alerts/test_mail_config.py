"""The SMTP settings (app/config.py, SETTINGS and _check_mail): read like the others, and
refused at start where alerts could not go or the password would cross the network in the
clear. Off (and nothing to check) while SMTP_HOST is empty."""

from pathlib import Path

import pytest

from app.config import ConfigError, load_config

SMTP = {
    "SMTP_HOST": "smtp.ekby.example",
    "SMTP_USERNAME": "tydligt",
    "SMTP_PASSWORD": "a-long-smtp-password",
    "MAIL_FROM": "Tydligt <tydligt@ekby.example>",
}


def load(tmp_path: Path, **values) -> dict:
    return load_config(tmp_path, {"TESTING": True} | values)


def test_by_default_alerts_have_no_smtp_server_and_would_use_starttls(tmp_path):
    config = load(tmp_path)
    assert config["SMTP_HOST"] == "" and config["SMTP_PORT"] == 587
    assert config["SMTP_STARTTLS"] is True
    assert config["CONSOLE_MAIL_FILE"] == str(tmp_path / "mail.jsonl")


def test_the_environment_sets_the_smtp_server(tmp_path, monkeypatch):
    for name, value in SMTP.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SMTP_PORT", "465")
    monkeypatch.setenv("SMTP_STARTTLS", "false")
    config = load_config(tmp_path, {"TESTING": True})
    assert (config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_STARTTLS"]) == (
        "smtp.ekby.example", 465, False,
    )  # fmt: skip


def test_a_complete_smtp_configuration_starts(tmp_path):
    config = load(tmp_path, **SMTP)
    assert config["MAIL_FROM"] == "Tydligt <tydligt@ekby.example>"


@pytest.mark.parametrize("port", ["0", "65536", "smtp", "-25"])
def test_a_port_must_be_a_port(tmp_path, port):
    with pytest.raises(ConfigError, match="SMTP_PORT"):
        load(tmp_path, **SMTP, SMTP_PORT=port)


@pytest.mark.parametrize("value", ["ja", "tls", "maybe", ""])
def test_starttls_must_be_true_or_false_not_a_typo_that_turns_it_off(tmp_path, value):
    with pytest.raises(ConfigError, match="SMTP_STARTTLS must be true or false"):
        load(tmp_path, **SMTP, SMTP_STARTTLS=value)


@pytest.mark.parametrize("sender", ["", "tydligt", "Tydligt <>", "tyd ligt@ekby.example"])
def test_a_server_needs_a_sender_address(tmp_path, sender):
    with pytest.raises(ConfigError, match="MAIL_FROM"):
        load(tmp_path, **SMTP | {"MAIL_FROM": sender})


@pytest.mark.parametrize("missing", ["SMTP_USERNAME", "SMTP_PASSWORD"])
def test_username_and_password_come_together(tmp_path, missing):
    with pytest.raises(ConfigError, match="both SMTP_USERNAME and SMTP_PASSWORD"):
        load(tmp_path, **SMTP | {missing: ""})


def test_signing_in_without_encryption_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="SMTP_STARTTLS must be true .* unencrypted"):
        load(tmp_path, **SMTP, SMTP_STARTTLS="false")


def test_port_465_encrypts_from_the_start_so_starttls_may_be_off(tmp_path):
    config = load(tmp_path, **SMTP, SMTP_STARTTLS="false", SMTP_PORT="465")
    assert config["SMTP_PORT"] == 465


def test_a_relay_on_this_machine_may_take_plain_smtp(tmp_path):
    load(tmp_path, **SMTP | {"SMTP_HOST": "127.0.0.1", "SMTP_STARTTLS": "false"})
    load(tmp_path, **SMTP | {"SMTP_HOST": "localhost", "SMTP_STARTTLS": "off"})
    load(tmp_path, SMTP_HOST="relay.ekby.example", SMTP_STARTTLS="false",
         MAIL_FROM="tydligt@ekby.example")  # fmt: skip  # no sign-in: nothing secret


def test_no_smtp_host_checks_nothing_else(tmp_path):
    config = load(tmp_path, SMTP_USERNAME="tydligt", MAIL_FROM="")
    assert config["SMTP_HOST"] == ""
