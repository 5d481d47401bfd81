"""Signed webhook requests, as Twilio sends them."""

from app.twilio_requests import sign

BASE = "https://tydligt.ekby.example"
TOKEN = "test-auth-token"


def post_signed(
    client,
    path: str,
    params: dict,
    *,
    token: str = TOKEN,
    base: str = BASE,
    headers: dict | None = None,
):
    """POST form data with a valid X-Twilio-Signature for BASE + path."""
    signature = sign(base + path, params, token)
    return client.post(
        path, data=params, headers={"X-Twilio-Signature": signature} | (headers or {})
    )
