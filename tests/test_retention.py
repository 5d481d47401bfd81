"""Retention: texts go after 90 days, records after two years, the audit log after five;
nothing still waiting to be sent is touched."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from app.models import (
    AuditEvent,
    CallbackRequest,
    CallStep,
    InboundMessage,
    LinkToken,
    OutboxMessage,
    StaffMessage,
)
from app.retention import run_retention
from tests.factories import create_client

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


def test_texts_older_than_the_period_are_removed_and_the_rows_stay(app, session):
    client = create_client(session)
    old, recent = NOW - timedelta(days=91), NOW - timedelta(days=89)
    session.add_all([
        OutboxMessage(kind="welcome", client_id=client.id, dedupe_key="old", due_at=old,
                      status="delivered", body="Hej Sara!", created_at=old),
        OutboxMessage(kind="welcome", client_id=client.id, dedupe_key="new", due_at=recent,
                      status="delivered", body="Hej igen!", created_at=recent),
        InboundMessage(provider_id="SM1", from_phone=client.phone, client_id=client.id,
                       body="Jag kommer", media="https://x.example/m", reply="Tack!",
                       received_at=old),
        StaffMessage(client_id=client.id, text="Vi ses", created_at=old),
        CallStep(call_sid="CA1", step=1, screen="menu", twiml="<Response/>",
                 created_at=NOW - timedelta(days=2)),
    ])  # fmt: skip
    session.commit()
    counts = run_retention(NOW)
    assert counts["outbox bodies"] == 1 and counts["inbound texts"] == 1
    session.expire_all()
    bodies = {m.dedupe_key: m.body for m in session.exec(select(OutboxMessage))}
    assert bodies == {"old": None, "new": "Hej igen!"}
    inbound = session.exec(select(InboundMessage)).one()
    assert (inbound.body, inbound.media, inbound.reply) == (None, "", None)
    assert session.exec(select(StaffMessage)).one().text is None
    assert session.exec(select(CallStep)).all() == []
    assert run_retention(NOW) == dict.fromkeys(counts, 0)  # safe to run again


def test_a_message_still_waiting_is_never_touched(app, session):
    client = create_client(session)
    old = NOW - timedelta(days=800)
    session.add(OutboxMessage(kind="welcome", client_id=client.id, dedupe_key="w", due_at=old,
                              status="pending", body="kept", created_at=old))  # fmt: skip
    session.commit()
    run_retention(NOW)
    assert session.exec(select(OutboxMessage)).one().body == "kept"


def test_records_and_audit_events_go_after_their_own_periods(app, session):
    client = create_client(session)
    ancient = NOW - timedelta(days=731)
    message = OutboxMessage(kind="welcome", client_id=client.id, dedupe_key="a", due_at=ancient,
                            status="delivered", created_at=ancient)  # fmt: skip
    session.add(message)
    session.commit()
    session.add(LinkToken(token_hash="h" * 64, client_id=client.id,
                          outbox_message_id=message.id, created_at=ancient,
                          expires_at=ancient + timedelta(days=60)))  # fmt: skip
    session.add_all([
        AuditEvent(actor_type="system", action="message_sent", at=ancient),
        AuditEvent(actor_type="system", action="message_sent", at=NOW - timedelta(days=1826)),
    ])  # fmt: skip
    session.commit()
    counts = run_retention(NOW)
    assert (counts["outbox rows"], counts["links"], counts["audit events"]) == (1, 1, 1)
    assert len(session.exec(select(AuditEvent)).all()) == 1


def test_the_worker_schedules_retention_daily():
    from app.worker import SCHEDULE

    assert any(job.id == "retention" and job.every == 86400 for job in SCHEDULE)


def test_stored_api_answers_go_after_a_day(app, session):
    from app.models import ApiKey, IdempotencyRecord
    from tests.factories import create_unit

    unit = create_unit(session)
    key = ApiKey(unit_id=unit.id, name="Lifecare", prefix="tyd_abc", key_hash="0" * 64,
                 scopes="read,write")  # fmt: skip
    session.add(key)
    session.commit()
    for name, age in (("old", timedelta(hours=25)), ("new", timedelta(hours=23))):
        session.add(IdempotencyRecord(api_key_id=key.id, key=name, request="PUT /x",
                                      request_hash="h", created_at=NOW - age))  # fmt: skip
    session.commit()
    assert run_retention(NOW)["idempotency answers"] == 1
    assert [r.key for r in session.exec(select(IdempotencyRecord))] == ["new"]


def test_an_unknown_callers_callback_nobody_made_goes_after_the_record_period(app, session):
    client = create_client(session)
    ancient = NOW - timedelta(days=731)
    session.add_all([
        CallbackRequest(from_phone="+46700000077", unit_id=client.unit_id, created_at=ancient),
        CallbackRequest(client_id=client.id, unit_id=client.unit_id, created_at=ancient),
        CallbackRequest(from_phone="+46700000078", unit_id=client.unit_id,
                        created_at=NOW - timedelta(days=700)),
    ])  # fmt: skip
    session.commit()
    counts = run_retention(NOW)
    assert counts["callbacks"] == 1
    left = session.exec(select(CallbackRequest)).all()
    # A client's own callback, still waiting, is kept while they are a client.
    assert sorted(c.from_phone or "client" for c in left) == ["+46700000078", "client"]
