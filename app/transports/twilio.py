"""The Twilio transport: messages.create and calls.create through the twilio library."""

import logging
from datetime import datetime, timedelta

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
        self.validity_period = int(config.get("SMS_VALIDITY_SECONDS") or 0) or None
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
            # A reminder that waits hours in Twilio's queue is worse than none: it fails
            # (30036) and shows up as a failed delivery for staff instead.
            validity_period=self.validity_period,
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

    def find_sent(self, message_id: int, to: str, channel: str, since: datetime) -> list[str]:
        """Outbound messages (or calls) to the number created since `since`, newest first.
        Twilio keeps no id of ours, so the caller takes one not yet known to the outbox."""
        try:
            if channel == "voice":
                found = self.client.calls.list(to=to, limit=20)
            else:
                found = self.client.messages.list(to=to, limit=20)
        except TwilioException as exc:
            raise TransportError(
                f"Twilio lookup failed: {type(exc).__name__}", permanent=False
            ) from exc
        margin = since - timedelta(minutes=1)  # clocks differ a little
        return [
            item.sid
            for item in found
            if item.date_created is not None
            and item.date_created >= margin
            and (getattr(item, "direction", "") or "").startswith("outbound")
        ]
