"""The sweep: each due message is sent exactly once, and every outcome is recorded."""

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from app.models import OutboxMessage, OutboxStatus
from app.outbox.planner import add_message
from app.outbox.sweep import MAX_ATTEMPTS, claim_due, send_due
from app.transports import Accepted, TransportError
from tests.factories import book_appointment, create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MEETING = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)


class FlakyTransport:
    """Fails with the given errors first, then accepts."""

    name = "flaky"

    def __init__(self, *errors: TransportError) -> None:
        self.errors = list(errors)
        self.sent = []

    def send(self, outgoing):
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(outgoing)
        return Accepted(f"SM{len(self.sent):032d}")


def messages(session, kind: str | None = "appointment_reminder") -> list[OutboxMessage]:
    """Outbox rows (of one kind unless kind=None), earliest first."""
    session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.due_at)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(session.exec(query))


def test_due_messages_are_sent_and_recorded(session, outbox_file):
    client = create_client(session)
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    result = send_due(MEETING - timedelta(days=3))
    assert result.sent == 1
    first, second = messages(session)
    assert first.status == OutboxStatus.SENT
    assert first.provider_id.startswith("CONSOLE")
    assert first.body.startswith("Hej Sara!")
    assert (first.to_phone, first.language, first.encoding) == ("+46700000001", "sv", "GSM-7")
    assert first.segments == 1 or first.segments == 2
    assert first.attempts == 1
    assert second.status == OutboxStatus.PENDING
    sent = [json.loads(line) for line in outbox_file.read_text().splitlines()]
    assert [(s["to"], s["channel"], s["kind"]) for s in sent] == [
        ("+46700000001", "sms", "appointment_reminder")
    ]
    assert sent[0]["body"] == first.body


def test_a_second_sweep_sends_nothing_again(session, outbox_file):
    client = create_client(session)
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    assert send_due(MEETING - timedelta(hours=1)).sent == 2
    assert send_due(MEETING - timedelta(hours=1)).sent == 0
    assert len(outbox_file.read_text().splitlines()) == 2


def test_overlapping_sweeps_send_each_message_exactly_once(app, session, outbox_file):
    staff_client = create_client(session)
    for n in range(60):
        add_message(
            session,
            kind="appointment_reminder",
            client=staff_client,
            dedupe_key=f"load:{n}",
            due_at=NOW,
        )
    session.commit()
    book_appointment(session, staff_client, starts_at=MEETING, now=NOW)
    # Point every load message at the booked appointment so they compose.
    for message in messages(session, kind=None):
        message.subject_type, message.subject_id, message.subject_version = "appointment", 1, 1
        session.add(message)
    session.commit()

    errors = []

    def sweep():
        try:
            with app.app_context():
                send_due(NOW + timedelta(minutes=1), batch_size=7)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    lines = [json.loads(line) for line in outbox_file.read_text().splitlines()]
    ids = [line["message_id"] for line in lines]
    assert len(ids) == len(set(ids)) == 60
    assert all(m.attempts == 1 for m in messages(session) if m.status == OutboxStatus.SENT)


def test_claiming_takes_each_row_once(session):
    client = create_client(session)
    for n in range(5):
        add_message(
            session, kind="appointment_reminder", client=client, dedupe_key=f"c{n}", due_at=NOW
        )
    session.commit()
    first = claim_due(session, NOW, 3)
    second = claim_due(session, NOW, 3)
    third = claim_due(session, NOW, 3)
    assert len(first) == 3 and len(second) == 2 and third == []
    assert {m.id for m in first}.isdisjoint({m.id for m in second})
    assert all(m.status == OutboxStatus.SENDING for m in first + second)


