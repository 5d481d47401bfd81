"""Configuration read from the environment, with safe development defaults."""

import ipaddress
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Recognisably unsafe and published: the app refuses to start with them anywhere but on
# a loopback address (app/twilio_requests.py signs with the token when none is set).
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"
DEVELOPMENT_AUTH_TOKEN = "development-auth-token"


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


def _text(key: str, value: Any) -> Any:
    return value


def _lower(key: str, value: Any) -> str:
    return str(value).strip().lower()


def _strip(key: str, value: Any) -> str:
    return str(value).strip()


def _without_slash(key: str, value: Any) -> str:
    return str(value).rstrip("/")


def _whole(key: str, value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{key} must be a whole number.") from exc


def _rate(key: str, value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{key} must be a number (0: no limit).") from exc


def _offsets(key: str, value: Any) -> tuple[ReminderOffset, ...]:
    return parse_offsets(value) if isinstance(value, str) else tuple(value)


def _flag(key: str, value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _strict_flag(key: str, value: Any) -> bool:
    # A typo in a security switch must not quietly turn it off.
    text = str(value).strip().lower()
    if text not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise ConfigError(f"{key} must be true or false.")
    return text in ("1", "true", "yes", "on")


def _words(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, tuple | list):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(part.strip() for part in str(value).split(",") if part.strip())


@dataclass(frozen=True)
class Setting:
    """One setting: its name, its default (a value, or made from the instance folder), how
    its text is read, and what must hold of the value read (`problem` says so when not)."""

    name: str
    default: Any
    parse: Callable[[str, Any], Any] = _text
    check: Callable[[Any], bool] | None = None
    problem: str = ""
    environment: bool = True  # read from the environment (else only set by the app itself)


_RETENTION = "MESSAGE_RETENTION_DAYS must be at least 1 and at most RECORD_RETENTION_DAYS."
_FLOODS = "SMS_FLOOD_ANSWERS and SMS_FLOOD_WINDOW_MINUTES must be at least 1."
_FAILOVER = (
    "FAILOVER_MIN_FAILURES must be at least 1, FAILOVER_FAILURE_PERCENT 1 to 100, and "
    "FAILOVER_WINDOW_SECONDS and FAILOVER_COOLDOWN_SECONDS at least 30."
)

# Every setting, once. README's Configuration table lists the ones read from the environment.
SETTINGS = (
    Setting("DATABASE_URL", lambda instance: f"sqlite:///{instance / 'tydligt.sqlite3'}"),
    Setting("SECRET_KEY", DEVELOPMENT_SECRET_KEY),
    Setting("TWILIO_ACCOUNT_SID", ""),
    Setting("TWILIO_AUTH_TOKEN", ""),
    Setting("TWILIO_FROM_NUMBER", ""),
    Setting("TWILIO_MESSAGING_SERVICE_SID", ""),
    Setting("PUBLIC_BASE_URL", "http://127.0.0.1:5000", _without_slash),
    Setting("SMS_TRANSPORT", "console", _lower),
    # A second SMS provider the sweep moves to while the first fails (app/transports/
    # failover.py; README "Connecting a provider"), and 46elks' account and webhooks.
    Setting("SMS_FALLBACK_TRANSPORT", "", _lower),
    Setting("ELKS_API_USERNAME", ""),
    Setting("ELKS_API_PASSWORD", ""),
    Setting("ELKS_FROM", ""),
    Setting("ELKS_WEBHOOK_SECRET", ""),
    Setting("ELKS_CALLBACK_USERNAME", ""),
    Setting("ELKS_CALLBACK_PASSWORD", ""),
    Setting("FAILOVER_MIN_FAILURES", "5", _whole, lambda count: count >= 1, _FAILOVER),
    Setting("FAILOVER_FAILURE_PERCENT", "50", _whole, lambda share: 1 <= share <= 100, _FAILOVER),
    Setting("FAILOVER_WINDOW_SECONDS", "180", _whole, lambda seconds: seconds >= 30, _FAILOVER),
    Setting("FAILOVER_COOLDOWN_SECONDS", "300", _whole, lambda seconds: seconds >= 30, _FAILOVER),
    Setting("TIMEZONE", "Europe/Stockholm"),
    Setting("CONSOLE_OUTBOX_FILE", lambda instance: str(instance / "outbox.jsonl")),
    Setting("REMINDER_OFFSETS", "3d,1d", _offsets),
    Setting("WORKER_INTERVAL_SECONDS", "5", _whole),
    Setting("SWEEP_BATCH_SIZE", "200", _whole),
    Setting(
        "MORNING_SEND_HOUR",
        "9",
        _whole,
        lambda hour: 0 <= hour <= 23,
        "MORNING_SEND_HOUR must be an hour from 0 to 23.",
    ),
    Setting("CHECKLIST_REMINDER_DAYS", "3,1", parse_day_list),
    Setting("SUPPORT_ENDING_NOTICE_DAYS", "30", parse_day_list),
    Setting("CALLBACK_WORKING_DAYS", "2", _whole),
    Setting("CONFIRMATION_DELAY_MINUTES", "10", _whole),
    Setting("FEEDBACK_AFTER_MEETINGS", "true", _flag),
    Setting("FEEDBACK_MIN_INTERVAL_DAYS", "30", _whole),
    Setting("VOICE_PIN_REQUIRED", "false", _flag),
    Setting("MESSAGE_LINK_DAYS", "60", _whole),
    Setting("OVERVIEW_LINK_DAYS", "30", _whole),
    Setting("PICTOGRAM_SET_DIR", ""),
    Setting("SEND_RATE_PER_SECOND", "10", _rate),
    Setting(
        "SMS_VALIDITY_SECONDS",
        "14400",
        _whole,
        lambda seconds: 1 <= seconds <= 36000,
        "SMS_VALIDITY_SECONDS must be 1 to 36000 (Twilio's range).",
    ),
    Setting(
        "CLAIM_TIMEOUT_SECONDS",
        "600",
        _whole,
        lambda seconds: seconds >= 1,
        "CLAIM_TIMEOUT_SECONDS must be at least 1.",
    ),
    Setting("MESSAGE_RETENTION_DAYS", "90", _whole, lambda days: days >= 1, _RETENTION),
    Setting("RECORD_RETENTION_DAYS", "730", _whole),
    Setting(
        "AUDIT_RETENTION_DAYS",
        "1825",
        _whole,
        lambda days: days >= 1,
        "AUDIT_RETENTION_DAYS must be at least 1.",
    ),
    # E-mail alerts to staff (app/alerts/): off while SMTP_HOST is empty, except that the
    # console transport writes them to CONSOLE_MAIL_FILE and the log instead.
    Setting("SMTP_HOST", "", _strip),
    Setting(
        "SMTP_PORT",
        "587",
        _whole,
        lambda port: 1 <= port <= 65535,
        "SMTP_PORT must be a port number from 1 to 65535.",
    ),
    Setting("SMTP_USERNAME", ""),
    Setting("SMTP_PASSWORD", ""),
    Setting("SMTP_STARTTLS", "true", _strict_flag),
    Setting("MAIL_FROM", "", _strip),
    Setting("CONSOLE_MAIL_FILE", lambda instance: str(instance / "mail.jsonl")),
    # Recorded phrases for the phone, one folder per language (app/voice/recordings.py).
    Setting("RECORDINGS_DIR", lambda instance: str(instance / "recordings")),
    # Staff sessions (app/admin/staff_sessions.py): signed out after this long without use,
    # and after SESSION_ABSOLUTE_HOURS since signing in however busy.
    Setting(
        "SESSION_IDLE_MINUTES",
        "480",
        _whole,
        lambda minutes: minutes >= 1,
        "SESSION_IDLE_MINUTES must be at least 1.",
    ),
    Setting(
        "SESSION_ABSOLUTE_HOURS",
        "12",
        _whole,
        lambda hours: 1 <= hours <= 24 * 7,
        "SESSION_ABSOLUTE_HOURS must be 1 to 168.",
    ),
    # Monitoring (app/metrics.py, app/health.py, app/alerts/operations.py; README "For
    # operations"): /metrics answers only with this bearer token (404 while it is empty).
    Setting(
        "METRICS_TOKEN",
        "",
        _strip,
        lambda token: not token or len(token) >= 24,
        "METRICS_TOKEN must be empty (no /metrics) or a random value of at least 24 characters.",
    ),
    # The worker's own counters (the sweep's) on a port of their own: 0 is off.
    Setting(
        "WORKER_METRICS_PORT",
        "0",
        _whole,
        lambda port: 0 <= port <= 65535,
        "WORKER_METRICS_PORT must be 0 (off) or a port number up to 65535.",
    ),
    Setting("WORKER_METRICS_HOST", "127.0.0.1", _strip),
    Setting(
        "HEALTH_MAX_DUE_AGE_MINUTES",
        "15",
        _whole,
        lambda minutes: minutes >= 1,
        "HEALTH_MAX_DUE_AGE_MINUTES must be at least 1.",
    ),
    Setting(
        "OPS_FAILURE_RATE_PERCENT",
        "20",
        _whole,
        lambda percent: 1 <= percent <= 100,
        "OPS_FAILURE_RATE_PERCENT must be 1 to 100.",
    ),
    Setting(
        "OPS_FAILURE_MIN_MESSAGES",
        "10",
        _whole,
        lambda count: count >= 1,
        "OPS_FAILURE_MIN_MESSAGES must be at least 1.",
    ),
    # Single sign-on with the municipality's identity provider (app/admin/sso.py; README
    # "Single sign-on"): off while OIDC_ISSUER is empty.
    Setting("OIDC_ISSUER", "", _without_slash),
    Setting("OIDC_CLIENT_ID", "", _strip),
    Setting("OIDC_CLIENT_SECRET", ""),
    Setting("OIDC_SCOPES", "openid email profile", _strip),
    Setting("OIDC_EMAIL_CLAIM", "email", _strip),
    Setting("OIDC_MATCH_CLAIM", "", _strip),
    Setting("OIDC_ROLE_CLAIM", "", _strip),
    Setting("OIDC_ADMIN_ROLE_VALUES", "", _words),
    Setting("OIDC_UNIT_CLAIM", "", _strip),
    Setting("OIDC_PASSWORD_SIGN_IN", "true", _strict_flag),
    Setting("OIDC_LOGOUT_AT_PROVIDER", "false", _strict_flag),
    Setting("LOG_LEVEL", "INFO"),
    Setting("PROXY_COUNT", "0", _whole),
    # Automatic answers per number per window; then one notice and silence (app/sms/floods.py).
    Setting("SMS_FLOOD_ANSWERS", "6", _whole, lambda count: count >= 1, _FLOODS),
    Setting("SMS_FLOOD_WINDOW_MINUTES", "10", _whole, lambda minutes: minutes >= 1, _FLOODS),
    # Webhook pushes to connected systems (app/webhooks/; README "Webhooks"): https to
    # public addresses only, unless loopback and private addresses are allowed (tests, dev).
    Setting("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "false", _strict_flag),
    Setting(
        "WEBHOOK_TIMEOUT_SECONDS",
        "5",
        _whole,
        lambda seconds: 1 <= seconds <= 30,
        "WEBHOOK_TIMEOUT_SECONDS must be 1 to 30.",
    ),
    Setting("MESSAGES_DIR", str(PROJECT_ROOT / "messages"), environment=False),
    Setting("LOCALES_DIR", str(PROJECT_ROOT / "locales"), environment=False),
    Setting("PICTOGRAMS_DIR", str(PROJECT_ROOT / "pictograms"), environment=False),
    Setting("TWILIO_HTTP_CLIENT", None, environment=False),
    Setting("ELKS_HTTP_SESSION", None, environment=False),
    # Webhooks and forms are small; anything larger is refused with 413.
    Setting("MAX_CONTENT_LENGTH", 256 * 1024, environment=False),
)
ENVIRONMENT_KEYS = tuple(setting.name for setting in SETTINGS if setting.environment)


def load_config(instance_path: Path, overrides: dict | None = None) -> dict:
    """Build the Flask config from defaults, the environment and explicit overrides: each
    setting read and checked as SETTINGS declares, then the rules across settings."""
    config: dict = {
        setting.name: setting.default(instance_path)
        if callable(setting.default)
        else setting.default
        for setting in SETTINGS
    }
    for key in ENVIRONMENT_KEYS:
        value = os.environ.get(key)
        if value not in (None, ""):
            config[key] = value
    config.update(overrides or {})
    for setting in SETTINGS:
        config[setting.name] = setting.parse(setting.name, config[setting.name])
    for setting in SETTINGS:
        if setting.check is not None and not setting.check(config[setting.name]):
            raise ConfigError(setting.problem)
    if config["MESSAGE_RETENTION_DAYS"] > config["RECORD_RETENTION_DAYS"]:
        raise ConfigError(_RETENTION)
    # How passwords and PINs are hashed (app/security.hash_secret). Not read from the
    # environment: scrypt in every installation; only the test suite passes a fast one.
    config.setdefault("SECRET_HASH_METHOD", "scrypt")
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    config.setdefault("SESSION_COOKIE_NAME", "tydligt_session")
    # The cookie ends with the server's session after SESSION_IDLE_MINUTES without use
    # (each request renews it).
    config.setdefault(
        "PERMANENT_SESSION_LIFETIME", timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    )
    config.setdefault("SESSION_COOKIE_SECURE", is_https(config["PUBLIC_BASE_URL"]))
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


SMS_PROVIDERS = ("console", "twilio", "46elks")


def check_config(config: dict) -> None:
    """Refuse configurations that would fail at the first send or run unsafely in production.

    The development SECRET_KEY and auth token are published, so anyone could forge a staff
    session or sign webhooks with them: only a loopback address (and the test suite) may
    run with them, whatever the scheme.
    """
    transport = config["SMS_TRANSPORT"]
    if transport not in SMS_PROVIDERS:
        raise ConfigError("SMS_TRANSPORT must be 'console', 'twilio' or '46elks'.")
    fallback = config.get("SMS_FALLBACK_TRANSPORT") or ""
    if fallback and (fallback not in SMS_PROVIDERS or fallback == transport):
        raise ConfigError(
            "SMS_FALLBACK_TRANSPORT must be empty, or 'console', 'twilio' or '46elks' and "
            "not the same as SMS_TRANSPORT."
        )
    base = config.get("PUBLIC_BASE_URL") or ""
    if fallback == "console" and transport != "console" and not is_loopback(base):
        # Texts would end in a file while the real provider fails: never outside development.
        raise ConfigError("SMS_FALLBACK_TRANSPORT=console is only for a loopback address.")
    if not is_loopback(base) and not config.get("TESTING"):
        _refuse_development_secrets(config, base)
    if config.get("WEBHOOK_ALLOW_PRIVATE_ADDRESSES") and not is_loopback(base):
        if not config.get("TESTING"):
            # It would let any API key make the worker reach the internal network.
            raise ConfigError(
                "WEBHOOK_ALLOW_PRIVATE_ADDRESSES is only for development on a loopback address."
            )
    if "twilio" in (transport, fallback):
        _check_twilio(config, base)
    if "46elks" in (transport, fallback):
        _check_elks(config, base)
    _check_mail(config)
    _check_single_sign_on(config)


def _weak_secret(config: dict) -> bool:
    secret = config.get("SECRET_KEY") or ""
    return secret == DEVELOPMENT_SECRET_KEY or len(secret) < 32


def _refuse_development_secrets(config: dict, base: str) -> None:
    problems = []
    if _weak_secret(config):
        problems.append("SECRET_KEY must be a random value of at least 32 characters")
    token = config.get("TWILIO_AUTH_TOKEN") or ""
    if token == DEVELOPMENT_AUTH_TOKEN:
        problems.append("TWILIO_AUTH_TOKEN is the published development token")
    elif not token and uses_twilio(config):
        problems.append("TWILIO_AUTH_TOKEN is missing (webhooks would accept anyone)")
    if problems:
        raise ConfigError(
            f"Refusing to start at {base or 'an empty PUBLIC_BASE_URL'} with development "
            "secrets (only a loopback address may): " + "; ".join(problems)
        )


def uses_twilio(config: dict) -> bool:
    """Whether Twilio is in use: as an SMS provider, or for calls (its account and number
    set). A 46elks-only installation needs no Twilio token; its Twilio webhooks then refuse
    every request (app/twilio_requests.py)."""
    providers = (config.get("SMS_TRANSPORT"), config.get("SMS_FALLBACK_TRANSPORT"))
    voice = config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_FROM_NUMBER")
    return "twilio" in providers or bool(voice)


# What 46elks can call back safely: "/" is decoded before routing (every request would be
# 404), "?" and "#" end the path, "+" and "=" need escaping. README says how to make one.
ELKS_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,}")
ELKS_SECRET_MIN_DISTINCT = 8  # "aaaa…" or "abab…" is long but guessable


def elks_secret_problem(secret: str) -> str | None:
    """Why ELKS_WEBHOOK_SECRET cannot be used in the URLs 46elks calls, or None."""
    if not ELKS_SECRET_PATTERN.fullmatch(secret) or len(set(secret)) < ELKS_SECRET_MIN_DISTINCT:
        return (
            "ELKS_WEBHOOK_SECRET must be a random value of at least 32 characters from "
            "A-Z a-z 0-9 _ - (make one with `openssl rand -hex 32`)"
        )
    return None


def _check_twilio(config: dict, base: str) -> None:
    problems = []
    if _weak_secret(config):
        problems.append("SECRET_KEY must be a random value of at least 32 characters")
    if not config.get("TWILIO_ACCOUNT_SID"):
        problems.append("TWILIO_ACCOUNT_SID is missing")
    if not config.get("TWILIO_AUTH_TOKEN"):
        problems.append("TWILIO_AUTH_TOKEN is missing")
    if not (config.get("TWILIO_FROM_NUMBER") or config.get("TWILIO_MESSAGING_SERVICE_SID")):
        problems.append("set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
    if not is_https(base) or is_loopback(base):
        problems.append("PUBLIC_BASE_URL must be the public https address Twilio calls")
    if problems:
        raise ConfigError("Refusing to start with SMS_TRANSPORT=twilio: " + "; ".join(problems))


def _check_elks(config: dict, base: str) -> None:
    """46elks needs its API account, a sender, and a long secret for the URLs it calls
    (both of basic auth's parts, or neither)."""
    problems = []
    if _weak_secret(config):
        problems.append("SECRET_KEY must be a random value of at least 32 characters")
    for key in ("ELKS_API_USERNAME", "ELKS_API_PASSWORD", "ELKS_FROM"):
        if not config.get(key):
            problems.append(f"{key} is missing")
    secret_problem = elks_secret_problem(config.get("ELKS_WEBHOOK_SECRET") or "")
    if secret_problem:
        problems.append(secret_problem)
    if bool(config.get("ELKS_CALLBACK_USERNAME")) != bool(config.get("ELKS_CALLBACK_PASSWORD")):
        problems.append("set both ELKS_CALLBACK_USERNAME and ELKS_CALLBACK_PASSWORD, or neither")
    if not is_https(base) or is_loopback(base):
        problems.append("PUBLIC_BASE_URL must be the public https address 46elks calls")
    if problems:
        raise ConfigError("Refusing to start with 46elks: " + "; ".join(problems))


def _check_mail(config: dict) -> None:
    """Refuse an SMTP configuration that could not send alerts, or would send the password
    in the clear: a sender address, both or neither of username and password, and
    encryption (STARTTLS, or TLS from the start on port 465) before signing in, except on
    a loopback server."""
    host = config.get("SMTP_HOST") or ""
    if not host:
        return
    problems = []
    sender = config.get("MAIL_FROM") or ""
    _name, address = parseaddr(sender)
    if not address or "@" not in address or " " in address:
        problems.append("MAIL_FROM must be the address alerts come from, like tydligt@ekby.se")
    username, password = config.get("SMTP_USERNAME") or "", config.get("SMTP_PASSWORD") or ""
    if bool(username) != bool(password):
        problems.append("set both SMTP_USERNAME and SMTP_PASSWORD, or neither")
    encrypted = config.get("SMTP_STARTTLS", True) or config.get("SMTP_PORT") == 465
    if username and not encrypted and not is_loopback(f"smtp://{host}"):
        problems.append(
            "SMTP_STARTTLS must be true (or SMTP_PORT 465) to sign in: the password would "
            "cross the network unencrypted"
        )
    if problems:
        raise ConfigError("Refusing to start with SMTP_HOST set: " + "; ".join(problems))


def _check_single_sign_on(config: dict) -> None:
    """Refuse a single sign-on configuration that could not sign anyone in, or would trust
    a provider reached without TLS: the issuer over https (http only on loopback), a client
    id and secret, admin values for a role claim, and a way in when passwords are off."""
    issuer = config.get("OIDC_ISSUER") or ""
    if not issuer:
        if not config.get("OIDC_PASSWORD_SIGN_IN", True):
            raise ConfigError(
                "OIDC_PASSWORD_SIGN_IN=false needs OIDC_ISSUER: nobody could sign in at all."
            )
        return
    problems = []
    if not is_https(issuer) and not is_loopback(issuer):
        problems.append("OIDC_ISSUER must be an https address")
    if not config.get("OIDC_CLIENT_ID"):
        problems.append("OIDC_CLIENT_ID is missing")
    if not config.get("OIDC_CLIENT_SECRET"):
        problems.append("OIDC_CLIENT_SECRET is missing")
    if "openid" not in (config.get("OIDC_SCOPES") or "").split():
        problems.append("OIDC_SCOPES must include openid")
    if not config.get("OIDC_EMAIL_CLAIM") and not config.get("OIDC_MATCH_CLAIM"):
        problems.append("set OIDC_EMAIL_CLAIM or OIDC_MATCH_CLAIM: staff are matched by it")
    if config.get("OIDC_ROLE_CLAIM") and not config.get("OIDC_ADMIN_ROLE_VALUES"):
        problems.append(
            "OIDC_ROLE_CLAIM needs OIDC_ADMIN_ROLE_VALUES: the claim's values that make "
            "an administrator"
        )
    if problems:
        raise ConfigError("Refusing to start with OIDC_ISSUER set: " + "; ".join(problems))
