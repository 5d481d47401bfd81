"""46elks' webhooks: POST /elks/sms/<secret> (a text to one of our numbers) and
POST /elks/status/<secret> (a delivery report), with the same contracts as the Twilio routes.

46elks signs nothing; it calls the URL we give it, so the URL carries a long secret (checked
in constant time) and, where configured, basic auth in 46elks' own format
https://user:password@host/… (https://46elks.se/docs/sms-delivery-reports).

- An inbound text (form fields `id`, `from`, `to`, `message`, `direction` "incoming",
  `created`; https://46elks.se/docs/receive-sms) is stored and acted on once by the
  same code as Twilio's (app/sms/webhook.py receive_text); a retry with the same `id`
  changes nothing and gets the first answer. The answer goes back as the response body,
  which 46elks sends to the sender as the reply ("Automatic replies" on that page): the
  same one-answer-per-text rule as TwiML. No answer: 204 and an empty body.
- A delivery report (`id`, `status` "sent", "delivered" or "failed", `delivered`) moves
  the outbox row by the same rules as Twilio's (app/outbox/delivery.py receive_report).
- Odd input gets a clear 4xx, never a 5xx; 46elks retries anything but 200-204 for hours.
"""

import hmac
import logging

from flask import Blueprint, Response, current_app, request

from app.db import get_session
from app.models import utcnow
from app.outbox.delivery import receive_report
from app.sms.webhook import receive_text

bp = Blueprint("elks", __name__)
log = logging.getLogger(__name__)

REPORT_STATUSES = frozenset({"sent", "delivered", "failed"})


def _text(message: str, status: int) -> Response:
    return Response(message + "\n", status, mimetype="text/plain")


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def refusal(secret: str) -> Response | None:
    """A 403 (or 401 asking for basic auth) unless the request carries the configured
    secret and, where configured, the basic auth user and password; None when it may pass."""
    config = current_app.config
    expected = config.get("ELKS_WEBHOOK_SECRET") or ""
    # Both are compared whatever the first says: the answer takes as long either way.
    secret_ok = _same(secret, expected) and bool(expected)
    user, password = config.get("ELKS_CALLBACK_USERNAME"), config.get("ELKS_CALLBACK_PASSWORD")
    auth_ok = True
    if user and password:
        given = request.authorization
        auth_ok = given is not None and _same(given.username or "", user) & _same(
            given.password or "", password
        )
    if not secret_ok:
        log.warning(
            "Refused a 46elks request with a wrong secret to %s", request.path.split("/")[2]
        )
        return _text("Forbidden", 403)
    if not auth_ok:
        response = _text("Unauthorized", 401)
        response.headers["WWW-Authenticate"] = 'Basic realm="46elks"'
        return response
    return None


def _field(name: str, limit: int) -> str:
    return (request.form.get(name) or "").strip()[:limit]


@bp.post("/elks/sms/<secret>")
def inbound_sms(secret: str) -> Response:
    """One text to one of our numbers, through 46elks."""
    refused = refusal(secret)
    if refused is not None:
        return refused
    provider_id = _field("id", 64)
    direction = _field("direction", 20)
    if not provider_id or not _field("from", 40):
        return _text("id and from are required", 400)
    if direction and direction != "incoming":
        return _text("only incoming texts are taken here", 400)
    reply = receive_text(
        provider_id=provider_id,
        from_raw=_field("from", 40),
        to_raw=_field("to", 40),
        body=(request.form.get("message") or "")[:5000],
        media=[],
    )
    if not reply:
        return Response("", 204)
    return Response(reply, 200, mimetype="text/plain")


@bp.post("/elks/status/<secret>")
def status_callback(secret: str) -> Response:
    """46elks' delivery report on one SMS we sent."""
    refused = refusal(secret)
    if refused is not None:
        return refused
    provider_id = _field("id", 64)
    status = _field("status", 30).lower()
    if not provider_id or not status:
        return _text("id and status are required", 400)
    if status not in REPORT_STATUSES:
        return _text("status must be sent, delivered or failed", 400)
    outcome = receive_report(get_session(), "sms", provider_id, status, "", utcnow())
    log.info("46elks delivery report %s: %s", status, outcome)
    return Response("", 204)
