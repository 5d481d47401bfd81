"""/healthz notices a silent worker and late messages (app/health.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app import health
from app.models import Client, OutboxMessage, Unit, WorkerHeartbeat, utcnow
from app.outbox import message_control
from app.outbox.sweep import send_due
from app.transports import TransportError
from app.worker import Job, run_job
from tests.factories import book_appointment, create_client

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(NOW)


def beat(session, ago: timedelta, job: str = "send-due") -> None:
    health.record_run(session, job, NOW - ago, duration=0.2, succeeded=True)


def due_message(session, waited: timedelta, **values) -> OutboxMessage:
    client = session.exec(select(Client)).first() or create_client(session)
    message = OutboxMessage(
        kind="welcome", client_id=client.id, dedupe_key=f"w{waited}", due_at=NOW - waited,
        **values,
    )  # fmt: skip
    session.add(message)
    session.commit()
    return message


def test_a_worker_that_swept_recently_is_ok(client, session):
    beat(session, timedelta(seconds=10))  # 3 intervals of 5 s are 15 s
    due_message(session, timedelta(minutes=2))
    response = client.get("/healthz?strict=1")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_a_worker_silent_for_three_intervals_is_degraded_and_says_why(client, session):
    beat(session, timedelta(minutes=12))
    response = client.get("/healthz")
    assert response.status_code == 200  # a load balancer keeps sending traffic
    body = response.get_json()
    assert body["status"] == "degraded" and body["database"] == "ok"
    assert [r["code"] for r in body["reasons"]] == ["worker_silent"]
    assert "12 min ago" in body["reasons"][0]["text"]


def test_strict_asks_for_503_when_degraded(client, session):
    beat(session, timedelta(minutes=12))
    response = client.get("/healthz?strict=1")
    assert response.status_code == 503
    assert response.get_json()["status"] == "degraded"


def test_just_within_three_intervals_is_still_ok(app, client, session):
    app.config["WORKER_INTERVAL_SECONDS"] = 60
    beat(session, timedelta(seconds=179))
    assert client.get("/healthz?strict=1").status_code == 200
    beat(session, timedelta(seconds=181))
    assert client.get("/healthz?strict=1").status_code == 503


def test_a_message_due_longer_than_the_limit_is_degraded(client, session):
    beat(session, timedelta(seconds=2))
    due_message(session, timedelta(minutes=16))  # the limit is 15 minutes
    body = client.get("/healthz").get_json()
    assert body["status"] == "degraded"
    assert [r["code"] for r in body["reasons"]] == ["oldest_due"]
    assert "16 min" in body["reasons"][0]["text"]


def test_only_pending_messages_count_as_waiting(client, session):
    beat(session, timedelta(seconds=2))
    due_message(session, timedelta(hours=3), status="sent")
    due_message(session, timedelta(hours=2), status="failed")
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_a_worker_that_never_ran_is_news_only_when_something_waits(client, session):
    assert client.get("/healthz").get_json()["status"] == "ok"
    due_message(session, timedelta(seconds=30))
    body = client.get("/healthz").get_json()
    assert body["status"] == "degraded"
    assert [r["code"] for r in body["reasons"]] == ["worker_silent"]
    assert body["reasons"][0]["text"] == "the worker has never run the sweep"


def test_no_reason_names_a_client_or_a_number(client, session):
    beat(session, timedelta(hours=1))
    due_message(session, timedelta(hours=1))
    text = client.get("/healthz").get_data(as_text=True)
    assert "+4670" not in text and "Sara" not in text


def test_the_heartbeat_is_one_row_per_job_updated_by_each_run(session):
    beat(session, timedelta(minutes=5))
    health.record_run(session, "send-due", NOW, duration=1.5, succeeded=False)
    health.record_run(session, "send-due", NOW + timedelta(seconds=1))  # the moment only
    rows = session.exec(select(WorkerHeartbeat)).all()
    assert [(r.job, r.last_run_at, r.duration_seconds, r.succeeded) for r in rows] == [
        ("send-due", NOW + timedelta(seconds=1), 1.5, False)
    ]


class Refusing:
    """Twilio refusing Tydligt's credentials (HTTP 401, error 20003) on every message."""

    name = "refusing"

    def send(self, outgoing):
        raise TransportError("Twilio HTTP 401 code 20003", permanent=True, code="20003")


class Unavailable:
    """A provider that fails each message for now (HTTP 503): retried later."""

    name = "unavailable"

    def send(self, outgoing):
        raise TransportError("Twilio HTTP 503", permanent=False)


def reminder_due_since_yesterday(session) -> datetime:
    """A meeting this afternoon booked two days ago: its day-before reminder is long due.
    Returns when the first reminder was due."""
    sara = create_client(session)
    book_appointment(session, sara, starts_at=NOW + timedelta(hours=5), now=NOW - timedelta(days=2))
    due = [m.due_at for m in session.exec(select(OutboxMessage)) if m.due_at <= NOW]
    assert due, "the booking plans a reminder due before now"
    return min(due)


