"""Complaints and requests for another case worker: the unit's managers' alone. The
client's case worker, a stand-in and the API never see them (nor that the client asked
how to complain), until a manager passes one on."""

from datetime import date

from sqlalchemy import ColumnElement, and_, exists, not_, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.access.staff import current_caseworker, key_clients, staff_clients, staff_unit_rows
from app.models import (
    Client,
    InboundMessage,
    OutboxMessage,
    StaffMessage,
    StaffRole,
    StaffUser,
    SubjectType,
)


def is_manager(staff: StaffUser) -> bool:
    """Whether this person reads the unit's complaints and requests for another case
    worker: an active administrator, or active staff an administrator named a manager."""
    return staff.active and (staff.role == StaffRole.ADMIN or staff.manager)


def may_see_unit_outcomes(staff: StaffUser, unit_id: int) -> bool:
    """Whether this person sees the unit's outcomes (delivery, confirmation, no-show and
    callback figures by month, language, channel and kind): the unit's managers, who lead
    its work. Not every case worker: a small group (one language, one month) can point at
    one client."""
    return is_manager(staff) and staff.unit_id == unit_id


def _another_manager(staff: StaffUser) -> ColumnElement[bool]:
    """Whether the unit has an active manager besides this person."""
    other = aliased(StaffUser)
    return (
        exists()
        .where(
            col(other.unit_id) == staff.unit_id,
            col(other.id) != staff.id,
            col(other.active).is_(True),
            or_(col(other.role) == StaffRole.ADMIN, col(other.manager).is_(True)),
        )
        .correlate(None)
    )


def _about_themselves(staff: StaffUser, today: date, client_column) -> ColumnElement[bool]:
    """A filter on rows for the managers (by their client column): those about a client
    whose current case worker is this manager, while the unit has another manager. A
    complaint may be about the case worker, so another manager reads it; with no other
    manager, they do (a text is never left for nobody)."""
    client = aliased(Client)
    own = select(client.id).where(current_caseworker(today, client) == staff.id)
    return and_(client_column.is_not(None), client_column.in_(own), _another_manager(staff))


def staff_inbound_rows(staff: StaffUser, today: date) -> ColumnElement[bool]:
    """A filter on InboundMessage (outer-joined to its client): the texts this person may
    see. Ordinary texts as every row (staff_clients, staff_unit_rows); texts for the
    managers only to the managers of the unit they reached, whoever the client's case
    worker is, never to anyone else - not the case worker, not a stand-in - and not to a
    manager who is the client's case worker while the unit has another manager."""
    ordinary = and_(
        col(InboundMessage.for_managers).is_(False),
        or_(
            and_(col(InboundMessage.client_id).is_not(None), staff_clients(staff, today)),
            and_(
                col(InboundMessage.client_id).is_(None),
                staff_unit_rows(staff, InboundMessage.unit_id),
            ),
        ),
    )
    if not is_manager(staff):
        return ordinary
    return or_(
        ordinary,
        and_(
            col(InboundMessage.for_managers).is_(True),
            col(InboundMessage.unit_id) == staff.unit_id,
            not_(_about_themselves(staff, today, InboundMessage.client_id)),
        ),
    )


def staff_may_see_inbound(
    session: Session, staff: StaffUser, inbound: InboundMessage, today: date
) -> bool:
    """Whether this person may open one text: staff_inbound_rows, asked for that row."""
    seen = session.exec(
        select(InboundMessage.id)
        .outerjoin(Client, col(Client.id) == InboundMessage.client_id)
        .where(InboundMessage.id == inbound.id, staff_inbound_rows(staff, today))
    ).first()
    return seen is not None


def _answers_to_managers_texts() -> ColumnElement[bool]:
    """A filter on OutboxMessage: a manager's answer to a text for the managers (it would
    tell whoever reads it that the client complained)."""
    return and_(
        col(OutboxMessage.subject_type) == SubjectType.STAFF_MESSAGE,
        col(OutboxMessage.subject_id).in_(
            select(StaffMessage.id)
            .join(InboundMessage, col(InboundMessage.id) == StaffMessage.in_reply_to_id)
            .where(col(InboundMessage.for_managers).is_(True))
        ),
    )


def staff_client_inbound(staff: StaffUser | None, today: date) -> ColumnElement[bool]:
    """A filter on the texts of a client this person may see (their page, the conversation
    around a text): for a manager, all but the managers' texts about their own clients
    (as staff_inbound_rows); for anyone else (or nobody named), not the managers' texts."""
    for_managers = col(InboundMessage.for_managers).is_(True)
    if staff is not None and is_manager(staff):
        return not_(and_(for_managers, _about_themselves(staff, today, InboundMessage.client_id)))
    return not_(for_managers)


def staff_client_outbox(staff: StaffUser | None, today: date) -> ColumnElement[bool]:
    """A filter on the messages to a client this person may see: for a manager, all but
    the answers to the managers' texts about their own clients; for anyone else (or nobody
    named), not the managers' answers to complaints and requests."""
    if staff is not None and is_manager(staff):
        return not_(
            and_(
                _answers_to_managers_texts(),
                _about_themselves(staff, today, OutboxMessage.client_id),
            )
        )
    return not_(_answers_to_managers_texts())


def key_inbound_rows(unit_id: int) -> ColumnElement[bool]:
    """A filter on InboundMessage joined to Client: the texts an API key may read. Never
    the managers' texts: an integration feeds the case system, which case workers read."""
    return and_(key_clients(unit_id), col(InboundMessage.for_managers).is_(False))


def key_outbox_rows(unit_id: int) -> ColumnElement[bool]:
    """A filter on OutboxMessage joined to Client: the messages an API key may read, not
    the managers' answers to complaints and requests."""
    return and_(key_clients(unit_id), ~_answers_to_managers_texts())
