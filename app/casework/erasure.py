"""Deleting everything about clients whose retention has run out since they were closed.

Retention (app/retention.py) first blanks the words of clients closed more than
MESSAGE_RETENTION_DAYS ago, queueing what the provider keeps of them; after
RECORD_RETENTION_DAYS this module deletes the client row and every row hanging on it,
children before parents (the foreign keys hold on SQLite and PostgreSQL alike). The audit
log stays, for AUDIT_RETENTION_DAYS as always: its rows lose the link to the client
(client_id becomes NULL), and their details lose whatever would name them – the case
system's id (an API request's path names it), their and their representatives' numbers
and names become "[erased]". It keeps who did what and when; one event per client,
"client_erased" with its former id, says when it went.

What came from a closed client's own number after the closing (texts and callbacks
stored as a stranger's, app/casework/closing.py `from_their_number`) goes with them.

Every table with a client_id, or reached through one, is named in ERASED (a test fails
when a new one is not). Safe to run again and in two processes at once: the clients are
locked first, and a row already gone is simply not deleted twice.
"""

import re

from sqlalchemy import delete, false, or_, update
from sqlmodel import Session, col, select

from app import audit
from app.casework import closing
from app.models import (
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
    SubjectType,
    WebhookAttempt,
    WebhookDelivery,
)

CHUNK = 100  # clients per round: each round's id lists stay well inside parameter limits

# Every table that holds something about a client, as deleted here (the audit log's rows
# are kept, unlinked).
ERASED = frozenset(
    {
        "application",
        "appointment",
        "audit_event",
        "call_step",
        "callback_request",
        "checklist",
        "checklist_item",
        "client",
        "decision",
        "handover",
        "inbound_message",
        "link_token",
        "outbox_message",
        "representative",
        "staff_message",
        "webhook_attempt",
        "webhook_delivery",
    }
)


def erase(session: Session, client_ids: list[int]) -> dict[str, int]:
    """Delete the clients and every row about them, except the audit log's (unlinked);
    returns how many rows of each table went. Nothing committed."""
    if not client_ids:
        return {}
    ids = list(client_ids)
    representatives = select(Representative.id).where(col(Representative.client_id).in_(ids))
    clients = session.exec(select(Client).where(col(Client.id).in_(ids))).all()
    # What came from their number after the closing, stored as a stranger's, is theirs too.
    inbound = select(InboundMessage.id).where(
        col(InboundMessage.client_id).in_(ids)
        | col(InboundMessage.representative_id).in_(representatives)
        | or_(false(), *_from_their_numbers(session, clients, InboundMessage))
    )
    checklists = select(Checklist.id).where(col(Checklist.client_id).in_(ids))
    counts: dict[str, int] = {}

    def gone(name: str, statement) -> None:
        counts[name] = counts.get(name, 0) + max(session.exec(statement).rowcount or 0, 0)

    # A staff answer to one of their texts is theirs too; any other answer only loses the link.
    session.exec(
        update(StaffMessage)
        .where(col(StaffMessage.in_reply_to_id).in_(inbound))
        .values(in_reply_to_id=None)
    )
    gone(
        "link_token",
        delete(LinkToken).where(
            col(LinkToken.client_id).in_(ids)
            | col(LinkToken.representative_id).in_(representatives)
        ),
    )
    gone("staff_message", delete(StaffMessage).where(col(StaffMessage.client_id).in_(ids)))
    gone(
        "outbox_message",
        delete(OutboxMessage).where(
            col(OutboxMessage.client_id).in_(ids)
            | col(OutboxMessage.representative_id).in_(representatives)
        ),
    )
    gone("inbound_message", delete(InboundMessage).where(col(InboundMessage.id).in_(inbound)))
    gone(
        "callback_request",
        delete(CallbackRequest).where(
            col(CallbackRequest.client_id).in_(ids)
            | or_(false(), *_from_their_numbers(session, clients, CallbackRequest))
        ),
    )
    gone("call_step", delete(CallStep).where(col(CallStep.client_id).in_(ids)))
    # Events pushed (or waiting to be) about them carry their ids and the case system's id.
    deliveries = select(WebhookDelivery.id).where(col(WebhookDelivery.client_id).in_(ids))
    gone(
        "webhook_attempt",
        delete(WebhookAttempt).where(col(WebhookAttempt.delivery_id).in_(deliveries)),
    )
    gone(
        "webhook_delivery",
        delete(WebhookDelivery).where(col(WebhookDelivery.client_id).in_(ids)),
    )
    gone(
        "checklist_item",
        delete(ChecklistItem).where(col(ChecklistItem.checklist_id).in_(checklists)),
    )
    # A monthly series points at its first checklist: unlink before deleting them all.
    session.exec(update(Checklist).where(col(Checklist.client_id).in_(ids)).values(series_id=None))
    gone("checklist", delete(Checklist).where(col(Checklist.client_id).in_(ids)))
    gone("application", delete(Application).where(col(Application.client_id).in_(ids)))
    gone("decision", delete(Decision).where(col(Decision.client_id).in_(ids)))
    gone("handover", delete(Handover).where(col(Handover.client_id).in_(ids)))
    gone("appointment", delete(Appointment).where(col(Appointment.client_id).in_(ids)))
    gone("representative", delete(Representative).where(col(Representative.client_id).in_(ids)))
    _scrub_audit(session, ids)
    unlinked = session.exec(
        update(AuditEvent).where(col(AuditEvent.client_id).in_(ids)).values(client_id=None)
    )
    counts["audit_event unlinked"] = max(unlinked.rowcount or 0, 0)
    gone("client", delete(Client).where(col(Client.id).in_(ids)))
    return counts


