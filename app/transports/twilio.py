"""The Twilio transport: messages.create and calls.create through the twilio library."""

import logging

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from app.phone import mask_phone
from app.transports import Accepted, Outgoing, TransportError

log = logging.getLogger(__name__)

# Error codes after which the same number will not work: opted out, invalid, landline,
# blocked, unknown handset, unreachable carrier, filtered (see DESIGN.md).
PERMANENT_CODES = frozenset({21610, 21211, 21614, 21635, 30004, 30005, 30006, 30007, 21612, 21408})


def is_permanent(code: int | None, status: int | None) -> bool:
    """Whether a Twilio error means retrying is pointless."""
    if code in PERMANENT_CODES:
        return True
    if status is None:
        return False
    return 400 <= status < 500 and status != 429


class TwilioTransport:
    """Sends SMS with messages.create and reminder calls with calls.create."""

    name = "twilio"

    def __init__(self, config: dict) -> None:
        self.account_sid = config["TWILIO_ACCOUNT_SID"]
        self.auth_token = config["TWILIO_AUTH_TOKEN"]
        self.from_number = config.get("TWILIO_FROM_NUMBER") or None
        self.messaging_service_sid = config.get("TWILIO_MESSAGING_SERVICE_SID") or None
        self.base_url = config["PUBLIC_BASE_URL"]
        self.http_client = config.get("TWILIO_HTTP_CLIENT")
        self._client: Client | None = None

    @property
    def client(self) -> Client:
        """The Twilio client, made on first use (never at import or start-up)."""
        if self._client is None:
            self._client = Client(self.account_sid, self.auth_token, http_client=self.http_client)
        return self._client

    def send(self, outgoing: Outgoing) -> Accepted:
        """Create the message (or call) at Twilio; map its errors to TransportError."""
        try:
            if outgoing.channel == "voice":
                resource = self._call(outgoing)
            else:
                resource = self._message(outgoing)
        except TwilioRestException as exc:
            permanent = is_permanent(exc.code, exc.status)
            log.warning(
                "Twilio refused %s to %s: HTTP %s code %s (%s)",
                outgoing.kind,
                mask_phone(outgoing.to),
                exc.status,
                exc.code,
                "permanent" if permanent else "temporary",
            )
            raise TransportError(
                f"Twilio HTTP {exc.status} code {exc.code}",
                permanent=permanent,
                code=str(exc.code or exc.status),
            ) from exc
        except TwilioException as exc:
            raise TransportError(
                f"Twilio unreachable: {type(exc).__name__}", permanent=False
            ) from exc
        log.info("Twilio accepted %s to %s", outgoing.kind, mask_phone(outgoing.to))
        return Accepted(resource.sid)

    def _sender(self) -> dict:
        if self.messaging_service_sid:
            return {"messaging_service_sid": self.messaging_service_sid}
        return {"from_": self.from_number}

    def _message(self, outgoing: Outgoing):
        return self.client.messages.create(
            to=outgoing.to,
            body=outgoing.body,
            status_callback=f"{self.base_url}/twilio/status",
            **self._sender(),
        )

    def _call(self, outgoing: Outgoing):
        if not outgoing.call_url:
            raise TransportError("A voice message needs a call URL", permanent=True)
        return self.client.calls.create(
            to=outgoing.to,
            from_=self.from_number,
            url=outgoing.call_url,
            status_callback=f"{self.base_url}/twilio/voice/status",
        )
