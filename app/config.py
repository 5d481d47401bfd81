"""Configuration read from the environment, with safe development defaults."""

import ipaddress
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Recognisably unsafe and published: the app refuses to start with them anywhere but on
# a loopback address (app/twilio_requests.py signs with the token when none is set).
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"
DEVELOPMENT_AUTH_TOKEN = "development-auth-token"

ENVIRONMENT_KEYS = (
    "DATABASE_URL",
    "SECRET_KEY",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_FROM_NUMBER",
    "TWILIO_MESSAGING_SERVICE_SID",
    "PUBLIC_BASE_URL",
    "SMS_TRANSPORT",
    "TIMEZONE",
    "CONSOLE_OUTBOX_FILE",
    "REMINDER_OFFSETS",
    "WORKER_INTERVAL_SECONDS",
    "SWEEP_BATCH_SIZE",
    "MORNING_SEND_HOUR",
    "CHECKLIST_REMINDER_DAYS",
    "SUPPORT_ENDING_NOTICE_DAYS",
    "CALLBACK_WORKING_DAYS",
    "CONFIRMATION_DELAY_MINUTES",
    "FEEDBACK_AFTER_MEETINGS",
    "FEEDBACK_MIN_INTERVAL_DAYS",
    "VOICE_PIN_REQUIRED",
    "MESSAGE_LINK_DAYS",
    "OVERVIEW_LINK_DAYS",
    "PICTOGRAM_SET_DIR",
    "SEND_RATE_PER_SECOND",
    "SMS_VALIDITY_SECONDS",
    "CLAIM_TIMEOUT_SECONDS",
    "MESSAGE_RETENTION_DAYS",
    "RECORD_RETENTION_DAYS",
    "AUDIT_RETENTION_DAYS",
    "LOG_LEVEL",
    "PROXY_COUNT",
    "SMS_FLOOD_ANSWERS",
    "SMS_FLOOD_WINDOW_MINUTES",
)


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message says what to set."""


@dataclass(frozen=True)
class ReminderOffset:
    """How long before an appointment a reminder goes out, in local calendar terms."""

    days: int = 0
    hours: int = 0

    @property
    def label(self) -> str:
        """A stable short name, used in outbox dedupe keys (for example '3d' or '2h')."""
        if self.days and not self.hours:
            return f"{self.days}d"
        if self.hours and not self.days:
            return f"{self.hours}h"
        return f"{self.days}d{self.hours}h"


def parse_offsets(text: str) -> tuple[ReminderOffset, ...]:
    """Parse '3d,1d,2h' into reminder offsets, longest first; raise ConfigError if malformed."""
    offsets = []
    for part in (p.strip().lower() for p in text.split(",")):
        if not part:
            continue
        unit, number = part[-1], part[:-1]
        if unit not in "dh" or not number.isdigit() or int(number) == 0:
            raise ConfigError(
                f"REMINDER_OFFSETS: '{part}' is not like '3d' (days) or '2h' (hours)."
            )
        n = int(number)
        offsets.append(ReminderOffset(days=n) if unit == "d" else ReminderOffset(hours=n))
    if not offsets:
        raise ConfigError("REMINDER_OFFSETS: give at least one offset, for example '3d,1d'.")
    unique: dict[int, ReminderOffset] = {}
    for offset in offsets:  # '1d' and '24h' are the same reminder: the first one given wins
        unique.setdefault(offset.days * 24 + offset.hours, offset)
    return tuple(unique[k] for k in sorted(unique, reverse=True))


def parse_day_list(key: str, value: str | tuple[int, ...]) -> tuple[int, ...]:
    """Parse '3,1' into whole days, largest first; raise ConfigError if malformed."""
    if isinstance(value, tuple | list):
        return tuple(sorted({int(v) for v in value}, reverse=True))
    parts = [p.strip() for p in str(value).split(",") if p.strip()]
    if not parts or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise ConfigError(f"{key}: give whole days separated by commas, for example '3,1'.")
    return tuple(sorted({int(p) for p in parts}, reverse=True))


def load_config(instance_path: Path, overrides: dict | None = None) -> dict:
    """Build the Flask config from defaults, the environment and explicit overrides."""
    config: dict = {
        "DATABASE_URL": f"sqlite:///{instance_path / 'tydligt.sqlite3'}",
        "SECRET_KEY": DEVELOPMENT_SECRET_KEY,
        "TWILIO_ACCOUNT_SID": "",
        "TWILIO_AUTH_TOKEN": "",
        "TWILIO_FROM_NUMBER": "",
        "TWILIO_MESSAGING_SERVICE_SID": "",
        "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
        "SMS_TRANSPORT": "console",
        "TIMEZONE": "Europe/Stockholm",
        "CONSOLE_OUTBOX_FILE": str(instance_path / "outbox.jsonl"),
        "REMINDER_OFFSETS": "3d,1d",
        "WORKER_INTERVAL_SECONDS": "5",
        "SWEEP_BATCH_SIZE": "200",
        "MORNING_SEND_HOUR": "9",
        "CHECKLIST_REMINDER_DAYS": "3,1",
        "SUPPORT_ENDING_NOTICE_DAYS": "30",
        "CALLBACK_WORKING_DAYS": "2",
        "CONFIRMATION_DELAY_MINUTES": "10",
        "FEEDBACK_AFTER_MEETINGS": "true",
        "FEEDBACK_MIN_INTERVAL_DAYS": "30",
        "VOICE_PIN_REQUIRED": "false",
        "MESSAGE_LINK_DAYS": "60",
        "OVERVIEW_LINK_DAYS": "30",
        "PICTOGRAM_SET_DIR": "",
        "SEND_RATE_PER_SECOND": "10",
        "SMS_VALIDITY_SECONDS": "14400",
        "CLAIM_TIMEOUT_SECONDS": "600",
        "MESSAGE_RETENTION_DAYS": "90",
        "RECORD_RETENTION_DAYS": "730",
        "AUDIT_RETENTION_DAYS": "1825",
        "LOG_LEVEL": "INFO",
        "PROXY_COUNT": "0",
        # Automatic answers per number per window; then one notice and silence (app/sms/floods.py).
        "SMS_FLOOD_ANSWERS": "6",
        "SMS_FLOOD_WINDOW_MINUTES": "10",
        "MESSAGES_DIR": str(PROJECT_ROOT / "messages"),
        "LOCALES_DIR": str(PROJECT_ROOT / "locales"),
        "PICTOGRAMS_DIR": str(PROJECT_ROOT / "pictograms"),
        "TWILIO_HTTP_CLIENT": None,
        # Webhooks and forms are small; anything larger is refused with 413.
        "MAX_CONTENT_LENGTH": 256 * 1024,
    }
    for key in ENVIRONMENT_KEYS:
        value = os.environ.get(key)
        if value not in (None, ""):
            config[key] = value
    config.update(overrides or {})

    config["SMS_TRANSPORT"] = str(config["SMS_TRANSPORT"]).strip().lower()
    config["PUBLIC_BASE_URL"] = str(config["PUBLIC_BASE_URL"]).rstrip("/")
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    config.setdefault("SESSION_COOKIE_NAME", "tydligt_session")
    # A staff session ends after 8 hours without use (each request renews it).
    config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=8))
    config.setdefault("SESSION_COOKIE_SECURE", is_https(config["PUBLIC_BASE_URL"]))
    config["REMINDER_OFFSETS"] = (
        parse_offsets(config["REMINDER_OFFSETS"])
        if isinstance(config["REMINDER_OFFSETS"], str)
        else tuple(config["REMINDER_OFFSETS"])
    )
    for key in (
        "WORKER_INTERVAL_SECONDS",
        "SWEEP_BATCH_SIZE",
        "MORNING_SEND_HOUR",
        "CALLBACK_WORKING_DAYS",
        "CONFIRMATION_DELAY_MINUTES",
        "FEEDBACK_MIN_INTERVAL_DAYS",
        "MESSAGE_LINK_DAYS",
        "OVERVIEW_LINK_DAYS",
        "SMS_VALIDITY_SECONDS",
        "CLAIM_TIMEOUT_SECONDS",
        "MESSAGE_RETENTION_DAYS",
        "RECORD_RETENTION_DAYS",
        "AUDIT_RETENTION_DAYS",
        "PROXY_COUNT",
        "SMS_FLOOD_ANSWERS",
        "SMS_FLOOD_WINDOW_MINUTES",
    ):
        try:
            config[key] = int(config[key])
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{key} must be a whole number.") from exc
    try:
        config["SEND_RATE_PER_SECOND"] = float(config["SEND_RATE_PER_SECOND"])
    except (TypeError, ValueError) as exc:
        raise ConfigError("SEND_RATE_PER_SECOND must be a number (0: no limit).") from exc
    if not 1 <= config["SMS_VALIDITY_SECONDS"] <= 36000:
        raise ConfigError("SMS_VALIDITY_SECONDS must be 1 to 36000 (Twilio's range).")
    if config["CLAIM_TIMEOUT_SECONDS"] < 1:
        raise ConfigError("CLAIM_TIMEOUT_SECONDS must be at least 1.")
    if not 1 <= config["MESSAGE_RETENTION_DAYS"] <= config["RECORD_RETENTION_DAYS"]:
        raise ConfigError(
            "MESSAGE_RETENTION_DAYS must be at least 1 and at most RECORD_RETENTION_DAYS."
        )
    if config["SMS_FLOOD_ANSWERS"] < 1 or config["SMS_FLOOD_WINDOW_MINUTES"] < 1:
        raise ConfigError("SMS_FLOOD_ANSWERS and SMS_FLOOD_WINDOW_MINUTES must be at least 1.")
    if config["AUDIT_RETENTION_DAYS"] < 1:
        raise ConfigError("AUDIT_RETENTION_DAYS must be at least 1.")
    if not 0 <= config["MORNING_SEND_HOUR"] <= 23:
        raise ConfigError("MORNING_SEND_HOUR must be an hour from 0 to 23.")
    for key in ("CHECKLIST_REMINDER_DAYS", "SUPPORT_ENDING_NOTICE_DAYS"):
        config[key] = parse_day_list(key, config[key])
    for key in ("FEEDBACK_AFTER_MEETINGS", "VOICE_PIN_REQUIRED"):
        config[key] = str(config[key]).strip().lower() in ("1", "true", "yes", "on")
    check_config(config)
    return config


def is_https(url: str) -> bool:
    """Whether an address is https (the scheme in any letter case)."""
    return urlsplit(url or "").scheme.lower() == "https"


def is_loopback(url: str) -> bool:
    """Whether an address reaches only this machine: localhost, 127.0.0.0/8 or ::1."""
    try:
        host = urlsplit(url or "").hostname  # lower case, without brackets or port
    except ValueError:
        return False
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_config(config: dict) -> None:
    """Refuse configurations that would fail at the first send or run unsafely in production.

    The development SECRET_KEY and auth token are published, so anyone could forge a staff
    session or sign webhooks with them: only a loopback address (and the test suite) may
    run with them, whatever the scheme.
    """
    transport = config["SMS_TRANSPORT"]
    if transport not in ("console", "twilio"):
        raise ConfigError("SMS_TRANSPORT must be 'console' or 'twilio'.")
    secret = config.get("SECRET_KEY") or ""
    weak_secret = secret == DEVELOPMENT_SECRET_KEY or len(secret) < 32
    token = config.get("TWILIO_AUTH_TOKEN") or ""
    base = config.get("PUBLIC_BASE_URL") or ""
    if not is_loopback(base) and not config.get("TESTING"):
        problems = []
        if weak_secret:
            problems.append("SECRET_KEY must be a random value of at least 32 characters")
        if not token or token == DEVELOPMENT_AUTH_TOKEN:
            problems.append("TWILIO_AUTH_TOKEN is missing (webhooks would accept anyone)")
        if problems:
            raise ConfigError(
                f"Refusing to start at {base or 'an empty PUBLIC_BASE_URL'} with development "
                "secrets (only a loopback address may): " + "; ".join(problems)
            )
    if transport != "twilio":
        return
    problems = []
    if weak_secret:
        problems.append("SECRET_KEY must be a random value of at least 32 characters")
    if not config.get("TWILIO_ACCOUNT_SID"):
        problems.append("TWILIO_ACCOUNT_SID is missing")
    if not token:
        problems.append("TWILIO_AUTH_TOKEN is missing")
    if not (config.get("TWILIO_FROM_NUMBER") or config.get("TWILIO_MESSAGING_SERVICE_SID")):
        problems.append("set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
    if not is_https(base) or is_loopback(base):
        problems.append("PUBLIC_BASE_URL must be the public https address Twilio calls")
    if problems:
        raise ConfigError("Refusing to start with SMS_TRANSPORT=twilio: " + "; ".join(problems))
