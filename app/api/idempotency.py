"""The Idempotency-Key header on writes: the first answer is kept for 24 hours, and a
retry with the same key and the same request gets it again without doing anything.

A record is written (and committed) before the request runs, so two copies of a request
arriving together cannot both run: the second gets 409 and may retry. Answers that a retry
could change (5xx, 409, 429) are not kept.
"""

import hashlib
import logging
import re
from datetime import datetime, timedelta

from flask import Response, g, request
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.api import problems
from app.api.problems import Problem, field_error
from app.db import get_engine
from app.models import ApiKey, IdempotencyRecord, saved_id, utcnow

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
KEEP = timedelta(hours=24)
# A record still marked as running after this long belongs to a request that died; its
# key may be used again (every write of the API is safe to repeat).
ABANDONED = timedelta(minutes=5)
NOT_KEPT = frozenset({409, 429})
_VALID = re.compile(r"[\x21-\x7e]{1,200}\Z")  # visible ASCII, as HTTP headers are


def fingerprint() -> str:
    """What makes two requests the same: method, path with query, and the exact body."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.full_path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    g.idempotency_replayed = True
    mimetype = problems.MEDIA_TYPE if record.status_code >= 400 else "application/json"
    response = Response(record.response_body or "", record.status_code, mimetype=mimetype)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def begin(key: ApiKey) -> Response | None:
    """Before a write: None to go ahead (the key is now taken), or the stored answer."""
    value = request.headers.get(HEADER)
    if value is None:
        return None
    if not _VALID.match(value):
        raise problems.invalid(
            [field_error(HEADER, "Use 1 to 200 visible ASCII characters.", "header")]
        )
    wanted = fingerprint()
    now = utcnow()
    with Session(get_engine(), expire_on_commit=False) as session:
        record = session.exec(
            select(IdempotencyRecord).where(
                IdempotencyRecord.api_key_id == key.id, IdempotencyRecord.key == value
            )
        ).first()
        if record is not None and (
            record.created_at < now - KEEP
            or (record.status_code == 0 and record.created_at < now - ABANDONED)
        ):
            session.delete(record)
            session.flush()
            record = None
        if record is not None:
            if record.request_hash != wanted:
                raise Problem(
                    422,
                    "This Idempotency-Key was used for another request. Use a new key for "
                    "each new request.",
                    type=problems.IDEMPOTENCY_MISMATCH,
                    errors=[field_error(HEADER, "Already used for another request.", "header")],
                )
            if record.status_code == 0:
                raise _in_progress()
            return _replay(record)
        record = IdempotencyRecord(
            api_key_id=saved_id(key),
            key=value,
            request=f"{request.method} {request.path}"[:300],
            request_hash=wanted,
            created_at=now,
        )
        session.add(record)
        try:
            session.commit()
        except IntegrityError:  # the same key, at the same moment, from a parallel request
            session.rollback()
            raise _in_progress() from None
        g.idempotency_record_id = record.id
    return None


def _in_progress() -> Problem:
    return Problem(
        409,
        "A request with this Idempotency-Key is still running. Try again in a moment.",
        type=problems.IN_PROGRESS,
        headers={"Retry-After": "1"},
    )


def finish(response: Response) -> None:
    """After a write that took a key: keep its answer, or free the key for a retry."""
    record_id = g.pop("idempotency_record_id", None)
    if record_id is None:
        return
    with Session(get_engine()) as session:
        record = session.get(IdempotencyRecord, record_id)
        if record is None:
            return
        if response.status_code >= 500 or response.status_code in NOT_KEPT:
            session.delete(record)
        else:
            record.status_code = response.status_code
            record.response_body = response.get_data(as_text=True)
            session.add(record)
        session.commit()


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Delete answers older than 24 hours; returns how many (the caller commits). Meant
    for the worker's schedule."""
    cutoff = (now or utcnow()) - KEEP
    result = session.exec(
        delete(IdempotencyRecord).where(col(IdempotencyRecord.created_at) < cutoff)
    )
    return result.rowcount or 0
