"""Staff access on the admin pages: the signed-in person, and the clients they may see by
the one access rule (app/access.py). Every view of a client is audited."""

from datetime import date

from flask import abort, g, request
from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from app import access, audit
from app.admin.forms import MAX_ID
from app.db import get_session
from app.models import CallbackRequest, Client, InboundMessage, StaffRole, StaffUser, utcnow
from app.outbox.planner import local_date


def current_staff() -> StaffUser:
    """The signed-in staff member (the blueprint refuses anonymous requests first)."""
    return g.staff


def is_admin(staff: StaffUser | None = None) -> bool:
    """Whether the person is an administrator."""
    staff = staff or current_staff()
    return staff.role == StaffRole.ADMIN


def visible_clients(staff: StaffUser, today: date, *, closed: bool = False) -> ColumnElement[bool]:
    """A filter on Client: the clients this person may see and act for today (the one
    access rule, app/access.py); with closed=True those no longer clients too (their page,
    the "closed" list and the register extract), never otherwise."""
    if closed:
        return access.staff_clients(staff, today)
    return and_(access.staff_clients(staff, today), access.open_clients())


def is_manager(staff: StaffUser | None = None) -> bool:
    """Whether the person reads the unit's complaints and requests (the access rule)."""
    return access.is_manager(staff or current_staff())


def visible_rows(model, staff: StaffUser, today: date) -> ColumnElement[bool]:
    """A filter on rows joined to their (optional) client: rows about clients this person
    may see, and rows from unknown numbers that reached this person's unit. Texts for the
    managers only to the unit's managers (the access rule, staff_inbound_rows)."""
    # Closed clients' rows leave every list (the rows are joined to their client, so an
    # unknown number's row, with no client, passes open_clients).
    if model is InboundMessage:
        return and_(access.staff_inbound_rows(staff, today), access.open_clients())
    # A callback was promised to the client: it stays until someone has called, closed or
    # not (app/casework/closing.py).
    still_promised = (
        col(model.handled_at).is_(None) if model is CallbackRequest else access.open_clients()
    )
    return or_(
        and_(
            model.client_id.is_not(None),
            access.staff_clients(staff, today),
            or_(access.open_clients(), still_promised),
        ),
        and_(model.client_id.is_(None), access.staff_unit_rows(staff, model.unit_id)),
    )


def row_or_404(model, row_id: int):
    """A text or callback request the signed-in person may see, with its client (None for
    an unknown number), or 404: rows they may not see do not exist for them."""
    row = get_session().get(model, row_id)
    if row is None:
        abort(404)
    if isinstance(row, InboundMessage) and row.for_managers:
        # A manager reads it whoever the client's case worker is; nobody else at all.
        if not access.staff_may_see_inbound(get_session(), current_staff(), row, today()):
            abort(404)
        return row, (_client_for_manager(row.client_id) if row.client_id else None)
    if row.client_id is None:
        if not access.staff_may_see_unknown(current_staff(), row.unit_id):
            abort(404)
        return row, None
    return row, client_or_404(row.client_id, closed=isinstance(row, CallbackRequest))


def _client_for_manager(client_id: int) -> Client:
    """The client of a text for the managers, audited as a view like client_or_404."""
    session = get_session()
    client = session.get_one(Client, client_id)
    _viewed(session, client, " (as manager)")
    return client


def _viewed(session: Session, client: Client, how: str = "") -> None:
    """Write a staff member's view of a client to the audit log."""
    staff = current_staff()
    audit.record(
        session,
        "client_viewed",
        actor_type="staff",
        actor_id=staff.id,
        actor_name=staff.name,
        client_id=client.id,
        detail=f"{request.method} {request.endpoint}{how}",
    )
    session.commit()


def today() -> date:
    """Today in the unit's time zone."""
    return local_date(utcnow())


def client_or_404(
    client_id: int, *, session: Session | None = None, closed: bool = False
) -> Client:
    """A client the signed-in person may see, or 404 (which also hides that it exists);
    one no longer a client only with closed=True. The view is written to the audit log."""
    if client_id > MAX_ID:  # no row has it (and the query would fail on it)
        abort(404)
    session = session or get_session()
    staff = current_staff()
    client = session.exec(
        select(Client).where(Client.id == client_id, visible_clients(staff, today(), closed=closed))
    ).first()
    if client is None:
        abort(404)
    _viewed(session, client)
    return client


def colleagues(session: Session, staff: StaffUser) -> list[StaffUser]:
    """Active staff of the same unit, by name: the people a client can be handed to."""
    return list(
        session.exec(
            select(StaffUser)
            .where(StaffUser.unit_id == staff.unit_id, col(StaffUser.active).is_(True))
            .order_by(StaffUser.name)
        )
    )


def record(action: str, *, client_id: int | None = None, **values) -> None:
    """Audit an action by the signed-in person (the caller commits)."""
    staff = current_staff()
    audit.record(
        get_session(),
        action,
        actor_type="staff",
        actor_id=staff.id,
        actor_name=staff.name,
        client_id=client_id,
        **values,
    )
