"""Today: what needs a case worker's attention now, for the clients they handle."""

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app, render_template
from sqlalchemy import and_, not_
from sqlmodel import col, select

from app import access
from app.admin import bp
from app.admin.access import (
    current_staff,
    is_admin,
    is_manager,
    today,
    visible_clients,
    visible_rows,
)
from app.admin.inbox import undo_offer
from app.admin.words import N_
from app.alerts import operations
from app.db import get_session
from app.models import (
    Appointment,
    AppointmentResponse,
    AppointmentStatus,
    AuditEvent,
    CallbackRequest,
    Checklist,
    ChecklistItem,
    ChecklistStatus,
    Client,
    InboundMessage,
    Intent,
    OutboxMessage,
    OutboxStatus,
    SubjectType,
    saved_id,
    utcnow,
)
from app.sms.floods import FLOOD_ACTION, flood_texts

FAILURES_SHOWN_FOR = timedelta(days=14)
PIN_LOCKS_SHOWN_FOR = timedelta(days=7)
FLOODS_SHOWN_FOR = timedelta(days=7)
# A declined meeting stays on Today until it has begun this long ago.
DECLINED_SHOWN_AFTER_START = timedelta(hours=12)


def _with_clients(query, model) -> list[tuple]:
    """Rows joined to their client, limited to the clients the person handles; messages
    from unknown numbers (no client) are for the unit whose number they reached."""
    staff = current_staff()
    query = query.outerjoin(Client, Client.id == model.client_id).where(
        visible_rows(model, staff, today())
    )
    return list(get_session().exec(query))


def waiting_messages(*, documents: bool) -> list[tuple[InboundMessage, Client | None]]:
    """Texts that need an answer; with documents=True those that came with pictures.
    Complaints and requests are listed on their own (complaints_and_requests)."""
    media = InboundMessage.media != "" if documents else InboundMessage.media == ""
    query = (
        select(InboundMessage, Client)
        .where(
            col(InboundMessage.needs_answer).is_(True),
            col(InboundMessage.handled_at).is_(None),
            col(InboundMessage.for_managers).is_(False),
            media,
            not_(_about_a_declined_meeting()),
        )
        .order_by(col(InboundMessage.received_at))
    )
    return _with_clients(query, InboundMessage)


def _declined_now() -> tuple:
    """The conditions on Appointment of a meeting Today lists as declined: planned, said no
    to, and not begun more than DECLINED_SHOWN_AFTER_START ago."""
    return (
        Appointment.response == AppointmentResponse.DECLINED,
        Appointment.status == AppointmentStatus.PLANNED,
        Appointment.starts_at >= utcnow() - DECLINED_SHOWN_AFTER_START,
    )


def _about_a_declined_meeting():
    """A filter on InboundMessage: a client's NEJ (the task "find a new time" it gave staff)
    while Today lists the meeting as declined, where the text is shown with the meeting, not
    a second time among the texts to answer. Once the meeting has a new time (or is over),
    a NEJ still unhandled is an ordinary text to answer again."""
    declined_clients = select(Appointment.client_id).where(*_declined_now())
    return and_(
        col(InboundMessage.intent) == Intent.NO,
        col(InboundMessage.client_id).is_not(None),
        col(InboundMessage.client_id).in_(declined_clients),
    )


def complaints_and_requests() -> list[tuple[InboundMessage, Client | None]]:
    """For a manager: complaints, and requests for another case worker, waiting for an
    answer, oldest first (for anyone else the access rule finds none)."""
    query = (
        select(InboundMessage, Client)
        .where(
            col(InboundMessage.for_managers).is_(True),
            col(InboundMessage.needs_answer).is_(True),
            col(InboundMessage.handled_at).is_(None),
        )
        .order_by(col(InboundMessage.received_at))
    )
    return _with_clients(query, InboundMessage)


def waiting_callbacks() -> list[tuple[CallbackRequest, Client | None]]:
    """Callback requests nobody has handled, oldest first."""
    query = (
        select(CallbackRequest, Client)
        .where(col(CallbackRequest.handled_at).is_(None))
        .order_by(col(CallbackRequest.created_at))
    )
    return _with_clients(query, CallbackRequest)


