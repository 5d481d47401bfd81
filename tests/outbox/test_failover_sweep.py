"""The sweep with two SMS providers: it moves to the secondary while the primary fails,
records which provider took each message, and crash recovery finds a message wherever it
was sent."""

from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlmodel import select

from app.models import OutboxMessage, OutboxStatus
from app.outbox.planner import add_message
from app.outbox.sweep import REFUSED_PREFIX, claim_due, send_due
from app.transports.console import ConsoleTransport
from app.transports.elks import ElksTransport
from app.transports.failover import FailoverRules, FailoverTransport
from app.transports.twilio import TwilioTransport
from tests.elks_fake import fake_session, history
from tests.factories import create_client
from tests.twilio_fake import FakeTwilioHttp, listing

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


def elks(responses: list | None = None):
    session, fake = fake_session(responses)
    config = {
        "ELKS_API_USERNAME": "u1",
        "ELKS_API_PASSWORD": "p1",
        "ELKS_FROM": "Ekby",
        "ELKS_WEBHOOK_SECRET": "k" * 40,
        "PUBLIC_BASE_URL": "https://tydligt.ekby.example",
        "ELKS_HTTP_SESSION": session,
    }
    return ElksTransport(config), fake


def welcome_rows(session, count: int) -> None:
    client = create_client(session)
    for n in range(count):
        add_message(session, kind="welcome", client=client, dedupe_key=f"w{n}", due_at=NOW,
                    subject_type="client", subject_id=client.id)  # fmt: skip
    session.commit()