def test_claiming_takes_no_more_than_asked_whatever_plan_the_database_chooses(session):
    """PostgreSQL may join the claim's sub-select as the inner side of a nested loop and run
    it again per row; each run then skips the rows the last one claimed. With hash and
    sort plans ruled out (as busy statistics can make the planner choose), a claim of 3
    must still take 3."""
    engine = session.get_bind()
    if engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL plans the claim as a join")
    client = create_client(session)
    for n in range(5):
        add_message(
            session, kind="appointment_reminder", client=client, dedupe_key=f"p{n}", due_at=NOW
        )
    session.commit()
    session.close()
    plans = ("hashjoin", "mergejoin", "material", "hashagg", "sort", "bitmapscan")

    def nested_loops_only(dbapi_connection, record, proxy):
        with dbapi_connection.cursor() as cursor:
            for plan in plans:
                cursor.execute(f"SET enable_{plan} = off")
        dbapi_connection.commit()

    def back_to_defaults(dbapi_connection, record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("RESET ALL")
        dbapi_connection.commit()

    event.listen(engine, "checkout", nested_loops_only)
    event.listen(engine, "checkin", back_to_defaults)
    try:
        first = claim_due(session, NOW, 3)
        second = claim_due(session, NOW, 3)
    finally:
        session.close()
        event.remove(engine, "checkout", nested_loops_only)
        event.remove(engine, "checkin", back_to_defaults)
    assert (len(first), len(second)) == (3, 2)


def test_messages_not_yet_due_stay_put(session):
    client = create_client(session)
    add_message(
        session,
        kind="appointment_reminder",
        client=client,
        dedupe_key="later",
        due_at=NOW + timedelta(seconds=1),
    )
    session.commit()
    assert claim_due(session, NOW, 10) == []


def test_an_opted_out_client_gets_nothing(session, outbox_file):
    client = create_client(session, opted_out_at=NOW - timedelta(days=1))
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    result = send_due(MEETING + timedelta(hours=3))
    assert result.skipped == 3  # two reminders and the feedback question
    assert {(m.status, m.last_error) for m in messages(session, kind=None)} == {
        (OutboxStatus.SKIPPED, "client opted out")
    }
    assert not outbox_file.exists()


def test_a_client_without_consent_gets_nothing(session, outbox_file):
    client = create_client(session, consent_at=None, consent_method=None)
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    assert send_due(MEETING - timedelta(hours=1)).skipped == 2
    assert not outbox_file.exists()


def test_a_temporary_failure_is_retried_with_backoff(session):
    client = create_client(session)
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    moment = MEETING - timedelta(days=3)
    transport = FlakyTransport(TransportError("Twilio HTTP 503", permanent=False, code="503"))
    result = send_due(moment, transport=transport)
    assert result.retried == 1
    first = messages(session)[0]
    assert first.status == OutboxStatus.PENDING
    assert first.due_at == moment + timedelta(minutes=1)
    assert first.last_error == "Twilio HTTP 503"
    assert send_due(moment + timedelta(minutes=1), transport=transport).sent == 1
    assert messages(session)[0].status == OutboxStatus.SENT
    assert messages(session)[0].attempts == 2


def test_temporary_failures_give_up_after_the_limit(session):
    client = create_client(session)
    add_message(session, kind="appointment_reminder", client=client, dedupe_key="k", due_at=NOW)
    session.commit()
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    message = messages(session)[0]
    message.subject_type, message.subject_id, message.subject_version = "appointment", 1, 1
    session.add(message)
    session.commit()
    errors = [TransportError("Twilio HTTP 500", permanent=False)] * MAX_ATTEMPTS
    transport = FlakyTransport(*errors)
    moment = NOW
    for _ in range(MAX_ATTEMPTS):
        send_due(moment, transport=transport)
        moment += timedelta(days=1)
    final = session.get(OutboxMessage, message.id)
    session.refresh(final)
    assert final.status == OutboxStatus.FAILED
    assert final.attempts == MAX_ATTEMPTS


def test_a_permanent_failure_is_not_retried(session):
    client = create_client(session)
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    transport = FlakyTransport(TransportError("Twilio HTTP 400 code 21211", permanent=True))
    assert send_due(MEETING - timedelta(days=3), transport=transport).failed == 1
    first = messages(session)[0]
    assert first.status == OutboxStatus.FAILED
    assert first.last_error == "Twilio HTTP 400 code 21211"


def test_a_message_that_cannot_be_composed_is_marked_failed_and_the_sweep_goes_on(
    session, outbox_file
):
    client = create_client(session)
    session.add(
        OutboxMessage(kind="no_such_kind", client_id=client.id, dedupe_key="broken", due_at=NOW)
    )
    session.commit()
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    result = send_due(NOW + timedelta(minutes=1))
    assert (result.failed, result.sent) == (1, 1)
    with Session(session.get_bind()) as fresh:
        broken = fresh.exec(select(OutboxMessage).where(OutboxMessage.kind == "no_such_kind")).one()
    assert broken.status == OutboxStatus.FAILED
    assert broken.last_error == "could not compose the message"
