"""Records kept in step with a connected case-management system: finding them by that
system's own id, and the staff a system names by e-mail address.

A record written by a system carries source_system (the system's name, as on its API
key) and source_id (its own id for the record). A unit sees only its own clients' records.
"""

from sqlmodel import Session, func, select

from app.models import Client, StaffUser


def find(session: Session, model: type, *, unit_id: int, system: str, source_id: str):
    """The unit's record of this kind that the system knows by `source_id`, or None."""
    query = select(model).where(model.source_system == system, model.source_id == source_id)
    if model is Client:
        query = query.where(Client.unit_id == unit_id)
    else:
        query = query.join(Client, Client.id == model.client_id).where(Client.unit_id == unit_id)
    return session.exec(query).first()


def taken_elsewhere(session: Session, model: type, *, system: str, source_id: str) -> bool:
    """Whether a record of this kind with the system's id exists at all (in another unit, when
    find() did not see it). Two units' systems with the same name share one id space."""
    query = select(model.id).where(model.source_system == system, model.source_id == source_id)
    return session.exec(query).first() is not None


def staff_by_email(session: Session, unit_id: int, email: str) -> StaffUser | None:
    """The active staff member of the unit with this e-mail address (any letter case)."""
    return session.exec(
        select(StaffUser).where(
            StaffUser.unit_id == unit_id,
            StaffUser.active.is_(True),
            func.lower(StaffUser.email) == email.strip().lower(),
        )
    ).first()


def email_of(session: Session, staff_id: int | None) -> str | None:
    """The e-mail address of a staff member, as systems name them."""
    if staff_id is None:
        return None
    staff = session.get(StaffUser, staff_id)
    return staff.email if staff else None
