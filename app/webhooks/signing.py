"""Signing deliveries as the Standard Webhooks specification asks (standardwebhooks.com):
`webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256>` over
"{id}.{timestamp}.{body}", with a secret given out once as `whsec_<base64>`."""

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from app.models import WebhookSubscription

PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh signing secret, `whsec_` and 32 random bytes in base64."""
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """One `v1,<base64>` signature of a body with a `whsec_` secret."""
    key = base64.b64decode(secret.removeprefix(PREFIX))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(
    subscription: WebhookSubscription, message_id: str, now: datetime, body: str
) -> dict[str, str]:
    """The headers of one delivery. While a rotated secret is still honoured, the body is
    signed with both, space-separated, so the receiver may switch when it likes."""
    timestamp = int(now.timestamp())
    signatures = [signature(subscription.secret, message_id, timestamp, body)]
    until = subscription.previous_secret_until
    if subscription.previous_secret and until is not None and now < until:
        signatures.append(signature(subscription.previous_secret, message_id, timestamp, body))
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signatures),
        "Content-Type": "application/json",
    }
