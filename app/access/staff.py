"""Staff and API keys: the clients a staff member may see and act for today (the current
case worker, a stand-in during an absence, the unit's administrators), and a key's unit."""

from datetime import date

from sqlalchemy import ColumnElement, and_, exists, false, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from app.models import (
    Client,
    Handover,
    HandoverKind,
    StaffRole,
    StaffUser,
)


def _latest_permanent(today: date, client=Client):
    """The staff member of the client's latest permanent handover that has started."""
    handover = aliased(Handover)  # its own: the query around may read handovers too
    return (
        select(handover.to_staff_id)
        .where(
            handover.client_id == client.id,
            handover.kind == HandoverKind.PERMANENT,
            col(handover.cancelled_at).is_(None),
            col(handover.starts_on) <= today,
        )
        .order_by(col(handover.starts_on).desc(), col(handover.id).desc())
        .limit(1)
        .correlate(client)  # only the client comes from outside
        .scalar_subquery()
    )


def current_caseworker(today: date, client=Client):
    """A column expression: the client's case worker today. The latest permanent handover
    that has started decides (the worker writes it to caseworker_id within minutes)."""
    return func.coalesce(_latest_permanent(today, client), client.caseworker_id)


def staff_clients(staff: StaffUser, today: date) -> ColumnElement[bool]:
    """A filter on Client: the clients this staff member may see and act for today.

    Administrators: every client of their unit. Case workers: the clients whose current
    case worker they are, and those they stand in for during an absence that is on today
    (an absence covering the current case worker, not a former one)."""
    if not staff.active:
        return col(Client.id).is_(None)
    in_unit = col(Client.unit_id) == staff.unit_id
    if staff.role == StaffRole.ADMIN:
        return in_unit
    caseworker = current_caseworker(today)
    absence = aliased(Handover)
    covering = (
        exists()
        .where(
            col(absence.client_id) == Client.id,
            col(absence.kind) == HandoverKind.ABSENCE,
            col(absence.to_staff_id) == staff.id,
            col(absence.cancelled_at).is_(None),
            col(absence.starts_on) <= today,
            col(absence.ends_on) >= today,
            or_(col(absence.from_staff_id).is_(None), absence.from_staff_id == caseworker),
        )
        .correlate(Client)
    )
    return and_(in_unit, or_(caseworker == staff.id, covering))


def open_clients() -> ColumnElement[bool]:
    """A filter on Client: those still clients. A client closed as no longer a client
    leaves every list, Today and every form (access.is_client says the same of one)."""
    return col(Client.closed_at).is_(None)


def may_take_register_extract(staff: StaffUser, client: Client) -> bool:
    """Whether this staff member may export everything about the client (a register
    extract): an active administrator of the client's own unit, also once the client is
    closed. Case workers may not: the extract reaches far beyond their own casework."""
    return staff.active and staff.role == StaffRole.ADMIN and staff.unit_id == client.unit_id


def staff_unit_rows(staff: StaffUser, unit_column) -> ColumnElement[bool]:
    """A filter on rows about nobody we know (texts and callbacks from unknown numbers):
    those that reached this staff member's own unit (none for a closed account)."""
    if not staff.active:
        return false()
    return unit_column == staff.unit_id  # a row that reached no known unit is nobody's


def staff_may_see_unknown(staff: StaffUser, unit_id: int | None) -> bool:
    """Whether this staff member may see a text or call from an unknown number that reached
    the unit `unit_id` (rows that reached no known unit are nobody's)."""
    return staff.active and unit_id is not None and unit_id == staff.unit_id


def key_clients(unit_id: int) -> ColumnElement[bool]:
    """A filter on Client: the clients an API key of this unit may read and write."""
    return col(Client.unit_id) == unit_id