def _from_their_numbers(session: Session, clients, model) -> list:
    """Filters on `model`: what came from each closed client's number after the closing."""
    return [
        closing.from_their_number(session, client, model)
        for client in clients
        if client.closed_at is not None
    ]


def _scrub_audit(session: Session, ids: list[int]) -> None:
    """Replace what would name the clients in their audit events' details with "[erased]":
    the case system's id (API requests and links name it), their numbers and names and
    their representatives' (their numbers and names), as whole words."""
    secrets: dict[int, set[str]] = {}
    for client in session.exec(select(Client).where(col(Client.id).in_(ids))):
        secrets[client.id or 0] = {
            client.source_id or "",
            client.phone,
            client.first_name,
            client.last_name,
        }
    for representative in session.exec(
        select(Representative).where(col(Representative.client_id).in_(ids))
    ):
        secrets[representative.client_id] |= {
            representative.source_id or "",
            representative.phone,
            *representative.name.split(),
        }
    patterns = {
        client_id: re.compile(
            "|".join(
                rf"(?<!\w){re.escape(word)}(?!\w)"
                for word in sorted(words, key=len, reverse=True)
                if len(word) > 1
            )
        )
        for client_id, words in secrets.items()
        if any(len(word) > 1 for word in words)
    }
    for event in session.exec(
        select(AuditEvent).where(col(AuditEvent.client_id).in_(ids), AuditEvent.detail != "")
    ):
        pattern = patterns.get(event.client_id or 0)
        if pattern is None:
            continue
        scrubbed = pattern.sub("[erased]", event.detail)
        if scrubbed != event.detail:
            event.detail = scrubbed
            session.add(event)
    session.flush()


def erase_closed(session: Session, closed_before) -> dict[str, int]:
    """Delete every client closed before the moment `closed_before`, with everything about
    them (nothing committed); returns how many clients and rows went."""
    found = session.exec(
        select(Client.id)
        .where(col(Client.closed_at).is_not(None), col(Client.closed_at) < closed_before)
        .order_by(col(Client.id))
        .with_for_update()
    ).all()
    ids = [client_id for client_id in found if client_id is not None]
    totals: dict[str, int] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for name, count in erase(session, chunk).items():
            totals[name] = totals.get(name, 0) + count
    audit.record_all(
        session,
        [
            audit.entry("client_erased", subject_type=SubjectType.CLIENT, subject_id=client_id)
            for client_id in ids
        ],
    )
    return {"closed clients deleted": totals.get("client", 0)} | {
        f"closed clients' {name}": count
        for name, count in totals.items()
        if name != "client" and count
    }
