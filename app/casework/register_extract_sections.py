"""The sections of a register extract (app/casework/register_extract.py): one reader per
kind of record about a client, each giving rows of plain values with people by role and
name (`People`), never an internal id."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.casework import closing
from app.models import (
    ApiKey,
    Application,
    Appointment,
    AuditEvent,
    CallbackRequest,
    CallStep,
    Checklist,
    ChecklistItem,
    Client,
    Decision,
    Handover,
    InboundMessage,
    LinkToken,
    OutboxMessage,
    Representative,
    StaffMessage,
    StaffUser,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)


@dataclass(frozen=True)
class Person:
    """Someone named in the extract: a role key (the client, a representative's role, a
    staff role, a system) and a name."""

    role: str
    name: str = ""

    def as_json(self) -> dict[str, str]:
        """The person as the JSON file shows them."""
        return {"role": self.role, "name": self.name}


CLIENT = Person("client")
SYSTEM = Person("system", "Tydligt")
UNKNOWN_STAFF = Person("staff")


class People:
    """Staff and representatives by id, named by role and name."""

    def __init__(self, session: Session, client: Client) -> None:
        self.session = session
        self.staff = {
            s.id: Person(s.role, s.name)
            for s in session.exec(select(StaffUser).where(StaffUser.unit_id == client.unit_id))
        }
        found = session.exec(select(Representative).where(Representative.client_id == client.id))
        self.representatives: dict[int | None, Person] = {}
        self.languages: dict[int | None, str] = {None: client.language}
        for r in found:
            self.representatives[r.id] = Person(r.role, r.name)
            self.languages[r.id] = r.language

    def staff_member(self, staff_id: int | None) -> Person | None:
        """A staff member by role and name (None for nobody)."""
        if staff_id is None:
            return None
        if staff_id not in self.staff:
            # Someone who has since moved to another unit is still named as they were.
            found = self.session.get(StaffUser, staff_id)
            self.staff[staff_id] = Person(found.role, found.name) if found else UNKNOWN_STAFF
        return self.staff[staff_id]

    def reader(self, representative_id: int | None) -> Person:
        """Whom a message went to or came from: the client, or one of their representatives."""
        if representative_id is None:
            return CLIENT
        return self.representatives.get(representative_id, Person("representative"))

    def language(self, representative_id: int | None) -> str:
        """The language of the client, or of one of their representatives (by id)."""
        return self.languages.get(representative_id, self.languages[None])

    def actor(self, event: AuditEvent) -> Person:
        """Who did what an audit event records."""
        if event.actor_type == "staff":
            return self.staff_member(event.actor_id) or UNKNOWN_STAFF
        if event.actor_type == "api":
            return Person("system", event.actor_name)
        if event.actor_type == "representative":
            return self.representatives.get(event.actor_id, Person("representative"))
        if event.actor_type == "client":
            return CLIENT
        return SYSTEM


Rows = list[dict[str, Any]]
Reader = Callable[[Session, Client, People], Rows]


def _by_client(session: Session, model, client: Client, order) -> list:
    return list(session.exec(select(model).where(model.client_id == client.id).order_by(order)))


def _theirs(session: Session, model, client: Client, order) -> list:
    """Rows of the client's, and (once closed) what came from their number afterwards,
    stored as a stranger's (app/casework/closing.py)."""
    mine = or_(model.client_id == client.id, closing.from_their_number(session, client, model))
    return list(session.exec(select(model).where(mine).order_by(order)))


def representatives(session: Session, client: Client, people: People) -> Rows:
    """The client's representatives, what they get copies of, and when they came and went."""
    permissions = ("appointments", "documents", "decisions", "handovers")
    return [
        {
            "person": people.reader(r.id),
            "phone": r.phone,
            "language": r.language,
            "gets_copies_of": [p for p in permissions if getattr(r, f"copy_{p}")],
            "added_at": r.created_at,
            "opted_out_at": r.opted_out_at,
            "removed_at": r.removed_at,
        }
        for r in _by_client(session, Representative, client, col(Representative.id))
    ]