def rows(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_each_message_records_the_provider_that_took_it(app, session, tmp_path):
    welcome_rows(session, 2)
    send_due(NOW, transport=ConsoleTransport(str(tmp_path / "out.jsonl")))
    assert [(m.status, m.provider) for m in rows(session)] == [
        (OutboxStatus.SENT, "console"),
        (OutboxStatus.SENT, "console"),
    ]


def test_the_sweep_moves_to_the_secondary_while_the_primary_fails(app, session, tmp_path):
    welcome_rows(session, 7)
    primary, fake = elks([(503, "Service unavailable")] * 5)
    secondary = ConsoleTransport(str(tmp_path / "out.jsonl"))
    transport = FailoverTransport(primary, secondary, None, FailoverRules())
    result = send_due(NOW, transport=transport)
    assert len(fake.requests) == 5  # then no more tries at the failing provider
    assert result.retried == 5 and result.sent == 2
    messages = rows(session)
    assert [m.status for m in messages[:5]] == [OutboxStatus.PENDING] * 5
    assert [m.provider for m in messages[:5]] == [None] * 5
    assert [(m.status, m.provider) for m in messages[5:]] == [(OutboxStatus.SENT, "console")] * 2
    # The ones that waited go through the secondary when due again, not sent twice.
    later = send_due(NOW + timedelta(minutes=2), transport=transport)
    assert later.sent == 5
    assert {m.provider for m in rows(session)} == {"console"}
    assert len(fake.requests) == 5


def test_an_elks_account_without_credit_keeps_messages_waiting_not_failed(app, session):
    welcome_rows(session, 2)
    primary, fake = elks([(402, "Not enough credits")] * 2)
    result = send_due(NOW, transport=FailoverTransport(primary, None, None, FailoverRules()))
    assert len(fake.requests) == 1  # the sweep pauses: the next would be refused as well
    assert result.failed == 0
    first, second = rows(session)
    assert [first.status, second.status] == [OutboxStatus.PENDING] * 2
    assert first.last_error.startswith(f"{REFUSED_PREFIX} (account): 46elks HTTP 402")
    assert first.attempts == 0  # the provider's fault: no try of the message is used up


def test_crash_recovery_finds_a_message_the_secondary_sent(app, session, tmp_path):
    welcome_rows(session, 1)
    claimed_at = NOW - timedelta(hours=1)
    [row] = claim_due(session, NOW, 1)
    row.claimed_at = claimed_at  # the worker that claimed it stopped an hour ago
    session.add(row)
    session.commit()
    twilio_http = FakeTwilioHttp([(200, listing("messages", []))])
    twilio = TwilioTransport(
        {
            "TWILIO_ACCOUNT_SID": "AC" + "a" * 32,
            "TWILIO_AUTH_TOKEN": "t",
            "TWILIO_FROM_NUMBER": "+46846500400",
            "PUBLIC_BASE_URL": "https://tydligt.ekby.example",
            "TWILIO_HTTP_CLIENT": twilio_http,
        }
    )
    found = {
        "id": "s" + "9" * 32,
        "direction": "outgoing",
        "created": (claimed_at + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%S.%f"),
    }
    secondary, fake = elks([(200, history([found]))])
    transport = FailoverTransport(twilio, secondary, twilio, FailoverRules())
    result = send_due(NOW, transport=transport)
    assert result.recovered == 1
    [message] = rows(session)
    assert message.id == row.id
    assert (message.status, message.provider_id, message.provider) == (
        OutboxStatus.SENT,
        "s" + "9" * 32,
        "46elks",
    )
    assert fake.requests[0]["method"] == "GET"
    assert len(twilio_http.requests) == 1  # Twilio was asked too


ONE_FAILURE_IS_DOWN = FailoverRules(min_failures=1, failure_percent=50)


def timed_out_then(session, tmp_path, *answers):
    """One welcome that timed out at 46elks (now down), with 46elks' next answers queued,
    swept again when due; returns the row, 46elks' requests and what the secondary sent."""
    welcome_rows(session, 1)
    primary, fake = elks([requests.ReadTimeout("no answer"), *answers])
    secondary = ConsoleTransport(str(tmp_path / "out.jsonl"))
    transport = FailoverTransport(primary, secondary, None, ONE_FAILURE_IS_DOWN)
    assert send_due(NOW, transport=transport).retried == 1
    send_due(NOW + timedelta(minutes=2), transport=transport)
    secondary_sent = (
        (tmp_path / "out.jsonl").read_text().splitlines()
        if (tmp_path / "out.jsonl").exists()
        else []
    )
    [message] = rows(session)
    return message, fake.requests, secondary_sent


def test_after_a_timeout_the_provider_is_asked_and_a_text_it_sent_is_not_sent_again(
    app, session, tmp_path
):
    found = {
        "id": "s" + "7" * 32,
        "direction": "outgoing",
        "created": (NOW + timedelta(seconds=3)).strftime("%Y-%m-%dT%H:%M:%S.%f"),
    }
    message, asked, secondary_sent = timed_out_then(session, tmp_path, (200, history([found])))
    assert [r["method"] for r in asked] == ["POST", "GET"]
    assert asked[1]["params"]["to"] == "+46700000001"
    assert secondary_sent == []
    assert (message.status, message.provider_id, message.provider) == (
        OutboxStatus.SENT,
        "s" + "7" * 32,
        "46elks",
    )


def test_after_a_timeout_a_text_the_provider_did_not_send_goes_through_the_secondary(
    app, session, tmp_path
):
    message, asked, secondary_sent = timed_out_then(session, tmp_path, (200, history([])))
    assert [r["method"] for r in asked] == ["POST", "GET"]
    assert len(secondary_sent) == 1
    assert (message.status, message.provider) == (OutboxStatus.SENT, "console")


def test_after_a_timeout_a_provider_that_cannot_be_asked_makes_the_text_wait(
    app, session, tmp_path
):
    message, asked, secondary_sent = timed_out_then(session, tmp_path, (503, "unavailable"))
    assert [r["method"] for r in asked] == ["POST", "GET"]
    assert secondary_sent == []
    assert message.status == OutboxStatus.PENDING
    assert message.due_at > NOW + timedelta(minutes=2)
