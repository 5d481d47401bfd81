"""What every Twilio webhook shares: the signature check and the TwiML response.

The URL Twilio signed is rebuilt from PUBLIC_BASE_URL, so the check also holds behind a
proxy that ends TLS (where Flask itself would see http:// and an internal host).
"""

import functools
import logging

from flask import Response, current_app, request
from twilio.request_validator import RequestValidator

from app.config import is_loopback

log = logging.getLogger(__name__)

# Used only on a loopback address, so the phone simulator and local tests can sign
# requests; production refuses to start without a real TWILIO_AUTH_TOKEN when it uses
# Twilio, and without Twilio (46elks only) nothing can be signed.
DEVELOPMENT_AUTH_TOKEN = "development-auth-token"


def auth_token() -> str:
    """The token webhooks are signed with; empty (nothing is signed) when no token is set
    outside a loopback address."""
    token = current_app.config.get("TWILIO_AUTH_TOKEN") or ""
    if not token and is_loopback(current_app.config.get("PUBLIC_BASE_URL") or ""):
        return DEVELOPMENT_AUTH_TOKEN
    return token


def signed_url() -> str:
    """The URL Twilio called, as it signed it: the public address plus path and query."""
    path = request.full_path.rstrip("?") if request.query_string else request.path
    return current_app.config["PUBLIC_BASE_URL"] + path


def sign(url: str, params: dict, token: str) -> str:
    """The X-Twilio-Signature for a request (for the phone simulator and tests)."""
    return RequestValidator(token).compute_signature(url, params)


def is_signed() -> bool:
    """Whether this request carries a valid Twilio signature."""
    signature = request.headers.get("X-Twilio-Signature", "")
    token = auth_token()
    if not signature or not token:
        return False
    return RequestValidator(token).validate(signed_url(), request.form, signature)


def twilio_signed(view):
    """Refuse (403, nothing changed) any request that Twilio did not sign."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        request.form  # noqa: B018 - reads the body first, so an oversized one gets 413
        if not is_signed():
            log.warning("Refused an unsigned or forged request to %s", request.path)
            return Response(
                "Forbidden: missing or invalid X-Twilio-Signature\n", 403, mimetype="text/plain"
            )
        return view(*args, **kwargs)

    return wrapper


def twiml(document) -> Response:
    """A TwiML answer with the content type Twilio expects."""
    return Response(str(document), 200, mimetype="text/xml")


def form_value(name: str, limit: int = 2000) -> str:
    """A form field as text, cut to a sane length; missing fields are empty."""
    return (request.form.get(name) or "")[:limit]
