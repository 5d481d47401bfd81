"""Transports hand composed messages to the outside world: console (dev, tests) or Twilio."""

from dataclasses import dataclass
from typing import Protocol

from flask import Flask, current_app


@dataclass(frozen=True)
class Outgoing:
    """What a transport needs: where to, on which channel, what kind, and the text."""

    message_id: int
    to: str
    channel: str  # "sms" or "voice"
    kind: str
    body: str
    language: str
    encoding: str
    segments: int
    call_url: str | None = None  # for voice: where Twilio fetches the call's TwiML


@dataclass(frozen=True)
class Accepted:
    """The provider took the message; provider_id is its id (Twilio's SID)."""

    provider_id: str


class TransportError(RuntimeError):
    """The provider refused or could not be reached. permanent=True: do not retry."""

    def __init__(self, message: str, *, permanent: bool, code: str | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code


class Transport(Protocol):
    """Sends one message; raises TransportError when it cannot."""

    name: str

    def send(self, outgoing: Outgoing) -> Accepted:
        """Hand one message over."""
        ...


def build_transport(config: dict) -> Transport:
    """The transport the configuration names."""
    if config["SMS_TRANSPORT"] == "twilio":
        from app.transports.twilio import TwilioTransport

        return TwilioTransport(config)
    from app.transports.console import ConsoleTransport

    return ConsoleTransport(config["CONSOLE_OUTBOX_FILE"])


def init_app(app: Flask) -> None:
    """Build the configured transport once; the Twilio client is made on first send."""
    app.extensions["tydligt.transport"] = build_transport(app.config)


def get_transport() -> Transport:
    """The current app's transport."""
    return current_app.extensions["tydligt.transport"]
