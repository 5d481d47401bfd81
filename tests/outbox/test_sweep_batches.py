"""The sweep works a batch at a time: a fixed number of database round trips per batch,
reads no older than FRESH_FOR, and a page link for every SMS sent and for no other."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from app.casework import checklists, decisions, handovers
from app.db import get_engine
from app.models import AuditEvent, Client, LinkToken, OutboxMessage, OutboxStatus, Representative
from app.outbox import sweep
from app.outbox.sweep import claim_size, send_due
from app.pages.links import resolve
from app.transports import Accepted, TransportError
from app.transports.paced import PacedTransport
from tests.conftest import BACKEND
from tests.factories import book_appointment, create_client, create_staff, create_unit

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
# psycopg keeps a statement's parsed form only up to this many parameters
# (psycopg/_queries.py MAX_CACHED_STATEMENT_PARAMS).
PSYCOPG_CACHED_PARAMETERS = 50


class Recording:
    """Takes every message and remembers it."""

    name = "recording"

    def __init__(self, on_send=None) -> None:
        self.sent = []
        self.on_send = on_send

    def send(self, outgoing):
        if self.on_send:
            self.on_send(outgoing)
        self.sent.append(outgoing)
        return Accepted(f"SM{outgoing.message_id:032d}")

    def find_sent(self, message_id, to, channel, since):
        return []


def clients_with_everything(session, count: int) -> None:
    """`count` clients, each with one message of every kind of record due now: a
    meeting reminder with a copy for a representative, a checklist, a decision and a
    handover notice, in several languages."""
    unit = create_unit(session)
    lina = create_staff(session, unit, email="lina@ekby.example", name="Lina Berg")
    omar = create_staff(session, unit, email="omar@ekby.example", name="Omar Haddad")
    for n in range(count):
        client = create_client(
            session, lina, phone=f"+4670000{n:04d}", language=("sv", "ar", "en", "fi")[n % 4]
        )
        session.add(
            Representative(
                client_id=client.id,
                name="Anders Holm",
                role="god_man",
                phone=f"+4670100{n:04d}",
                language="sv",
                copy_appointments=True,
                copy_documents=True,
                copy_decisions=True,
                copy_handovers=True,
            )
        )
        session.commit()
        book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
        checklists.create(
            session, client, application_type="ekonomiskt_bistand",
            due_date=date(2026, 3, 20), documents=["hyresavi", "kontoutdrag"], now=NOW,
        )  # fmt: skip
        decisions.decide(
            session, client, now=NOW, decided_on=date(2026, 3, 2), service="boendestod",
            outcome="approved", scope_amount=6, scope_unit="hours_per_week",
            valid_from=date(2026, 4, 1), valid_to=date(2026, 9, 30),
        )  # fmt: skip
        handovers.hand_over(session, client, omar, starts_on=date(2026, 3, 2), now=NOW)
        session.commit()


def round_trips_per_batch(monkeypatch, when: datetime, sizes: list[int]) -> list[tuple]:
    """One sweep claiming batches of the given sizes in turn: (rows, round trips) of each
    batch, from its claim to the next claim."""
    engine = get_engine()
    counted = {"n": 0}
    marks = []
    claim_due = sweep.claim_due

    def count(*_args):
        counted["n"] += 1

    def claim(session, moment, limit):
        batch = claim_due(session, moment, sizes[min(len(marks), len(sizes) - 1)])
        marks.append((len(batch), counted["n"]))
        return batch

    monkeypatch.setattr(sweep, "claim_due", claim)
    event.listen(engine, "before_cursor_execute", count)
    event.listen(engine, "commit", count)
    try:
        send_due(when, transport=Recording(), batch_size=min(sizes))
    finally:
        event.remove(engine, "before_cursor_execute", count)
        event.remove(engine, "commit", count)
    ends = [start for _, start in marks[1:]] + [counted["n"]]
    return [(rows, end - start) for (rows, start), end in zip(marks, ends, strict=True)]


def test_a_batch_costs_the_same_round_trips_whatever_its_size(app, session, monkeypatch):
    clients_with_everything(session, 15)
    due = session.exec(select(OutboxMessage).where(OutboxMessage.due_at <= NOW)).all()
    kinds = {m.kind for m in due}
    assert {"appointment_reminder", "checklist_request", "decision_approved"} <= kinds
    assert {"handover_permanent"} <= kinds
    assert any(m.representative_id for m in due)
    batches = round_trips_per_batch(monkeypatch, NOW, [6, 6, 6, 40, 40, 1000])
    assert [rows for rows, _ in batches][:5] == [6, 6, 6, 40, 40]
    assert sum(rows for rows, _ in batches) == len(due)
    small = max(trips for rows, trips in batches if rows == 6)
    big = max(trips for rows, trips in batches if rows == 40)
    # Reading a kind of record a small batch lacked may cost a statement or two more;
    # nothing grows with the number of messages.
    assert big <= small + 3
    assert big < 30


def test_every_sms_sent_carries_a_link_that_works_and_no_link_is_left_unsent(
    app, session, monkeypatch, outbox_file
):
    clients_with_everything(session, 3)
    transport = Recording()
    result = send_due(NOW, transport=transport)
    assert result.sent == len(transport.sent) > 6
    session.expire_all()
    links = session.exec(select(LinkToken)).all()
    sms = [o for o in transport.sent if o.channel == "sms"]
    with_link = [o for o in sms if "/p/" in o.body]
    assert len(with_link) >= len(sms) / 2
    # A link is kept only where an SMS shows one (handover notices have none).
    assert any(o.kind == "handover_permanent" for o in sms if o not in with_link)
    assert len(links) == len(with_link)
    # Every send is audited, a representative's copy as such.
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "message_sent")).all()
    copies = {m.id for m in session.exec(select(OutboxMessage)) if m.representative_id}
    assert len(events) == result.sent
    assert all(e.detail.endswith("(copy)") == (e.subject_id in copies) for e in events)
    for outgoing in with_link:
        token = outgoing.body.rsplit("/p/", 1)[1].split()[0]
        link = resolve(session, token, NOW)
        assert link is not None and link.outbox_message_id == outgoing.message_id


def test_a_slow_batch_gives_the_rest_back_to_be_read_again(app, session, monkeypatch):
    """After FRESH_FOR the batch stops: the rest is claimed again with fresh reads, so an
    opt-out made meanwhile is respected, and a row given back has not used up a try."""
    clients_with_everything(session, 2)
    first, second = session.exec(select(Client).order_by(Client.id)).all()
    monkeypatch.setattr(sweep, "FRESH_FOR", timedelta(seconds=0))

    def second_client_says_stop(outgoing):
        if outgoing.to == first.phone and second.opted_out_at is None:
            second.opted_out_at = NOW  # as the SMS webhook would, in another process
            session.add(second)
            session.commit()

    transport = Recording(on_send=second_client_says_stop)
    result = send_due(NOW, transport=transport)
    # FRESH_FOR 0: one message per batch (the first always goes), the rest given back.
    assert result.sent == len(transport.sent) >= 8
    assert second.phone not in {o.to for o in transport.sent}
    assert result.skipped >= 1
    session.expire_all()
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.due_at <= NOW)).all()
    assert {m.status for m in rows} == {OutboxStatus.SENT, OutboxStatus.SKIPPED}
    assert all(m.attempts == 1 for m in rows if m.status == OutboxStatus.SENT)
    # The links of the messages given back were removed; each SMS sent has its own.
    assert len(session.exec(select(LinkToken)).all()) == sum(
        1 for o in transport.sent if o.channel == "sms" and "/p/" in o.body
    )


def test_two_feedback_questions_in_one_batch_become_one(app, session, outbox_file):
    client = create_client(session)
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    book_appointment(session, client, starts_at=NOW + timedelta(days=7), now=NOW)
    transport = Recording()
    send_due(NOW + timedelta(days=10), transport=transport)
    assert [o.kind for o in transport.sent].count("feedback_request") == 1


def test_a_paced_transport_claims_what_it_can_send_while_the_reads_are_fresh():
    assert claim_size(Recording(), 200) == 200
    assert claim_size(PacedTransport(Recording(), 0), 200) == 200
    # 10 a second, half of FRESH_FOR (10 s): 50 at a time.
    assert claim_size(PacedTransport(Recording(), 10), 200) == 50
    assert claim_size(PacedTransport(Recording(), 0.01), 200) == 1
    assert claim_size(PacedTransport(Recording(), 1000), 200) == 200


def test_a_provider_that_says_slow_down_gets_the_batch_back_and_no_link_is_left(app, session):
    clients_with_everything(session, 2)

    class Throttling(Recording):
        def send(self, outgoing):
            if len(self.sent) == 2:
                raise TransportError("Twilio HTTP 429", permanent=False, code="20429")
            return super().send(outgoing)

    transport = Throttling()
    result = send_due(NOW, transport=transport)
    assert (result.sent, result.throttled) == (2, 1)
    session.expire_all()
    pending = session.exec(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING,
                                    OutboxMessage.due_at <= NOW + timedelta(minutes=1))
    ).all()  # fmt: skip
    assert pending and all(m.attempts == 0 and m.claim_token is None for m in pending)
    assert len(session.exec(select(LinkToken)).all()) == 2


@pytest.mark.skipif(BACKEND != "postgresql", reason="how psycopg parses PostgreSQL statements")
def test_a_batch_reads_its_records_in_statements_psycopg_keeps_parsed(app, session, monkeypatch):
    """psycopg keeps a statement parsed only while it has at most 50 parameters: a batch's
    ids go as one array each, not as one parameter per id (which made every read of a batch
    of 200 a statement parsed afresh)."""
    clients_with_everything(session, 15)
    engine = get_engine()
    widest: list[tuple[int, str]] = []

    def parameters(_conn, _cursor, statement, params, _context, executemany):
        if not executemany and isinstance(params, dict):
            widest.append((len(params), " ".join(statement.split())[:80]))

    event.listen(engine, "before_cursor_execute", parameters)
    try:
        send_due(NOW, transport=Recording(), batch_size=60)
    finally:
        event.remove(engine, "before_cursor_execute", parameters)
    assert max(widest) <= (PSYCOPG_CACHED_PARAMETERS, max(widest)[1]), max(widest)


def test_each_message_sent_is_written_once(app, session):
    """A message that goes out is written once, with its outcome: composing it changes
    nothing on its row before then (each write is a row's UPDATE more for the database)."""
    clients_with_everything(session, 6)
    engine = get_engine()
    writes = {"rows": 0}

    def updates(_conn, _cursor, statement, params, _context, executemany):
        if statement.startswith("UPDATE outbox_message") and "WHERE outbox_message.id = " in (
            statement
        ):
            writes["rows"] += len(params) if executemany else 1

    event.listen(engine, "before_cursor_execute", updates)
    try:
        result = send_due(NOW, transport=Recording())
    finally:
        event.remove(engine, "before_cursor_execute", updates)
    assert result.sent > 10
    assert writes["rows"] == result.handled