def meetings(session: Session, client: Client, people: People) -> Rows:
    """Every meeting, with the client's answer and what happened."""
    return [
        {
            "starts_at": a.starts_at,
            "minutes": a.duration_minutes,
            "mode": a.mode,
            "location": a.location,
            "purpose": a.purpose,
            "bring": a.bring_keys,
            "with": people.staff_member(a.staff_id),
            "status": a.status,
            "answer": a.response,
            "answered_at": a.responded_at,
            "attendance": a.attendance,
        }
        for a in _by_client(session, Appointment, client, col(Appointment.starts_at))
    ]


def checklists(session: Session, client: Client, people: People) -> Rows:
    """Every list of documents to hand in, document by document."""
    rows = []
    for c in _by_client(session, Checklist, client, col(Checklist.due_date)):
        items = session.exec(
            select(ChecklistItem)
            .where(ChecklistItem.checklist_id == c.id)
            .order_by(col(ChecklistItem.position), col(ChecklistItem.id))
        )
        documents = [
            {
                "document": i.document_type,
                "received_at": i.received_at,
                "sent_back_because": i.problem,
            }
            for i in items
        ]
        rows.append(
            {
                "application_type": c.application_type,
                "due_date": c.due_date,
                "status": c.status,
                "by": people.staff_member(c.staff_id),
                "documents": documents,
            }
        )
    return rows


def decisions(session: Session, client: Client, people: People) -> Rows:
    """Every decision on a service."""
    return [
        {
            "service": d.service,
            "outcome": d.outcome,
            "status": d.status,
            "amount": d.scope_amount,
            "amount_unit": d.scope_unit,
            "valid_from": d.valid_from,
            "valid_to": d.valid_to,
            "reasons": [r for r in d.reasons.split(",") if r],
            "decided_on": d.decided_on,
            "by": people.staff_member(d.staff_id),
        }
        for d in _by_client(session, Decision, client, col(Decision.id))
    ]


def applications(session: Session, client: Client, people: People) -> Rows:
    """Every application, and where it stands."""
    return [
        {
            "service": a.service,
            "received_on": a.received_on,
            "step": a.step,
            "step_changed_at": a.step_changed_at,
            "decision_expected_on": a.decision_expected_on,
            "start_expected_on": a.start_expected_on,
            "started_on": a.started_on,
            "by": people.staff_member(a.staff_id),
        }
        for a in _by_client(session, Application, client, col(Application.id))
    ]


def handovers(session: Session, client: Client, people: People) -> Rows:
    """Every handover: the former and the new case worker, by role and name."""
    return [
        {
            "kind": h.kind,
            "from": people.staff_member(h.from_staff_id),
            "to": people.staff_member(h.to_staff_id),
            "starts_on": h.starts_on,
            "ends_on": h.ends_on,
            "cancelled_at": h.cancelled_at,
        }
        for h in _by_client(session, Handover, client, col(Handover.starts_on))
    ]


def messages_sent(session: Session, client: Client, people: People) -> Rows:
    """Every message to the client or a representative, with its words while kept."""
    return [
        {
            "kind": m.kind,
            "channel": m.channel,
            "to": people.reader(m.representative_id),
            "planned_for": m.due_at,
            "sent_at": m.sent_at,
            "status": m.status,
            "words": m.body,
            "language": m.language or people.language(m.representative_id),
            "words_deleted": m.body is None and m.sent_at is not None,
        }
        for m in _by_client(session, OutboxMessage, client, col(OutboxMessage.due_at))
        if m.part is None or m.part == 1  # a long text's later parts add nothing new
    ]


def messages_received(session: Session, client: Client, people: People) -> Rows:
    """Every text from the client or a representative, with its words while kept."""
    return [
        {
            "from": people.reader(m.representative_id),
            "received_at": m.received_at,
            "words": m.body,
            "language": people.language(m.representative_id),
            "words_deleted": m.body is None,
            "pictures": len([url for url in m.media.splitlines() if url.strip()]),
            "read_as": m.intent,
            "automatic_reply": m.reply,
            "handled_at": m.handled_at,
            "handled_by": people.staff_member(m.handled_by_id),
        }
        for m in _theirs(session, InboundMessage, client, col(InboundMessage.received_at))
    ]


