"""What one inbound text costs the database, and what stays when acting on it fails.

A text is stored and acted on in one transaction: one COMMIT, one connection taken from
the pool (so one ping), and a bounded number of statements for each kind of text the
benchmark sends (issue 24). When acting fails, nothing it half did is kept, the text is,
marked for a person."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy import text as text_sql
from sqlmodel import func, select

from app.models import CallbackRequest, InboundMessage, Intent, Representative
from app.sms import webhook
from tests.factories import book_appointment, create_client, create_staff, create_unit
from tests.signing import post_signed

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
_counter = iter(range(1, 10**9))

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def sara(session):
    unit = create_unit(session)
    lina = create_staff(session, unit, email="lina@ekby.example", name="Lina Berg")
    sara = create_client(session, staff=lina)
    book_appointment(session, sara, starts_at=NOW + timedelta(days=2))
    return sara


class Counted:
    """Statements, commits and pool checkouts of the app's engine while a text is handled."""

    def __init__(self, engine):
        self.statements: list[str] = []
        self.commits = 0
        self.checkouts = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)
        event.listen(engine.pool, "checkout", self._checkout)

    def _statement(self, _conn, _cursor, statement, *_args) -> None:
        self.statements.append(" ".join(statement.split())[:110])

    def _commit(self, _conn) -> None:
        self.commits += 1

    def _checkout(self, *_args) -> None:
        self.checkouts += 1


def text(client, body: str, sender: str = "+46700000001") -> str:
    params = {
        "MessageSid": f"SM{next(_counter):032d}",
        "From": sender,
        "To": "+46846500400",
        "Body": body,
    }
    response = post_signed(client, "/twilio/sms", params)
    assert response.status_code == 200
    return "\n".join(m.text or "" for m in ET.fromstring(response.data).iter("Message"))


# The benchmark's three texts, with what each may cost at most in statements (reads,
# the INSERT, the UPDATE with what was read, and what acting writes).
@pytest.mark.parametrize(
    ("body", "most"),
    [("MENY", 10), ("1", 13), ("Hej! Jag blir tio minuter sen till mötet på tisdag.", 11)],
)
def test_a_text_is_stored_and_acted_on_in_one_transaction(app, client, sara, body, most):
    text(client, "MENY")  # warm: the first text in a process compiles what later ones reuse
    counted = Counted(app.extensions["tydligt.engine"])
    assert text(client, body)
    assert counted.commits == 1
    assert counted.checkouts == 1
    assert len(counted.statements) <= most, "\n".join(counted.statements)


def test_when_acting_fails_the_text_is_kept_for_a_person_and_nothing_half_done(
    client, session, sara, monkeypatch
):
    acted = webhook.respond

    def fails_after_acting(*args, **kwargs):
        acted(*args, **kwargs)  # "RING" asks for a callback ...
        raise RuntimeError("then something breaks")

    monkeypatch.setattr(webhook, "respond", fails_after_acting)
    assert text(client, "RING") == ""
    session.expire_all()
    stored = session.exec(select(InboundMessage)).one()
    assert (stored.body, stored.intent, stored.needs_answer) == ("RING", Intent.ERROR, True)
    assert session.exec(select(func.count()).select_from(CallbackRequest)).one() == 0


def test_a_retry_while_acting_failed_gets_the_same_empty_answer(client, session, sara, monkeypatch):
    def fails(*_args, **_kwargs):
        raise RuntimeError("broken")

    monkeypatch.setattr(webhook, "respond", fails)
    params = {"MessageSid": "SM" + "4" * 32, "From": "+46700000001", "To": "+46846500400"}
    for _ in range(2):
        response = post_signed(client, "/twilio/sms", params | {"Body": "1"})
        assert response.status_code == 200
    session.expire_all()
    assert session.exec(select(func.count()).select_from(InboundMessage)).one() == 1


def _plan(session, statement) -> str:
    compiled = statement.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
    )
    if session.get_bind().dialect.name == "postgresql":
        session.exec(text_sql("SET LOCAL enable_seqscan = off"))
        rows = session.exec(text_sql(f"EXPLAIN {compiled}")).all()
    else:
        rows = session.exec(text_sql(f"EXPLAIN QUERY PLAN {compiled}")).all()
    session.rollback()
    return "\n".join(str(row[-1]) for row in rows)


def test_the_texts_a_number_sent_lately_are_counted_by_an_index(session, sara):
    """Every text counts its sender's recent texts (app/sms/floods.py); without an index on
    the sender that count reads every text of the last minutes, from everyone."""
    window = timedelta(minutes=10)
    session.add_all(  # a busy few minutes: many numbers texting
        InboundMessage(
            provider_id=f"SM{n:032d}",
            from_phone=f"+4670{n:07d}",
            received_at=NOW - timedelta(seconds=n % 500),
        )
        for n in range(2000)
    )
    session.commit()
    session.exec(text_sql("ANALYZE"))
    session.commit()
    query = select(func.count(InboundMessage.id)).where(
        InboundMessage.from_phone == "+46700000001",
        InboundMessage.received_at > NOW - window,
        InboundMessage.id <= 10**9,  # up to this text: all of them, as a rule
    )
    assert "ix_inbound_message_from_phone_received_at" in _plan(session, query)


def test_a_representative_is_found_by_an_index_on_the_number(session, sara):
    query = select(Representative).where(Representative.phone == "+46700000001")
    assert "ix_representative_phone" in _plan(session, query)
