"""Transports hand composed messages to the outside world: console (dev, tests) or Twilio."""

from flask import Flask, current_app

from app.transports.base import (
    THROTTLED_CODES,
    Accepted,
    Outgoing,
    StoredFile,
    StoredFileGone,
    Transport,
    TransportError,
)
from app.transports.email import EmailTransport, WithEmail
from app.transports.paced import PacedTransport

__all__ = [
    "THROTTLED_CODES",
    "Accepted",
    "Outgoing",
    "StoredFile",
    "StoredFileGone",
    "Transport",
    "TransportError",
    "build_transport",
    "get_provider",
    "get_transport",
    "init_app",
]


def _provider(name: str, config: dict) -> Transport:
    """One provider's transport by its SMS_TRANSPORT name."""
    if name == "twilio":
        from app.transports.twilio import TwilioTransport

        return TwilioTransport(config)
    if name == "46elks":
        from app.transports.elks import ElksTransport

        return ElksTransport(config)
    from app.transports.console import ConsoleTransport

    return ConsoleTransport(config["CONSOLE_OUTBOX_FILE"])


def build_transport(config: dict) -> Transport:
    """The transport the configuration names: SMS_TRANSPORT alone, or with
    SMS_FALLBACK_TRANSPORT (or 46elks for SMS and Twilio for calls) behind failover."""
    primary_name = config["SMS_TRANSPORT"]
    fallback_name = config.get("SMS_FALLBACK_TRANSPORT") or ""
    primary = _provider(primary_name, config)
    if primary_name != "46elks" and not fallback_name:
        return primary
    from app.transports.failover import FailoverRules, FailoverTransport

    secondary = _provider(fallback_name, config) if fallback_name else None
    # Calls stay on Twilio: the configured one, or one made for calls when its account is set.
    voice = next((t for t in (primary, secondary) if t and t.name == "twilio"), None)
    if voice is None and config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_FROM_NUMBER"):
        voice = _provider("twilio", config)
    if voice is None and "console" in (primary_name, fallback_name):
        voice = primary if primary_name == "console" else secondary
    return FailoverTransport(primary, secondary, voice, FailoverRules.from_config(config))


def init_app(app: Flask) -> None:
    """Build the configured transport once, paced to SEND_RATE_PER_SECOND, with e-mail
    copies going to the mail server; the Twilio client is made on first send."""
    transport = build_transport(app.config)
    # E-mail copies (app/transports/email.py) go to the mail server, outside the pace.
    app.extensions["tydligt.transport"] = WithEmail(
        PacedTransport(transport, float(app.config["SEND_RATE_PER_SECOND"])),
        EmailTransport(app.config),
    )
    app.extensions["tydligt.provider"] = transport


def get_transport() -> Transport:
    """The current app's transport."""
    return current_app.extensions["tydligt.transport"]


def get_provider() -> Transport:
    """The current app's transport without the send pace: for deleting and fetching what
    the provider keeps, which sends nothing."""
    return current_app.extensions["tydligt.provider"]
