"""Staff sessions kept on the server: a row per signed-in browser, so that signing out, a
password change, a closed account or a reset second factor ends a session even where a
copy of its cookie lives on. The cookie carries a random token; the row keeps its hash.

A session ends when it is signed out, SESSION_IDLE_MINUTES after its last use, and
SESSION_ABSOLUTE_HOURS after signing in however busy the person is."""

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.models import StaffSession, StaffUser

# A page view writes last_seen_at at most this often: idle is counted in minutes anyway.
TOUCH_EVERY = timedelta(minutes=1)


class Ended(StrEnum):
    """Why a session ended (StaffSession.end_reason)."""

    SIGNED_OUT = "signed_out"
    IDLE = "idle"
    EXPIRED = "expired"
    EVERYWHERE = "everywhere"  # password, role or account changed, second factor reset
    REPLACED = "replaced"  # someone signed in again in the same browser


def token_hash(token: str) -> str:
    """What is stored of a browser's token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def start(db: Session, staff: StaffUser, method: str, now: datetime) -> str:
    """A new session row for `staff`; returns the token for the browser's cookie."""
    token = secrets.token_urlsafe(32)
    db.add(
        StaffSession(
            staff_id=staff.id or 0,
            token_hash=token_hash(token),
            method=method[:30],
            started_at=now,
            last_seen_at=now,
        )
    )
    return token


def find(db: Session, token: object) -> StaffSession | None:
    """The row of a cookie's token, ended or not; None for no or an unknown token."""
    if not isinstance(token, str) or not token:
        return None
    return db.exec(select(StaffSession).where(StaffSession.token_hash == token_hash(token))).first()


def ending(row: StaffSession, now: datetime, idle: timedelta, absolute: timedelta) -> Ended | None:
    """Why this session may no longer be used, or None while it may."""
    if row.ended_at is not None:
        known = {reason.value for reason in Ended}
        return Ended(row.end_reason) if row.end_reason in known else Ended.SIGNED_OUT
    if now >= row.started_at + absolute:
        return Ended.EXPIRED
    if now >= row.last_seen_at + idle:
        return Ended.IDLE
    return None


def end(db: Session, row: StaffSession, reason: Ended, now: datetime) -> None:
    """End one session (once: an ended one keeps its first reason)."""
    if row.ended_at is None:
        row.ended_at, row.end_reason = now, reason.value
        db.add(row)


def touch(db: Session, row: StaffSession, now: datetime) -> bool:
    """Note the use of a session; whether anything was written (not on every page view)."""
    if now - row.last_seen_at < TOUCH_EVERY:
        return False
    row.last_seen_at = now
    db.add(row)
    return True


def end_all(
    db: Session, staff_id: int, reason: Ended, now: datetime, keep_id: int | None = None
) -> None:
    """End every open session of one person, except `keep_id` (the browser that asked)."""
    query = update(StaffSession).where(
        col(StaffSession.staff_id) == staff_id, col(StaffSession.ended_at).is_(None)
    )
    if keep_id is not None:
        query = query.where(col(StaffSession.id) != keep_id)
    db.execute(query.values(ended_at=now, end_reason=reason.value))


def open_count(db: Session, staff_id: int) -> int:
    """How many sessions of this person have not been ended (some may have run out)."""
    rows = db.exec(
        select(StaffSession.id).where(
            StaffSession.staff_id == staff_id, col(StaffSession.ended_at).is_(None)
        )
    ).all()
    return len(rows)
