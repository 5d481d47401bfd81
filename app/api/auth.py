"""Who is calling: the API key in `Authorization: Bearer <key>`, its scopes, and the audit
of every call under the key's name."""

import logging
from dataclasses import dataclass

from flask import Response, g, request
from sqlmodel import Session

from app import audit
from app.api import idempotency, keys, rate_limits
from app.api.operations import WRITE_METHODS, bp, operation_for
from app.api.problems import Problem
from app.db import get_engine, get_session
from app.models import ApiKey, utcnow

log = logging.getLogger(__name__)

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="tydligt"'}
JSON_TYPES = ("application/json",)
REQUEST_STATE = (
    "api_key",
    "api_about",
    "api_rate",
    "idempotency_record_id",
    "idempotency_replayed",
)


@dataclass(frozen=True)
class Caller:
    """Who writes: a connected system through its key, or the import command. Records it
    writes carry `system` as source_system; the audit log names `actor_name`."""

    unit_id: int
    system: str
    actor_type: str = "api"
    actor_name: str = ""
    actor_id: int | None = None

    def record(self, session: Session, action: str, **values) -> None:
        """Audit one change (the caller commits with it)."""
        audit.record(
            session,
            action,
            actor_type=self.actor_type,
            actor_id=self.actor_id,
            actor_name=self.actor_name or self.system,
            **values,
        )


def caller() -> Caller:
    """The calling system, from the request's key."""
    key: ApiKey = g.api_key
    return Caller(unit_id=key.unit_id, system=key.name, actor_name=key.name, actor_id=key.id)


def about(client_id: int | None = None, subject_type: str | None = None, subject_id=None) -> None:
    """Name the client and record a call was about, for its line in the audit log."""
    g.api_about = {"client_id": client_id, "subject_type": subject_type, "subject_id": subject_id}


def _secret() -> str:
    scheme, _, secret = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Problem(401, headers=CHALLENGE)
    return secret.strip()


def _is_json(mimetype: str) -> bool:
    return mimetype in JSON_TYPES or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    )


@bp.before_request
def authenticate() -> Response | None:
    """Every call but the OpenAPI document needs a working key with the scope it asks for.
    A write with an Idempotency-Key that was answered before gets that answer again."""
    for name in REQUEST_STATE:  # g outlives a request where an app context is shared (tests)
        g.pop(name, None)
    op = operation_for(request.endpoint)
    if op is None or op.scope is None:
        return None
    if request.method == "OPTIONS":
        # Flask answers with the allowed methods and runs no view: not the write it names,
        # so none of its checks, and its Idempotency-Key stays for the write itself.
        return None
    key = keys.find(get_session(), _secret())
    if key is None:
        log.warning("API call with an unknown key to %s %s", request.method, request.path)
        raise Problem(401, "This API key is not known.", headers=CHALLENGE)
    g.api_key = key
    if key.revoked_at is not None:
        raise Problem(401, "This API key has been revoked.", headers=CHALLENGE)
    # Counted before anything else is done: a call over the limit does no work at all.
    rate_limits.check(key)
    if not key.allows(op.scope):
        raise Problem(403, f"This key may not {op.scope}. Ask for a key that may.")
    if op.body is not None and not _is_json(request.mimetype):
        raise Problem(415)
    if op.writes and request.method in WRITE_METHODS:
        return idempotency.begin(key)
    return None


def _audit_call(response: Response) -> None:
    key: ApiKey | None = g.get("api_key")
    if key is None:
        return
    about_call = g.get("api_about") or {}
    detail = f"{request.method} {request.path} {response.status_code}"
    if g.get("idempotency_replayed"):
        detail += " (replayed)"
    # Its own session: the request's may have been rolled back, and the call is audited
    # whatever became of it.
    with Session(get_engine(), expire_on_commit=False) as session:
        audit.record(
            session,
            "api_call",
            actor_type="api",
            actor_id=key.id,
            actor_name=key.name,
            detail=detail,
            **about_call,
        )
        stored = session.get(ApiKey, key.id)
        if stored is not None:
            stored.last_used_at = utcnow()
            session.add(stored)
        session.commit()


@bp.after_request
def finish(response: Response) -> Response:
    """Keep the answer for retries, audit the call, say it must not be cached, and give
    the key's rate limit."""
    try:
        idempotency.finish(response)
        if not rate_limits.refused():  # a refused call writes nothing, not even its audit
            _audit_call(response)
    except Exception:
        # The answer stands (its change is committed); the failure is for the operators.
        log.exception("Could not record API call %s %s", request.method, request.path)
    response.headers.setdefault("Cache-Control", "no-store")
    rate_limits.add_headers(response)
    return response
