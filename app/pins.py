"""PINs that protect decisions and documents on the phone: hashed, limited, logged."""

from datetime import datetime, timedelta

from sqlmodel import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app import audit
from app.digits import normalise_digits
from app.errors import N_, InvalidInput
from app.models import Client

PIN_LENGTH = 4
MAX_FAILURES = 5  # wrong PINs in a row before the PIN is locked
LOCK_TIME = timedelta(hours=1)


def set_pin(session: Session, client: Client, pin: str) -> None:
    """Give a client a new four-digit PIN (staff do this with the client)."""
    pin = normalise_digits(pin or "").strip()
    if len(pin) != PIN_LENGTH or not pin.isdigit():
        raise InvalidInput({"pin": N_("The PIN must be 4 digits.")})
    client.pin_hash = generate_password_hash(pin)
    client.pin_failures = 0
    client.pin_locked_until = None
    session.add(client)


def state(client: Client, now: datetime) -> str:
    """Before asking: 'ask', 'none' (no PIN set) or 'locked' (resting after wrong tries)."""
    if not client.pin_hash:
        return "none"
    if client.pin_locked_until and client.pin_locked_until > now:
        return "locked"
    return "ask"


def lock(session: Session, client: Client, now: datetime) -> None:
    """Rest the PIN for LOCK_TIME (too many wrong tries)."""
    client.pin_locked_until = now + LOCK_TIME
    client.pin_failures = 0
    session.add(client)
    audit.record(
        session,
        "pin_locked",
        actor_type="system",
        client_id=client.id,
        detail=f"locked for {int(LOCK_TIME.total_seconds() // 60)} minutes",
    )


def check_pin(session: Session, client: Client, typed: str, now: datetime) -> str:
    """'ok', 'wrong', 'locked' (too many wrong in a row) or 'none' (no PIN set)."""
    if not client.pin_hash:
        return "none"
    if client.pin_locked_until and client.pin_locked_until > now:
        return "locked"
    if check_password_hash(client.pin_hash, normalise_digits(typed or "").strip()):
        client.pin_failures = 0
        client.pin_locked_until = None
        session.add(client)
        return "ok"
    client.pin_failures += 1
    audit.record(
        session,
        "pin_failed",
        actor_type="client",
        client_id=client.id,
        detail=f"wrong PIN by phone ({client.pin_failures} in a row)",
    )
    if client.pin_failures >= MAX_FAILURES:
        lock(session, client, now)
        return "locked"
    session.add(client)
    return "wrong"