def _answered_meetings(*answer) -> list[tuple[Appointment, Client]]:
    """Meetings of the person's clients meeting these conditions, nearest first."""
    query = (
        select(Appointment, Client)
        .join(Client, col(Client.id) == Appointment.client_id)
        .where(*answer, visible_clients(current_staff(), today()))
        .order_by(col(Appointment.starts_at))
    )
    return list(get_session().exec(query))


def declined_appointments() -> list[tuple[Appointment, Client]]:
    """Coming meetings the client said no to: they need a new time or a cancellation."""
    return _answered_meetings(*_declined_now())


def declined_texts(declined: list[tuple[Appointment, Client]]) -> dict[int, list[InboundMessage]]:
    """The texts (NEJ) by which clients declined these meetings and that still wait for a
    person, by meeting id: each text with the meeting of its client whose answer came
    nearest to it in time (a client rarely declines two meetings at once)."""
    clients = {client.id for _meeting, client in declined}
    if not clients:
        return {}
    query = (
        select(InboundMessage, Client)
        .where(
            InboundMessage.intent == Intent.NO,
            col(InboundMessage.needs_answer).is_(True),
            col(InboundMessage.handled_at).is_(None),
            col(InboundMessage.for_managers).is_(False),
            col(InboundMessage.client_id).in_(clients),
        )
        .order_by(col(InboundMessage.received_at))
    )
    texts: dict[int, list[InboundMessage]] = {saved_id(m): [] for m, _client in declined}
    for inbound, _client in _with_clients(query, InboundMessage):
        meetings = [m for m, client in declined if client.id == inbound.client_id]
        nearest = min(
            meetings,
            key=lambda m: abs((m.responded_at or m.updated_at) - inbound.received_at),
        )
        texts[saved_id(nearest)].append(inbound)
    return texts


def changed_to_coming() -> list[tuple[Appointment, Client]]:
    """Coming meetings the client first said no to and then yes: a new time may no longer
    be needed (a declined one after a yes is among the declined)."""
    return _answered_meetings(
        Appointment.response == AppointmentResponse.CONFIRMED,
        Appointment.previous_response == AppointmentResponse.DECLINED,
        Appointment.status == AppointmentStatus.PLANNED,
        Appointment.starts_at >= utcnow() - DECLINED_SHOWN_AFTER_START,
    )


def failed_deliveries() -> list[tuple[OutboxMessage, Client]]:
    """Messages that could not be delivered lately and nobody has looked at."""
    query = (
        select(OutboxMessage, Client)
        .join(Client, col(Client.id) == OutboxMessage.client_id)
        .where(
            col(OutboxMessage.status).in_((OutboxStatus.FAILED, OutboxStatus.UNDELIVERED)),
            col(OutboxMessage.reviewed_at).is_(None),
            col(OutboxMessage.final_at) >= utcnow() - FAILURES_SHOWN_FOR,
            visible_clients(current_staff(), today()),
            access.staff_client_outbox(current_staff(), today()),
        )
        .order_by(col(OutboxMessage.final_at).desc())
    )
    return list(get_session().exec(query))


def locked_pins() -> list[Client]:
    """Clients whose PIN locked lately after wrong tries (someone may be guessing it), the
    latest first, until staff give them a new PIN."""
    query = (
        select(Client)
        .where(
            col(Client.pin_locked_at) >= utcnow() - PIN_LOCKS_SHOWN_FOR,
            visible_clients(current_staff(), today()),
        )
        .order_by(col(Client.pin_locked_at).desc())
    )
    return list(get_session().exec(query))


def sms_floods() -> list[tuple[InboundMessage, Client | None, int]]:
    """Numbers that texted many times quickly, so that their automatic answers were held
    back (app/sms/floods.py): the first held text, its sender and how many texts the flood
    holds so far; shown until that text is handled."""
    query = (
        select(InboundMessage, Client)
        .join(
            AuditEvent,
            and_(
                col(AuditEvent.subject_type) == SubjectType.INBOUND_MESSAGE,
                col(AuditEvent.subject_id) == InboundMessage.id,
            ),
        )
        .where(
            AuditEvent.action == FLOOD_ACTION,
            AuditEvent.at >= utcnow() - FLOODS_SHOWN_FOR,
            col(InboundMessage.handled_at).is_(None),
        )
        .order_by(col(InboundMessage.received_at).desc())
        .distinct()
    )
    session = get_session()
    return [
        (inbound, client, flood_texts(session, inbound))
        for inbound, client in _with_clients(query, InboundMessage)
    ]