def test_a_message_the_provider_keeps_refusing_is_late_from_when_it_was_first_due(
    client, session, frozen_clock
):
    first_due = reminder_due_since_yesterday(session)
    moment = NOW
    for _ in range(4):  # each refusal makes the message wait 30 s more
        send_due(moment, transport=Refusing())
        moment += timedelta(seconds=30)
        frozen_clock.move_to(moment)
    response = client.get("/healthz?strict=1")
    assert response.status_code == 503
    reasons = {r["code"]: r["text"] for r in response.get_json()["reasons"]}
    minutes = int((moment - first_due).total_seconds() // 60)
    assert f"has waited {minutes} min" in reasons["oldest_due"]


def test_a_message_waiting_for_its_retry_is_still_late(client, session):
    first_due = reminder_due_since_yesterday(session)
    send_due(NOW, transport=Unavailable())
    waiting = session.exec(select(OutboxMessage).where(OutboxMessage.last_error != None)).all()  # noqa: E711
    assert waiting and all(m.due_at > NOW for m in waiting)  # each waits for its retry
    body = client.get("/healthz").get_json()
    assert [r["code"] for r in body["reasons"]] == ["oldest_due"]
    assert f"{int((NOW - first_due).total_seconds() // 60)} min" in body["reasons"][0]["text"]


def test_a_message_postponed_to_the_sending_window_is_not_late(client, session, frozen_clock):
    evening = NOW + timedelta(hours=11, minutes=30)  # 21:30 in Stockholm: outside the window
    sara = create_client(session)
    unit = session.get(Unit, sara.unit_id)
    unit.sending_window = "08:00-20:00"
    session.add(unit)
    book_appointment(session, sara, starts_at=NOW + timedelta(days=1, hours=5), now=NOW)
    reminder = session.exec(
        select(OutboxMessage).where(OutboxMessage.due_at <= evening, OutboxMessage.channel == "sms")
    ).first()
    assert reminder is not None
    reminder.first_due_at, reminder.due_at = reminder.due_at, evening  # it failed, and retries
    session.add(reminder)
    session.commit()
    frozen_clock.move_to(evening)
    assert send_due(evening, transport=Unavailable()).postponed >= 1
    session.refresh(reminder)
    assert reminder.due_at > evening and reminder.first_due_at is None  # tomorrow at 08:00
    assert client.get("/healthz?strict=1").status_code == 200


def test_rows_left_in_sending_count_as_late(client, session):
    beat(session, timedelta(seconds=2))
    due_message(session, timedelta(minutes=40), status="sending", claim_token="t",
                claimed_at=NOW - timedelta(minutes=39))  # fmt: skip
    body = client.get("/healthz").get_json()
    assert [r["code"] for r in body["reasons"]] == ["oldest_due"]
    assert "40 min" in body["reasons"][0]["text"]


def test_a_sweep_that_fails_every_run_is_degraded_until_one_succeeds(client, session):
    for seconds in (15, 10):
        health.record_run(session, "send-due", NOW - timedelta(seconds=seconds), succeeded=False)
    health.record_run(session, "send-due", NOW - timedelta(seconds=8))  # a batch: no verdict
    assert client.get("/healthz").get_json()["status"] == "ok"  # two may be a passing blip
    health.record_run(session, "send-due", NOW - timedelta(seconds=5), succeeded=False)
    body = client.get("/healthz?strict=1")
    assert body.status_code == 503
    [reason] = body.get_json()["reasons"]
    assert reason["code"] == "sweep_failing"
    assert "failed its last 3 runs" in reason["text"]
    health.record_run(session, "send-due", NOW, succeeded=True)
    assert client.get("/healthz?strict=1").status_code == 200


def test_a_sweep_that_crashes_every_run_is_degraded(app, client, session, frozen_clock):
    """A bug in sending: each sweep settles the row its predecessor left in `sending`
    (CLAIM_TIMEOUT_SECONDS later), claims it again and crashes again."""
    app.config["CLAIM_TIMEOUT_SECONDS"] = 1
    first_due = reminder_due_since_yesterday(session)

    class Broken:
        name = "broken"

        def send(self, outgoing):
            raise ValueError("a bug, not a provider error")

        def find_sent(self, message_id, to, channel, since):
            return []  # never handed over

    moment = NOW
    for _ in range(4):
        with pytest.raises(ValueError):
            run_job(Job("send-due", 5, lambda: send_due(utcnow(), transport=Broken())))
        moment += timedelta(seconds=5)
        frozen_clock.move_to(moment)
    body = client.get("/healthz?strict=1").get_json()
    reasons = {r["code"]: r["text"] for r in body["reasons"]}
    assert set(reasons) == {"sweep_failing", "oldest_due"}
    assert f"{int((moment - first_due).total_seconds() // 60)} min" in reasons["oldest_due"]


def test_a_failed_message_sent_again_by_staff_is_due_from_now(client, session):
    beat(session, timedelta(seconds=2))
    message = due_message(session, timedelta(hours=2), status="failed",
                          first_due_at=NOW - timedelta(hours=3))  # fmt: skip
    message_control.send_again(session, message, NOW)
    session.commit()
    assert client.get("/healthz?strict=1").status_code == 200
