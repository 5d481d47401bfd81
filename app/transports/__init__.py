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


def build_transport(config: dict) -> Transport:
    """The transport the configuration names."""
    if config["SMS_TRANSPORT"] == "twilio":
        from app.transports.twilio import TwilioTransport

        return TwilioTransport(config)
    from app.transports.console import ConsoleTransport

    return ConsoleTransport(config["CONSOLE_OUTBOX_FILE"])


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