def overdue_checklists() -> list[tuple[Checklist, Client]]:
    """Open checklists whose due date has passed with documents still missing, the
    longest overdue first: the client was offered help or more time."""
    missing = select(ChecklistItem.checklist_id).where(col(ChecklistItem.received_at).is_(None))
    query = (
        select(Checklist, Client)
        .join(Client, col(Client.id) == Checklist.client_id)
        .where(
            Checklist.status == ChecklistStatus.OPEN,
            col(Checklist.due_date) < today(),
            col(Checklist.id).in_(missing),
            visible_clients(current_staff(), today()),
        )
        .order_by(col(Checklist.due_date), col(Checklist.id))
    )
    return list(get_session().exec(query))


@dataclass
class Waiting:
    """Everything on a person's Today, each list as the functions above find it."""

    messages: list[tuple[InboundMessage, Client | None]]
    manager: bool
    complaints: list[tuple[InboundMessage, Client | None]]
    documents: list[tuple[InboundMessage, Client | None]]
    callbacks: list[tuple[CallbackRequest, Client | None]]
    declined: list[tuple[Appointment, Client]]
    changed_to_coming: list[tuple[Appointment, Client]]
    failures: list[tuple[OutboxMessage, Client]]
    locked_pins: list[Client]
    floods: list[tuple[InboundMessage, Client | None, int]]
    overdue: list[tuple[Checklist, Client]] = field(default_factory=list)

    def counts(self) -> list[tuple[str, str, int]]:
        """What waits, as (the panel's id on Today, its heading msgid, how many), in Today's
        order; complaints only for a manager, changed answers only when there are some."""
        counts = [("h-messages", N_("Messages to answer"), len(self.messages))]
        if self.manager:
            counts.append(("h-complaints", N_("Complaints and requests"), len(self.complaints)))
        counts += [
            ("h-floods", N_("Many texts in a short time"), len(self.floods)),
            ("h-callbacks", N_("Call back"), len(self.callbacks)),
            ("h-declined", N_("Declined meetings"), len(self.declined)),
        ]
        if self.changed_to_coming:
            counts.append(("h-changed", N_("Changed answers"), len(self.changed_to_coming)))
        return counts + [
            ("h-failures", N_("Could not be delivered"), len(self.failures)),
            ("h-pins", N_("Locked PINs"), len(self.locked_pins)),
            ("h-documents", N_("Documents received"), len(self.documents)),
            ("h-overdue", N_("Documents overdue"), len(self.overdue)),
        ]


def waiting() -> Waiting:
    """What waits for the signed-in person: Today's lists (the week shows their counts)."""
    manager = is_manager()
    return Waiting(
        messages=waiting_messages(documents=False),
        manager=manager,
        complaints=complaints_and_requests() if manager else [],
        documents=waiting_messages(documents=True),
        callbacks=waiting_callbacks(),
        declined=declined_appointments(),
        changed_to_coming=changed_to_coming(),
        failures=failed_deliveries(),
        locked_pins=locked_pins(),
        floods=sms_floods(),
        overdue=overdue_checklists(),
    )


@bp.route("/", endpoint="today")
def today_page():
    """The start page after signing in."""
    found = waiting()
    # Administrators see what operations see: whether messages go out, and why not.
    sending = (
        operations.sending_state(get_session(), current_app.config, unit_id=current_staff().unit_id)
        if is_admin()
        else None
    )
    return render_template(
        "admin/today.html",
        sending=sending,
        undo=undo_offer(),
        messages=found.messages,
        manager=found.manager,
        complaints=found.complaints,
        documents=found.documents,
        callbacks=found.callbacks,
        declined=found.declined,
        declined_texts=declined_texts(found.declined),
        changed_to_coming=found.changed_to_coming,
        failures=found.failures,
        locked_pins=found.locked_pins,
        floods=found.floods,
        overdue=found.overdue,
    )
