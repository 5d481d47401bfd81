"""The 46elks transport: SMS through 46elks' REST API (a Swedish operator, data in the EU).

Field names as 46elks documents them:
- sending, POST https://api.46elks.com/a1/sms with form fields `from`, `to`, `message`,
  `whendelivered` (the delivery report URL) and `dontlog=message`; basic auth with the API
  username and password; the answer is JSON with `id`, `status`, `parts`, `cost` …
  (https://46elks.com/docs/send-sms, https://46elks.se/guider/skicka-sms);
- `dontlog=message`: 46elks keeps no copy of the text ("Not included in the response if
  dontlog=message is set", https://46elks.hr/docs/show-sms-id);
- the history, GET https://api.46elks.com/a1/sms with `to`, `end` ("Retrieve SMS after
  this date"), `limit`; each item has `id`, `direction` ("outgoing", "outgoing-reply",
  "incoming"), `created` in UTC (https://46elks.com/docs/sms-history);
- delivery reports POST `id`, `status` ("sent", "delivered" or "failed") and `delivered`
  (https://46elks.se/docs/sms-delivery-reports), basic auth as
  https://user:password@host/… in the URL.

46elks documents no way to delete a message, so nothing of an outgoing text is kept there
(dontlog) and delete_stored has nothing to do. Voice stays on Twilio.
"""

import logging
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit, urlunsplit

import requests

from app.phone import mask_phone
from app.transports.base import (
    TIMED_OUT,
    Accepted,
    Outgoing,
    StoredFile,
    StoredFileGone,
    TransportError,
)

log = logging.getLogger(__name__)

API_URL = "https://api.46elks.com/a1/sms"
TIMEOUT = (5, 15)  # seconds to connect, to read: a sweep must not hang on one message
HISTORY_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"  # as 46elks writes `created` (UTC, no zone)


# The account cannot send anything: no credit left (402 Payment Required; "once your
# balance reaches 0, any API call that would result in your account being charged will
# fail", https://46elks.com/faq) or the account or sender blocked (403 Forbidden).
ACCOUNT_REFUSALS = (402, 403)


def is_permanent(status: int) -> bool:
    """Whether an HTTP status from 46elks means this message will never go: a 4xx about
    the message itself (a bad number, a text too long). Credentials refused (401), the
    account refused (402, 403), too many requests (429) and server errors are not the
    message's fault."""
    return 400 <= status < 500 and status not in (401, 408, 429, *ACCOUNT_REFUSALS)


class AccountRefused(TransportError):
    """46elks refuses the account (no credit, blocked): every message waits, the failover
    counts it against 46elks, and operations hear of it ("provider refusing")."""

    @property
    def refusal(self) -> str | None:
        """Always "account"."""
        return "account"


def callback_url(config: dict, route: str) -> str:
    """The URL 46elks calls for `route` ("status" or "sms"): the public address with the
    webhook secret in its path, and basic auth in it where configured (46elks' own format,
    https://user:password@host/…)."""
    base = config["PUBLIC_BASE_URL"]
    url = f"{base}/elks/{route}/{quote(config.get('ELKS_WEBHOOK_SECRET') or '', safe='')}"
    user = config.get("ELKS_CALLBACK_USERNAME") or ""
    password = config.get("ELKS_CALLBACK_PASSWORD") or ""
    if not (user and password):
        return url
    parts = urlsplit(url)
    credentials = f"{quote(user, safe='')}:{quote(password, safe='')}@"
    return urlunsplit(parts._replace(netloc=credentials + parts.netloc))


class ElksTransport:
    """Sends SMS with POST /a1/sms; looks messages up in the SMS history."""

    name = "46elks"

    def __init__(self, config: dict) -> None:
        self.auth = (config["ELKS_API_USERNAME"], config["ELKS_API_PASSWORD"])
        self.sender = config["ELKS_FROM"]
        self.status_url = callback_url(config, "status")
        # Tests give a session whose adapter answers as 46elks would (tests/elks_fake.py).
        self.http: requests.Session = config.get("ELKS_HTTP_SESSION") or requests.Session()

    def send(self, outgoing: Outgoing) -> Accepted:
        """Create the SMS at 46elks; map its errors to TransportError."""
        if outgoing.channel != "sms":
            raise TransportError("46elks sends only SMS here; calls go by Twilio", permanent=True)
        data = {
            "from": self.sender,
            "to": outgoing.to,
            "message": outgoing.body,
            "whendelivered": self.status_url,
            "dontlog": "message",
        }
        response = self._request("POST", data=data)
        try:
            provider_id = str(response.json()["id"])
        except (ValueError, KeyError, TypeError):
            # Taken (2xx) but without an id: it may have gone; not sent again blindly.
            raise TransportError("46elks answered without an id", permanent=True) from None
        log.info("46elks accepted %s to %s", outgoing.kind, mask_phone(outgoing.to))
        return Accepted(provider_id)

    def _request(self, method: str, **kwargs) -> requests.Response:
        try:
            response = self.http.request(method, API_URL, auth=self.auth, timeout=TIMEOUT, **kwargs)
        except requests.Timeout as exc:
            if isinstance(exc, requests.ConnectTimeout):  # never reached 46elks: not sent
                raise TransportError("46elks unreachable: ConnectTimeout", permanent=False) from exc
            raise TransportError(
                f"46elks did not answer in time: {type(exc).__name__}",
                permanent=False,
                code=TIMED_OUT,
            ) from exc
        except requests.RequestException as exc:
            raise TransportError(
                f"46elks unreachable: {type(exc).__name__}", permanent=False
            ) from exc
        if response.status_code >= 300:
            permanent = is_permanent(response.status_code)
            log.warning(
                "46elks refused a %s request: HTTP %s (%s)",
                method,
                response.status_code,
                "permanent" if permanent else "temporary",
            )
            error = AccountRefused if response.status_code in ACCOUNT_REFUSALS else TransportError
            raise error(
                f"46elks HTTP {response.status_code}",
                permanent=permanent,
                code=str(response.status_code),
            )
        return response

    def find_sent(self, message_id: int, to: str, channel: str, since: datetime) -> list[str]:
        """Outgoing SMS to the number since `since`, newest first, from the SMS history.
        Only `outgoing` ones: an `outgoing-reply` is our webhook's answer to a text the
        client sent, not what a worker handed over."""
        if channel != "sms":
            return []
        margin = since - timedelta(minutes=1)  # clocks differ a little
        response = self._request(
            "GET",
            params={"to": to, "end": margin.strftime(HISTORY_FORMAT), "limit": 20},
        )
        try:
            items = response.json()["data"]
        except (ValueError, KeyError, TypeError):
            raise TransportError("46elks history without data", permanent=False) from None
        found = []
        for item in items:
            try:
                created = datetime.strptime(item["created"], HISTORY_FORMAT)
            except (KeyError, TypeError, ValueError):
                continue
            if item.get("direction") == "outgoing" and created >= margin.replace(tzinfo=None):
                found.append(str(item["id"]))
        return found

    def delete_stored(self, item: str, ref: str) -> None:
        """46elks documents no deletion; outgoing texts are sent with dontlog=message, so
        their words are not kept there. Inbound texts stay under 46elks' own retention."""
        log.info("46elks: no deletion offered for a %s (texts are sent with dontlog)", item)

    def fetch_stored(self, item: str, ref: str) -> StoredFile:
        """SMS through 46elks carry no pictures or recordings."""
        raise StoredFileGone(item)
