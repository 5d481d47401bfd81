"""Records kept in step with a connected case-management system: finding them by that
system's own id, and the staff a system names by e-mail address.

A record written by a system carries source_system (the system's name, as on its API
key), source_id (its own id for the record) and the unit whose key wrote it (a client's
unit_id, the source_unit_id of the others). A unit sees and matches only its own records.
"""

from typing import Any, TypeVar

from sqlmodel import Session, col, func, select

from app import access
from app.models import (
    Application,
    Appointment,
    Checklist,
    Client,
    Decision,
    Handover,
    Representative,
    StaffUser,
)

# The records a system writes and finds again by its own id.
Synced = TypeVar(
    "Synced", Application, Appointment, Checklist, Client, Decision, Handover, Representative
)


def find(
    session: Session, model: type[Synced], *, unit_id: int, system: str, source_id: str
) -> Synced | None:
    """The unit's record of this kind that the system knows by `source_id`, or None. Ids
    are the unit's own: another unit's system with the same name has its own ids."""
    query = select(model).where(model.source_system == system, model.source_id == source_id)
    if issubclass(model, Client):
        query = query.where(access.key_clients(unit_id))
    else:
        query = (
            query.join(Client, col(Client.id) == model.client_id)
            .where(model.source_unit_id == unit_id)
            .where(access.key_clients(unit_id))
        )
    return session.exec(query).first()


def source_fields(
    model: type[Synced], *, unit_id: int, system: str, source_id: str
) -> dict[str, Any]:
    """The columns that mark a new record of this kind as the system's `source_id`."""
    fields: dict[str, Any] = {"source_system": system, "source_id": source_id}
    if model is not Client:  # a client's unit is its own unit_id
        fields["source_unit_id"] = unit_id
    return fields


def staff_by_email(session: Session, unit_id: int, email: str) -> StaffUser | None:
    """The active staff member of the unit with this e-mail address (any letter case)."""
    return session.exec(
        select(StaffUser).where(
            StaffUser.unit_id == unit_id,
            col(StaffUser.active).is_(True),
            func.lower(StaffUser.email) == email.strip().lower(),
        )
    ).first()


def email_of(session: Session, staff_id: int | None) -> str | None:
    """The e-mail address of a staff member, as systems name them."""
    if staff_id is None:
        return None
    staff = session.get(StaffUser, staff_id)
    return staff.email if staff else None
