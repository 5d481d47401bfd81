"""What every resource module needs: finding a unit's records by the system's id, staff by
e-mail, domain errors as problems with the body's field names, and committing safely."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.api import problems
from app.api.auth import Caller
from app.api.problems import Problem, field_error
from app.api.schemas import SubjectMessage
from app.casework import system_ids
from app.casework.system_ids import Synced
from app.errors import InvalidInput
from app.models import Client, OutboxMessage

NOT_FOUND = "There is no such record for your unit."


def find_or_404(session: Session, caller: Caller, model: type[Synced], source_id: str) -> Synced:
    """The unit's record with the system's id, or a 404 problem."""
    record = system_ids.find(
        session, model, unit_id=caller.unit_id, system=caller.system, source_id=source_id
    )
    if record is None:
        raise Problem(404, NOT_FOUND)
    return record


def find(session: Session, caller: Caller, model: type[Synced], source_id: str) -> Synced | None:
    """The unit's record with the system's id, or None (another unit's records with the same
    id are neither found nor in the way)."""
    return system_ids.find(
        session, model, unit_id=caller.unit_id, system=caller.system, source_id=source_id
    )


def source(caller: Caller, model: type[Synced], source_id: str) -> dict[str, Any]:
    """The columns that mark a new record as the caller's `source_id`, in its unit."""
    return system_ids.source_fields(
        model, unit_id=caller.unit_id, system=caller.system, source_id=source_id
    )


CLOSED = (
    "This client was closed as no longer a client: nothing about them changes any more, "
    "and their records are deleted when the retention periods have run."
)


def refuse_closed(client: Client) -> None:
    """A 409 problem for a write about a client who is no longer a client."""
    if client.closed_at is not None:
        raise problems.Problem(409, CLOSED, type=problems.CONFLICT)


def client_named(session: Session, caller: Caller, source_id: str) -> Client:
    """The client a body names by the system's id (422 when the unit has no such client;
    409 when they are no longer a client: nothing about them is written any more)."""
    client = system_ids.find(
        session, Client, unit_id=caller.unit_id, system=caller.system, source_id=source_id
    )
    if client is None:
        raise problems.invalid(
            [
                field_error(
                    "/client_source_id",
                    "Your unit has no client with this id. Create the client first.",
                )
            ]
        )
    refuse_closed(client)
    return client


def staff_id(session: Session, caller: Caller, email: str | None, path: str) -> int | None:
    """The id of the unit's staff member with this e-mail (422 at `path` when unknown)."""
    if email is None:
        return None
    staff = system_ids.staff_by_email(session, caller.unit_id, email)
    if staff is None:
        raise problems.invalid(
            [field_error(path, "No active staff member of your unit has this e-mail address.")]
        )
    return staff.id


@contextmanager
def writing(session: Session, fields: dict[str, str] | None = None) -> Iterator[None]:
    """Around a write: the domain's InvalidInput becomes a 422 naming the body's fields (the
    domain's field -> the body's path in `fields`), and a unique rule broken by a request at
    the same moment (the same id or phone number) a 409 to retry, never a 500."""
    try:
        yield
    except InvalidInput as exc:
        session.rollback()
        raise problems.from_domain(exc, fields) from None
    except IntegrityError:
        session.rollback()
        raise Problem(
            409,
            "Another request changed the same record at the same moment. Try again.",
            type=problems.CONFLICT,
        ) from None


def unchangeable(differing: list[str], what: str) -> Problem:
    """A 422 for a record the domain cannot change after it is made."""
    detail = f"A {what} cannot be changed once made. Cancel it and send a new one with a new id."
    return problems.invalid([field_error(f"/{name}", detail) for name in differing], detail)


def messages_about(session: Session, subject_type: str, subject_id: int) -> list[SubjectMessage]:
    """Every message planned or sent about a record, earliest first."""
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.subject_type == subject_type, OutboxMessage.subject_id == subject_id)
        .order_by(col(OutboxMessage.due_at), col(OutboxMessage.id))
    )
    return [
        SubjectMessage(
            id=m.id,
            kind=m.kind,
            channel=m.channel,
            recipient="representative" if m.representative_id else "client",
            representative_id=m.representative_id,
            status=m.status,
            due_at=m.due_at,
            sent_at=m.sent_at,
        )
        for m in rows
    ]


def source_id_of(session: Session, model: type, record_id: int | None) -> str | None:
    """A record's source id (for naming the client of a record in answers)."""
    if record_id is None:
        return None
    record = session.get(model, record_id)
    return record.source_id if record else None


def commit(session: Session) -> None:
    """Commit, with the same answers as writing() when that fails."""
    with writing(session):
        session.commit()
