"""A client with one of every record Tydligt keeps about a person (task 22C's tests: the
register extract must show each, and erasure must leave none). Fictional people only."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

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
from tests.factories import create_client


@dataclass
class FullClient:
    client: Client
    representative: Representative
    former_caseworker: StaffUser


def client_tables() -> dict[str, str]:
    """Every table holding something about a client: those with a client_id column, and
    those reached through a foreign key to one of them (table name -> the way there)."""
    found: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for table in SQLModel.metadata.sorted_tables:
            if table.name in found:
                continue
            if table.name == "client" or "client_id" in table.columns:
                found[table.name] = "client_id" if table.name != "client" else "itself"
                changed = True
                continue
            for key in table.foreign_keys:
                target = key.column.table.name
                if target in found and target != table.name:
                    found[table.name] = f"{key.parent.name} -> {target}"
                    changed = True
                    break
    return found


def rows_about(session: Session, client_id: int) -> dict[str, int]:
    """How many rows of each client table still name the client (by client_id)."""
    counts = {}
    for table in SQLModel.metadata.sorted_tables:
        if "client_id" in table.columns:
            counts[table.name] = session.exec(
                select(func.count()).select_from(table).where(table.c.client_id == client_id)
            ).one()
    return counts


def full_client(session: Session, lina: StaffUser, omar: StaffUser, now: datetime) -> FullClient:
    """Sara, once Omar's client and now Lina's, with one of everything: a god man, a
    meeting, a checklist with a document, a decision, an application, a handover, messages
    out and in (with words and a picture), a staff answer, a callback with a recording, a
    call step, a page link, an event pushed to a case system and audit events of views and
    changes."""
    sara = create_client(
        session,
        lina,
        interpreter_language="ar",
        communication_aid="bildstöd",
        email="sara.lind@example.org",
    )
    anna = Representative(
        client_id=sara.id, name="Anna Berg", role="god_man", phone="+46700000009",
        copy_appointments=True,
    )  # fmt: skip
    session.add(anna)
    session.flush()
    meeting = Appointment(
        client_id=sara.id, staff_id=lina.id, starts_at=now + timedelta(days=3),
        location="Storgatan 12, Ekby", purpose="follow_up", response="confirmed",
        responded_at=now - timedelta(days=1),
    )  # fmt: skip
    checklist = Checklist(
        client_id=sara.id, staff_id=lina.id, application_type="ekonomiskt_bistand",
        due_date=date(2026, 12, 20),
    )  # fmt: skip
    decision = Decision(
        client_id=sara.id, staff_id=lina.id, service="boendestod", outcome="approved",
        status="decided", decided_on=date(2026, 11, 2),
    )  # fmt: skip
    session.add_all([meeting, checklist, decision])
    session.flush()
    session.add(ChecklistItem(checklist_id=checklist.id, document_type="hyresavi"))
    session.add_all([
        Application(client_id=sara.id, staff_id=lina.id, service="boendestod",
                    received_on=date(2026, 10, 1), step="decided", decision_id=decision.id),
        Handover(client_id=sara.id, from_staff_id=omar.id, to_staff_id=lina.id,
                 starts_on=date(2026, 9, 1), kind="permanent"),
    ])  # fmt: skip
    sent = OutboxMessage(
        kind="appointment_reminder", client_id=sara.id, dedupe_key=f"r:{sara.id}",
        due_at=now - timedelta(days=2), status="delivered", body="Hej Sara! Du har en tid.",
        provider_id=f"SMout{sara.id}", to_phone=sara.phone, sent_at=now - timedelta(days=2),
        subject_type="appointment", subject_id=meeting.id, created_at=now - timedelta(days=2),
    )  # fmt: skip
    copy = OutboxMessage(
        kind="appointment_reminder", client_id=sara.id, representative_id=anna.id,
        dedupe_key=f"r:{sara.id}:copy", due_at=now - timedelta(days=2), status="delivered",
        body="Kopia till Anna.", provider_id=f"SMcopy{sara.id}",
        created_at=now - timedelta(days=2),
    )  # fmt: skip
    planned = OutboxMessage(
        kind="appointment_reminder", client_id=sara.id, dedupe_key=f"p:{sara.id}",
        due_at=now + timedelta(days=2), status="pending", created_at=now,
    )  # fmt: skip
    session.add_all([sent, copy, planned])
    session.flush()
    inbound = InboundMessage(
        provider_id=f"SMin{sara.id}", from_phone=sara.phone, client_id=sara.id,
        body="Jag kommer på mötet", media="https://api.twilio.example/Media/ME1",
        intent="free_text", reply="Tack!", received_at=now - timedelta(days=1),
    )  # fmt: skip
    from_anna = InboundMessage(
        provider_id=f"SManna{sara.id}", from_phone=anna.phone, client_id=sara.id,
        representative_id=anna.id, body="Hej från Anna", received_at=now - timedelta(hours=5),
    )  # fmt: skip
    session.add_all([inbound, from_anna])
    session.flush()
    session.add_all([
        StaffMessage(client_id=sara.id, staff_id=lina.id, text="Vi ses på torsdag.",
                     in_reply_to_id=inbound.id, created_at=now - timedelta(hours=20)),
        CallbackRequest(client_id=sara.id, unit_id=sara.unit_id, language="sv",
                        recording_url="https://api.twilio.example/Recordings/RE1",
                        created_at=now - timedelta(hours=3)),
        CallStep(call_sid=f"CA{sara.id}", step=1, client_id=sara.id, screen="menu",
                 twiml="<Response/>", created_at=now - timedelta(hours=2)),
        LinkToken(token_hash=f"{sara.id:064d}", client_id=sara.id, outbox_message_id=sent.id,
                  created_at=now - timedelta(days=2), expires_at=now + timedelta(days=12)),
        AuditEvent(actor_type="staff", actor_id=omar.id, actor_name=omar.name,
                   action="client_viewed", client_id=sara.id, at=now - timedelta(days=40)),
        AuditEvent(actor_type="staff", actor_id=lina.id, actor_name=lina.name,
                   action="client_changed", client_id=sara.id, detail="language",
                   at=now - timedelta(days=4)),
    ])  # fmt: skip
    key = ApiKey(unit_id=sara.unit_id, name="Lifecare", prefix=f"tyd_full{sara.id}",
                 key_hash=f"{sara.id:064x}", scopes="read")  # fmt: skip
    session.add(key)
    session.flush()
    hooks = WebhookSubscription(api_key_id=key.id, url="https://hooks.lifecare.example/t",
                                events="callback.requested", secret="whsec_AAAA")  # fmt: skip
    session.add(hooks)
    session.flush()
    pushed = WebhookDelivery(
        subscription_id=hooks.id, message_id=f"msg_full{sara.id}", client_id=sara.id,
        event_type="callback.requested", record="callback_request:0", state="delivered",
        payload=f'{{"data":{{"client_id":{sara.id}}}}}', attempts=1,
        created_at=now - timedelta(hours=3), finished_at=now - timedelta(hours=3),
    )  # fmt: skip
    session.add(pushed)
    session.flush()
    session.add(WebhookAttempt(delivery_id=pushed.id, subscription_id=hooks.id, attempt=1,
                               attempted_at=now - timedelta(hours=3), status_code=204))  # fmt: skip
    session.commit()
    return FullClient(sara, anna, omar)
