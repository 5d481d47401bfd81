"""The Twilio transport: messages.create and calls.create through the twilio library."""

import logging
from datetime import datetime, timedelta

from requests import RequestException
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.rest import Client

from app.phone import mask_phone
from app.transports.base import Accepted, Outgoing, StoredFile, StoredFileGone, TransportError
from app.transports.twilio_stored import FILE_TIMEOUT, FileHttpClient, file_url, resource

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
        self._file_client: Client | None = None

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
        """Messages (or calls) to the number created through the API since `since`, newest
        first. Twilio keeps no id of ours, so the caller takes one not yet known to the
        outbox. Only `outbound-api` ones: an `outbound-reply` is our TwiML answer to a text
        the client sent, an `outbound-dial` a call dialled from another call; neither is
        what a worker handed over."""
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
            and getattr(item, "direction", None) == "outbound-api"
        ]

    @property
    def file_client(self) -> Client:
        """A Twilio client whose answers keep their bytes: for pictures and recordings."""
        if self._file_client is None:
            self._file_client = Client(
                self.account_sid, self.auth_token, http_client=self.http_client or FileHttpClient()
            )
        return self._file_client

    def delete_stored(self, item: str, ref: str) -> None:
        """Delete a message (Twilio deletes its media with it), a call, one media file or
        one recording at Twilio; a 404 means it is gone already."""
        target = resource(self.client, item, ref)
        if target is None:
            log.info("Twilio keeps nothing under this %s reference", item)
            return
        try:
            target.delete()
        except (TwilioRestException, TwilioServiceException) as exc:
            if exc.status == 404:
                log.info("The %s was already gone at Twilio", item)
                return
            raise TransportError(
                f"Twilio HTTP {exc.status} code {exc.code}",
                permanent=is_permanent(exc.code, exc.status),
                code=str(exc.code or exc.status),
            ) from exc
        except (TwilioException, RequestException) as exc:
            raise TransportError(
                f"Twilio unreachable: {type(exc).__name__}", permanent=False
            ) from exc
        log.info("Deleted a %s at Twilio", item)

    def fetch_stored(self, item: str, ref: str) -> StoredFile:
        """Fetch a media file or a recording (as MP3) from Twilio with the account's
        credentials, through the twilio library's HTTP client."""
        url = file_url(item, ref)
        if url is None:
            raise StoredFileGone(item)
        try:
            response = self.file_client.request(
                "GET", url, headers={"Accept": "*/*"}, timeout=FILE_TIMEOUT, allow_redirects=True
            )
        except (TwilioException, RequestException) as exc:
            raise TransportError(
                f"Twilio unreachable: {type(exc).__name__}", permanent=False
            ) from exc
        if response.status_code in (404, 410):
            raise StoredFileGone(item)
        if response.status_code != 200:
            raise TransportError(
                f"Twilio HTTP {response.status_code}",
                permanent=False,
                code=str(response.status_code),
            )
        content = response.content
        headers = {name.lower(): value for name, value in dict(response.headers or {}).items()}
        return StoredFile(
            content=content if isinstance(content, bytes) else content.encode("utf-8"),
            content_type=headers.get("content-type", "application/octet-stream"),
        )
