"""Per-key rate limits on the API: each key may make `ApiKey.rate_limit` requests a minute
(3,000 unless an administrator sets another number, as GOV.UK Notify allows).

The count is a fixed window of one calendar minute (UTC), kept in the database so the
limit holds across every web process: one row per key and minute in api_rate_window,
counted up by a single atomic `INSERT … ON CONFLICT DO UPDATE … RETURNING` in its own
short transaction (no lock is held while the request runs). A fixed window lets a key make
up to twice its limit across the turn of a minute; we accept that for one statement per
request instead of two or three for a sliding window.

Only calls with a known, working key are counted; a call over the limit is answered 429
with `Retry-After` before anything else is done (no idempotency record, no audit line).
Every answer to a counted call carries `RateLimit-Limit`, `RateLimit-Remaining` and
`RateLimit-Reset` (seconds until the window turns), as in the IETF draft's first form.
"""

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Response, g
from sqlalchemy import Engine, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from app.api.problems import Problem
from app.db import get_engine
from app.models import ApiKey, ApiRateWindow, utcnow

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=1)
DEFAULT_LIMIT = 3000
MINIMUM = 1
MAXIMUM = 100_000
# Windows are needed only while they run; retention removes the older ones.
KEEP = timedelta(hours=1)
LIMIT_HEADER = "RateLimit-Limit"
REMAINING_HEADER = "RateLimit-Remaining"
RESET_HEADER = "RateLimit-Reset"


@dataclass(frozen=True)
class Usage:
    """A key's count in the current window, including the request being answered."""

    limit: int
    used: int
    reset_seconds: int

    @property
    def allowed(self) -> bool:
        """Whether this request is within the limit."""
        return self.used <= self.limit

    @property
    def remaining(self) -> int:
        """Requests still allowed in this window after this one."""
        return max(self.limit - self.used, 0)

    def headers(self) -> dict[str, str]:
        """The RateLimit headers of the answer."""
        return {
            LIMIT_HEADER: str(self.limit),
            REMAINING_HEADER: str(self.remaining),
            RESET_HEADER: str(self.reset_seconds),
        }


def window_start(now: datetime) -> datetime:
    """The start of the minute `now` falls in."""
    return now.replace(second=0, microsecond=0)


def count(engine: Engine, key_id: int, limit: int, now: datetime) -> Usage:
    """Count one request of the key in the window of `now`, committed at once; returns the
    key's usage with it. One statement, atomic on PostgreSQL and SQLite alike."""
    table = ApiRateWindow.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    start = window_start(now)
    statement = (
        insert(table)
        .values(api_key_id=key_id, window_start=start, requests=1)
        .on_conflict_do_update(
            index_elements=[table.c.api_key_id, table.c.window_start],
            set_={"requests": table.c.requests + 1},
        )
        .returning(table.c.requests)
    )
    with engine.begin() as connection:
        used = connection.execute(statement).scalar_one()
    reset = max(math.ceil((start + WINDOW - now).total_seconds()), 1)
    return Usage(limit=limit, used=used, reset_seconds=reset)


def check(key: ApiKey) -> None:
    """Count a call with a working key; a call over its limit is refused with a 429."""
    usage = count(get_engine(), key.id, key.rate_limit, utcnow())  # type: ignore[arg-type]
    g.api_rate = usage
    if usage.allowed:
        return
    if usage.used == usage.limit + 1:  # once a window, not for every refused call
        log.warning("API key %s (%s) is over its limit of %d a minute", key.id, key.name,
                    key.rate_limit)  # fmt: skip
    raise Problem(
        429,
        f"This key may make {usage.limit} requests a minute. "
        f"Try again in {usage.reset_seconds} seconds.",
        headers={"Retry-After": str(usage.reset_seconds)} | usage.headers(),
    )


def refused() -> bool:
    """Whether this request was refused for going over the key's limit."""
    usage: Usage | None = g.get("api_rate")
    return usage is not None and not usage.allowed


def add_headers(response: Response) -> None:
    """Put the key's RateLimit headers on the answer of a counted call."""
    usage: Usage | None = g.get("api_rate")
    if usage is not None:
        response.headers.update(usage.headers())


def purge_old(session: Session, now: datetime | None = None) -> int:
    """Delete the counts of windows that ended over an hour ago; returns how many (the
    caller commits). Run by retention."""
    cutoff = (now or utcnow()) - KEEP
    result = session.exec(delete(ApiRateWindow).where(col(ApiRateWindow.window_start) < cutoff))
    return max(result.rowcount or 0, 0)
