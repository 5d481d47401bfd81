"""The alert mail: the words in each staff language, and how it leaves: SMTP (with
STARTTLS and sign-in as configured) or, with the console transport, the console."""

import json
import logging
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app import create_app
from app.alerts import mail
from app.alerts.deliveries import send_alerts
from tests.alerts.conftest import SMTP_SECRET, SMTP_USER, SmtpServer, wants_alerts
from tests.factories import create_client, create_staff, create_unit, receive_text

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Stockholm

pytestmark = pytest.mark.frozen_at(NOW)
# The loopback test server signs in without TLS, which aiosmtpd warns about on each
# connection; the app's own rule (tests/alerts/test_mail_config.py) allows it on loopback only.
plain_auth_on_loopback = pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS:UserWarning"
)


def test_the_mail_is_in_english_for_staff_who_chose_english(app, caseworker):
    message = mail.compose(caseworker, "en", Counter(text=1, callback=2, pin=3), urgent=False)
    assert message["Subject"] == (
        "Tydligt: 1 new text, 2 requests to be called back, 3 locked PINs"
    )
    body = message.get_content()
    assert "This waits for you in Tydligt:" in body
    assert "Open Today in Tydligt: https://tydligt.ekby.example/admin/" in body
    assert "e-mail is not a safe channel" in body


def test_an_urgent_mail_says_so_in_its_subject_and_body(app, caseworker):
    message = mail.compose(caseworker, "sv", Counter(declined=1), urgent=True)
    assert message["Subject"] == "Tydligt, brådskande: 1 möte som klienten tackat nej till"
    assert "brådskande" in message.get_content()


def test_links_follow_a_public_address_with_a_path(config, tmp_path):
    application = create_app(config | {"PUBLIC_BASE_URL": "https://ekby.example/tydligt"})
    with application.app_context():
        assert mail.admin_link("admin.today") == "https://ekby.example/tydligt/admin/"
    application.extensions["tydligt.engine"].dispose()


@plain_auth_on_loopback
def test_the_smtp_server_gets_the_user_and_password(config, tmp_path):
    server = SmtpServer(auth=True)
    server.start()
    try:
        application = create_app(config | {"SMTP_PORT": server.port, "SMTP_USERNAME": SMTP_USER,
                                           "SMTP_PASSWORD": SMTP_SECRET})  # fmt: skip
        with application.app_context():
            staff = create_staff_in(application)
            mail.deliver(mail.compose(staff, "sv", Counter(text=1), urgent=False), 1)
        application.extensions["tydligt.engine"].dispose()
    finally:
        server.stop()
    assert server.mailbox.logins == [SMTP_USER.encode()]
    assert len(server.mailbox) == 1


@plain_auth_on_loopback
def test_a_wrong_password_is_a_failure_to_retry(config, monkeypatch):
    # After refusing PLAIN, aiosmtpd leaves smtplib's next try (LOGIN) waiting: not 30 s here.
    monkeypatch.setattr(mail, "SMTP_TIMEOUT_SECONDS", 2)
    server = SmtpServer(auth=True)
    server.start()
    try:
        application = create_app(config | {"SMTP_PORT": server.port, "SMTP_USERNAME": SMTP_USER,
                                           "SMTP_PASSWORD": "wrong"})  # fmt: skip
        with application.app_context():
            staff = create_staff_in(application)
            with pytest.raises(mail.MailError):
                mail.deliver(mail.compose(staff, "sv", Counter(text=1), urgent=False), 1)
        application.extensions["tydligt.engine"].dispose()
    finally:
        server.stop()
    assert len(server.mailbox) == 0


def test_without_starttls_on_the_server_nothing_is_sent_in_the_clear(config, mailbox):
    """SMTP_STARTTLS=true and a server that offers no STARTTLS: the mail is not sent at all
    (never quietly in plain text), and the round says it failed."""
    application = create_app(config | {"SMTP_STARTTLS": "true"})
    with application.app_context():
        staff = create_staff_in(application)
        with pytest.raises(mail.MailError, match="SMTPNotSupportedError"):
            mail.deliver(mail.compose(staff, "sv", Counter(text=1), urgent=False), 1)
    application.extensions["tydligt.engine"].dispose()
    assert len(mailbox) == 0


def create_staff_in(application):
    from sqlmodel import Session

    with Session(application.extensions["tydligt.engine"], expire_on_commit=False) as session:
        return create_staff(session, create_unit(session))


@pytest.fixture
def console_config(config: dict, tmp_path: Path) -> dict:
    """`make run`: the console transport and no SMTP server."""
    return config | {"SMTP_HOST": "", "CONSOLE_MAIL_FILE": str(tmp_path / "mail.jsonl")}


def test_with_the_console_transport_mails_go_to_the_console(console_config, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    application = create_app(console_config)
    with application.app_context():
        from sqlmodel import Session

        with Session(application.extensions["tydligt.engine"], expire_on_commit=False) as s:
            unit = create_unit(s, sending_window="08:00-17:00")
            lina = create_staff(s, unit)
            sara = create_client(s, lina, first_name="Saralinnea", phone="+46701234567")
            wants_alerts(s, lina)
            receive_text(s, sara, "Saralinnea skriver om sin hyra")
        assert send_alerts().sent == 1
    application.extensions["tydligt.engine"].dispose()

    lines = Path(console_config["CONSOLE_MAIL_FILE"]).read_text("utf-8").splitlines()
    record = json.loads(lines[0])
    assert record["to"] == "lina.berg@ekby.example"
    assert record["subject"] == "Tydligt: 1 nytt sms"
    assert "Det här väntar på dig i Tydligt:\n- 1 nytt sms" in record["body"]
    assert "Tydligt: 1 nytt sms" in caplog.text and "- 1 nytt sms" not in caplog.text
    assert "Saralinnea" not in caplog.text + lines[0]
    assert "lina.berg" not in caplog.text


def test_with_twilio_and_no_smtp_server_alerts_are_off(console_config):
    assert mail.enabled(console_config | {"SMS_TRANSPORT": "console"})
    assert not mail.enabled(console_config | {"SMS_TRANSPORT": "twilio"})
    assert mail.enabled(console_config | {"SMS_TRANSPORT": "twilio", "SMTP_HOST": "smtp.ekby.se"})


def test_the_console_mail_file_is_in_the_instance_folder_by_default(console_config, tmp_path):
    settings = dict(console_config)
    settings.pop("CONSOLE_MAIL_FILE", None)
    application = create_app(settings)
    assert application.config["CONSOLE_MAIL_FILE"] == str(tmp_path / "instance" / "mail.jsonl")
    application.extensions["tydligt.engine"].dispose()


def test_nothing_is_written_while_the_mail_is_not_due(console_config, frozen_clock):
    frozen_clock.move_to(NOW + timedelta(hours=10))  # 20:00: outside working time
    application = create_app(console_config)
    with application.app_context():
        from sqlmodel import Session

        with Session(application.extensions["tydligt.engine"], expire_on_commit=False) as s:
            lina = create_staff(s, create_unit(s, sending_window="08:00-17:00"))
            wants_alerts(s, lina)
            receive_text(s, create_client(s, lina), "Hej", received_at=NOW + timedelta(hours=9))
        assert send_alerts().sent == 0
    application.extensions["tydligt.engine"].dispose()
    assert not Path(console_config["CONSOLE_MAIL_FILE"]).exists()