def staff_messages(session: Session, client: Client, people: People) -> Rows:
    """Every message staff wrote (or chose as a ready answer) to the client."""
    return [
        {
            "by": people.staff_member(m.staff_id),
            "at": m.created_at,
            "words": m.text,
            "language": people.language(None),
            "ready_answer": m.answer,
            "words_deleted": m.text is None and m.answer is None,
        }
        for m in _by_client(session, StaffMessage, client, col(StaffMessage.created_at))
    ]


def callbacks(session: Session, client: Client, people: People) -> Rows:
    """Every request to be called back, and whether it was."""
    return [
        {
            "asked_at": c.created_at,
            "how": c.source,
            "language": c.language,
            "interpreter": c.interpreter_needed,
            "recording_kept": c.recording_url is not None,
            "handled_at": c.handled_at,
            "handled_by": people.staff_member(c.handled_by_id),
        }
        for c in _theirs(session, CallbackRequest, client, col(CallbackRequest.created_at))
    ]


def call_steps(session: Session, client: Client, _people: People) -> Rows:
    """The steps of the client's calls to the phone menu still kept."""
    return [
        {"at": s.created_at, "screen": s.screen, "language": s.language}
        for s in _by_client(session, CallStep, client, col(CallStep.created_at))
    ]


def pages(session: Session, client: Client, people: People) -> Rows:
    """Every page link given out, to the client or a representative."""
    return [
        {
            "to": people.reader(link.representative_id),
            "what": link.purpose,
            "given_at": link.created_at,
            "works_until": link.expires_at,
            "stopped_at": link.revoked_at,
        }
        for link in _by_client(session, LinkToken, client, col(LinkToken.created_at))
    ]


def sent_to_systems(session: Session, client: Client, _people: People) -> Rows:
    """Every event about the client pushed (or waiting to be) to a connected case system:
    which system, what kind of event, when, its last try and where it stands."""
    last_try = (
        select(
            col(WebhookAttempt.delivery_id).label("delivery_id"),
            func.max(WebhookAttempt.attempted_at).label("at"),
        )
        .group_by(col(WebhookAttempt.delivery_id))
        .subquery()
    )
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel's select types up to 4 columns
            col(ApiKey.name),
            col(WebhookDelivery.event_type),
            col(WebhookDelivery.created_at),
            last_try.c.at,
            col(WebhookDelivery.state),
        )
        .join(WebhookSubscription, col(WebhookSubscription.id) == WebhookDelivery.subscription_id)
        .join(ApiKey, col(ApiKey.id) == WebhookSubscription.api_key_id)
        .outerjoin(last_try, last_try.c.delivery_id == WebhookDelivery.id)
        .where(col(WebhookDelivery.client_id) == client.id)
        .order_by(col(WebhookDelivery.created_at), col(WebhookDelivery.id))
    ).all()
    return [
        {"system": system, "what": what, "at": at, "last_try": tried, "status": state}
        for system, what, at, tried, state in rows
    ]


def audit(session: Session, client: Client, people: People) -> Rows:
    """Who viewed and changed what about the client, and when."""
    # An event's detail may name records by internal ids ("inbound:12", "to staff 4"): only
    # the names of the client's own fields a change touched are shown.
    return [
        {
            "at": e.at,
            "who": people.actor(e),
            "action": e.action,
            "about": e.subject_type or "client",
            "fields_changed": [f.strip() for f in e.detail.split(",") if f.strip()]
            if e.action == "client_changed"
            else [],
        }
        for e in _by_client(session, AuditEvent, client, col(AuditEvent.at))
    ]


# The sections in the order the extract shows them.
SECTIONS: dict[str, Reader] = {
    "representatives": representatives,
    "meetings": meetings,
    "checklists": checklists,
    "decisions": decisions,
    "applications": applications,
    "handovers": handovers,
    "messages_sent": messages_sent,
    "messages_received": messages_received,
    "staff_messages": staff_messages,
    "callbacks": callbacks,
    "call_steps": call_steps,
    "pages": pages,
    "sent_to_systems": sent_to_systems,
    "audit": audit,
}
