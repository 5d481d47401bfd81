"""PINs that protect decisions and documents on the phone and on the pages: hashed, limited,
logged.

The client row counts every try, whichever channel it came from, and it counts before the
PIN is looked at: one UPDATE takes a try from an unlocked PIN and returns how many have
been taken. That statement also holds the row until the caller commits, and a try beyond
the limit is refused without checking the PIN, so however many guesses arrive at once, at
most MAX_FAILURES are ever checked before the PIN locks. Each lock since the last right
PIN lasts longer (LOCK_TIMES); a new PIN from staff starts again from the first.
"""

from datetime import datetime, timedelta

from sqlalchemy import case, or_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session
from werkzeug.security import check_password_hash

from app import audit
from app.errors import N_, InvalidInput
from app.models import Client
from app.security import hash_secret
from app.sms.digits import normalise_digits

PIN_LENGTH = 4
MAX_FAILURES = 5  # wrong PINs in a row, on any channel, before the PIN locks
TRIES_PER_CALL = 3  # wrong PINs in one phone call before the PIN locks
LOCK_TIMES = (timedelta(hours=1), timedelta(hours=4), timedelta(hours=24))
PHONE, PAGE = "phone", "page"
CHANNELS = {PHONE: "by phone", PAGE: "on the page"}
CLIENT = Client.metadata.tables["client"]  # Client.__table__, as typed code can name it


def set_pin(session: Session, client: Client, pin: str) -> None:
    """Give a client a new four-digit PIN (staff do this with the client). Unlocks it and
    starts the lengthening locks again from the first."""
    pin = normalise_digits(pin).strip()
    if len(pin) != PIN_LENGTH or not pin.isdigit():
        raise InvalidInput({"pin": N_("The PIN must be 4 digits.")})
    client.pin_hash = hash_secret(pin)
    client.pin_failures = 0
    client.pin_call_failures = 0
    client.pin_locks = 0
    client.pin_locked_until = None
    client.pin_locked_at = None
    session.add(client)


def state(client: Client, now: datetime) -> str:
    """Before asking: 'ask', 'none' (no PIN set) or 'locked' (resting after wrong tries)."""
    if not client.pin_hash:
        return "none"
    if client.pin_locked_until and client.pin_locked_until > now:
        return "locked"
    return "ask"


def lock_time(locks: int) -> timedelta:
    """How long the `locks`-th lock in a row (since the last right PIN) lasts."""
    return LOCK_TIMES[min(locks, len(LOCK_TIMES)) - 1]


def check_pin(
    session: Session,
    client: Client,
    typed: str,
    now: datetime,
    *,
    channel: str,
    call_sid: str | None = None,
) -> str:
    """'ok', 'wrong', 'locked' or 'none' (no PIN set) for a PIN typed on `channel` (PHONE or
    PAGE); with `call_sid`, the tries of that call are counted too. The caller commits."""
    where = CHANNELS[channel]
    if not client.pin_hash:
        return "none"
    if not _take_try(session, client, now, call_sid):
        audit.record(
            session,
            "pin_refused",
            actor_type="client",
            client_id=client.id,
            detail=f"PIN not checked {where}: locked",
        )
        return "locked"
    if _over(client, MAX_FAILURES, TRIES_PER_CALL):
        _lock(session, client, now, where)  # tries that came at once, past the limit
        return "locked"
    if check_password_hash(client.pin_hash, normalise_digits(typed).strip()):
        _write(session, client, pin_failures=0, pin_call_failures=0, pin_locks=0)
        return "ok"
    audit.record(
        session,
        "pin_failed",
        actor_type="client",
        client_id=client.id,
        detail=f"wrong PIN {where} ({client.pin_failures} in a row)",
    )
    if _over(client, MAX_FAILURES - 1, TRIES_PER_CALL - 1):
        _lock(session, client, now, where)
        return "locked"
    return "wrong"


def _take_try(session: Session, client: Client, now: datetime, call_sid: str | None) -> bool:
    """Count one try on the row, unless the PIN is locked; False when it is. Reads back the
    row's PIN and counts, which this request now holds until it commits."""
    values: dict[str, object] = {"pin_failures": CLIENT.c.pin_failures + 1}
    if call_sid is not None:
        same_call = CLIENT.c.pin_call_sid == call_sid
        values |= {
            "pin_call_failures": case((same_call, CLIENT.c.pin_call_failures + 1), else_=1),
            "pin_call_sid": call_sid,
        }
    unlocked = or_(CLIENT.c.pin_locked_until.is_(None), CLIENT.c.pin_locked_until <= now)
    statement = (
        update(CLIENT)
        .where(CLIENT.c.id == client.id, unlocked)
        .values(values)
        .returning(
            CLIENT.c.pin_hash,
            CLIENT.c.pin_failures,
            CLIENT.c.pin_call_failures,
            CLIENT.c.pin_locks,
        )
    )
    row = session.execute(statement).one_or_none()
    if row is None:
        return False
    for name, value in row._mapping.items():
        set_committed_value(client, name, value)
    return True


def _over(client: Client, failures: int, call_failures: int) -> bool:
    """Whether the tries taken go past `failures` in a row or `call_failures` in the call.
    (A page try leaves the count of the last call, which is below its limit while the PIN
    is open: reaching the limit locks and starts it again.)"""
    return client.pin_failures > failures or client.pin_call_failures > call_failures


def _lock(session: Session, client: Client, now: datetime, where: str) -> None:
    """Rest the PIN, each lock in a row longer, and start counting tries again after it."""
    locks = client.pin_locks + 1
    length = lock_time(locks)
    _write(
        session,
        client,
        pin_failures=0,
        pin_call_failures=0,
        pin_locks=locks,
        pin_locked_at=now,
        pin_locked_until=now + length,
    )
    audit.record(
        session,
        "pin_locked",
        client_id=client.id,
        detail=f"locked for {length // timedelta(minutes=1)} minutes after wrong PINs "
        f"{where} (lock {locks} in a row)",
    )


def _write(session: Session, client: Client, **values) -> None:
    """Set columns of the row this request already holds (taken by _take_try), and of the
    caller's copy."""
    session.execute(update(CLIENT).where(CLIENT.c.id == client.id).values(values))
    for name, value in values.items():
        set_committed_value(client, name, value)
