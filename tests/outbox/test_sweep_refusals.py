"""The provider refusing every message (HTTP 429, or our credentials refused): the messages
wait instead of failing, are marked for the operations check, and the sweep says it is alive."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import OutboxMessage, OutboxStatus, WorkerHeartbeat
from app.outbox.sweep import REFUSED_PREFIX, THROTTLE_PAUSE, send_due
from app.transports import Accepted, TransportError
from tests.factories import book_appointment, create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MEETING = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(MEETING - timedelta(hours=1))


class Refusing:
    """Refuses every message with one error."""

    name = "refusing"

    def __init__(self, error: TransportError) -> None:
        self.error = error
        self.tries = 0

    def send(self, outgoing):
        self.tries += 1
        raise self.error


class Accepting:
    name = "accepting"

    def __init__(self) -> None:
        self.sent = 0

    def send(self, outgoing):
        self.sent += 1
        return Accepted(f"SM{self.sent:032d}")


def reminders(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "appointment_reminder")
            .order_by(OutboxMessage.due_at)
        )
    )


@pytest.fixture
def two_due(session):
    client = create_client(session)
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    return MEETING - timedelta(hours=1)  # both reminders are due


def test_wrong_credentials_do_not_fail_every_message(session, two_due):
    refused = TransportError("Twilio HTTP 401 code 20003", permanent=True, code="20003")
    transport = Refusing(refused)
    result = send_due(two_due, transport=transport)
    assert transport.tries == 1  # the sweep stops at the first refusal
    assert (result.failed, result.throttled) == (0, 1)
    rows = reminders(session)
    assert {m.status for m in rows} == {OutboxStatus.PENDING}
    (first,) = [m for m in rows if m.last_error]
    assert first.due_at == two_due + THROTTLE_PAUSE
    assert first.attempts == 0
    assert first.last_error.startswith(f"{REFUSED_PREFIX} (auth)")
    assert "20003" in first.last_error
    # Once the credentials are fixed, both go out.
    assert send_due(two_due + THROTTLE_PAUSE, transport=Accepting()).sent == 2


def test_a_throttled_message_is_marked_as_refused(session, two_due):
    transport = Refusing(TransportError("Twilio HTTP 429", permanent=False, code="20429"))
    send_due(two_due, transport=transport)
    (refused,) = [m for m in reminders(session) if m.last_error]
    assert refused.last_error.startswith(f"{REFUSED_PREFIX} (throttled)")


def test_an_invalid_number_still_fails_for_good(session, two_due):
    transport = Refusing(TransportError("Twilio HTTP 400 code 21211", permanent=True, code="21211"))
    result = send_due(two_due, transport=transport)
    assert result.failed == 2
    assert {m.status for m in reminders(session)} == {OutboxStatus.FAILED}


def test_each_batch_of_a_sweep_notes_the_worker_alive(session, two_due):
    send_due(two_due, transport=Accepting(), batch_size=1)
    beat = session.exec(select(WorkerHeartbeat)).one()
    assert (beat.job, beat.last_run_at) == ("send-due", MEETING - timedelta(hours=1))
