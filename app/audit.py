"""The audit log: who did what to whose record, and when. Never message bodies or numbers."""

from sqlmodel import Session

from app.models import AuditEvent, utcnow


def record(
    session: Session,
    action: str,
    *,
    actor_type: str = "system",
    actor_id: int | None = None,
    actor_name: str = "",
    client_id: int | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
    detail: str = "",
) -> AuditEvent:
    """Add one event to the session (the caller commits with its own change)."""
    event = AuditEvent(
        at=utcnow(),
        actor_type=actor_type,
        actor_id=actor_id,
        actor_name=actor_name,
        action=action,
        client_id=client_id,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=detail[:500],
    )
    session.add(event)
    return event
