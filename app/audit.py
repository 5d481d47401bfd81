"""The audit log: who did what to whose record, and when. Never message bodies or numbers."""

from sqlalchemy import insert
from sqlmodel import Session

from app.models import AuditEvent, Representative, utcnow


def entry(
    action: str,
    *,
    actor_type: str = "system",
    actor_id: int | None = None,
    actor_name: str = "",
    client_id: int | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
    detail: str = "",
) -> dict:
    """One event's columns."""
    return {
        "at": utcnow(),
        "actor_type": actor_type,
        "actor_id": actor_id,
        "actor_name": actor_name,
        "action": action,
        "client_id": client_id,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "detail": detail[:500],
    }


def sender_actor(representative: Representative | None) -> dict:
    """Who acted on the client's side: the client, or one of their representatives (by id;
    the audit log holds no names of theirs)."""
    if representative is None:
        return {"actor_type": "client"}
    return {"actor_type": "representative", "actor_id": representative.id}


def record(session: Session, action: str, **details) -> AuditEvent:
    """Add one event to the session (the caller commits with its own change)."""
    event = AuditEvent(**entry(action, **details))
    session.add(event)
    return event


def record_all(session: Session, entries: list[dict]) -> None:
    """Write many events in one statement (the sweep's, a batch at a time); the caller
    commits with its own change."""
    if entries:
        session.execute(insert(AuditEvent), entries)
