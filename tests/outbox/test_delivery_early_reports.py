"""Delivery reports that reach us before the sweep has recorded the message's id are kept
and applied once the id is known, by the same rules as any report (app/outbox/delivery.py).

Twilio's status callback can beat its answer to our request, and the sweep records a
whole batch in one commit. Here Twilio (the twilio library over a fake HTTP layer) posts
its signed report to the real webhook before it answers the sweep's request.
"""

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from app.db import get_engine
from app.models import AuditEvent, Client, OutboxMessage, OutboxStatus
from app.outbox.planner import add_message
from app.outbox.sweep import claim_due, send_due
from app.retention import run_retention
from app.transports.twilio import TwilioTransport
from tests.factories import book_appointment, create_client
from tests.signing import BASE, post_signed
from tests.twilio_fake import FakeTwilioHttp

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
# Booked at short notice: every reminder time has passed, so one reminder goes out at once.
MEETING = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
UNKNOWN = "SM" + "7" * 32

# Reports are stamped with the real clock: freeze it at the sweep's now.
pytestmark = pytest.mark.frozen_at(NOW)


def report_params(sid: str, path: str, status: str, code: str = "") -> dict:
    """What Twilio posts to a status callback."""
    if path == "/twilio/voice/status":
        return {"CallSid": sid, "CallStatus": status, "Direction": "outbound-api"}
    return {"MessageSid": sid, "MessageStatus": status, "ErrorCode": code, "AccountSid": "AC1"}


class TwilioReportsFirst(FakeTwilioHttp):
    """Twilio whose status callbacks reach us before its answer to the create request:
    for each message or call it creates, it posts the given reports to the callback URL
    the request named, and only then answers."""

    def __init__(self, web, sms: list[tuple] = (), voice: list[tuple] = ()) -> None:
        super().__init__()
        self.web = web
        self.reports = {"/twilio/status": list(sms), "/twilio/voice/status": list(voice)}
        self.answers: list[int] = []  # what our webhook answered

    def request(self, method, uri, *args, **kwargs):
        response = super().request(method, uri, *args, **kwargs)
        callback = self.requests[-1]["data"].get("StatusCallback")
        if method == "POST" and callback:
            path = callback.removeprefix(BASE)
            for report in self.reports[path]:
                params = report_params(json.loads(response.text)["sid"], path, *report)
                self.answers.append(post_signed(self.web, path, params).status_code)
        return response


def twilio(app, http: FakeTwilioHttp) -> TwilioTransport:
    return TwilioTransport(
        app.config | {"TWILIO_HTTP_CLIENT": http, "TWILIO_FROM_NUMBER": "+46846500400"}
    )


def outbox(session, **where) -> list[OutboxMessage]:
    session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for field, value in where.items():
        query = query.where(getattr(OutboxMessage, field) == value)
    return list(session.exec(query))


def reminder(session, channel: str = "sms") -> OutboxMessage:
    """The reminder the sweep sent (not a retry or a call instead)."""
    (row,) = [
        m
        for m in outbox(session, kind="appointment_reminder", channel=channel)
        if ":retry:" not in m.dedupe_key and not m.dedupe_key.endswith(":call")
    ]
    return row


def derived(session, suffix: str) -> list[OutboxMessage]:
    """Rows planned from another: retries (":retry:1") or a call instead (":call")."""
    return [m for m in outbox(session) if m.dedupe_key.endswith(suffix)]


def kept(session) -> list:
    from app.models.messaging import EarlyReport

    session.expire_all()
    return list(session.exec(select(EarlyReport)))


def booked(session, channel: str):
    client = create_client(session, channel=channel)
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    return client


def test_an_undelivered_sms_reported_before_the_sweep_commits_is_tried_again(app, client, session):
    booked(session, "sms")
    http = TwilioReportsFirst(client, sms=[("queued", ""), ("undelivered", "30003")])
    assert send_due(NOW, transport=twilio(app, http)).sent >= 1
    assert http.answers and set(http.answers) == {200}
    row = reminder(session)
    assert (row.status, row.last_error) == (OutboxStatus.UNDELIVERED, "Twilio error 30003")
    assert row.final_at == NOW
    (retry,) = [m for m in derived(session, ":retry:1") if m.kind == "appointment_reminder"]
    assert retry.status == OutboxStatus.PENDING and retry.due_at == NOW + timedelta(minutes=15)
    assert kept(session) == []  # applied, not left behind


def test_a_delivered_report_before_the_commit_holds_against_later_ones(app, client, session):
    booked(session, "sms")
    http = TwilioReportsFirst(client, sms=[("sent", ""), ("delivered", "")])
    send_due(NOW, transport=twilio(app, http))
    row = reminder(session)
    assert row.status == OutboxStatus.DELIVERED
    for late in ("sending", "undelivered"):  # out of order, after the commit
        params = report_params(row.provider_id, "/twilio/status", late, "30003")
        assert post_signed(client, "/twilio/status", params).status_code == 200
    assert reminder(session).status == OutboxStatus.DELIVERED
    assert derived(session, ":retry:1") == []


def test_a_permanent_failure_before_the_commit_marks_the_number_and_calls_instead(
    app, client, session
):
    sara = booked(session, "both")
    http = TwilioReportsFirst(client, sms=[("failed", "30006")])
    send_due(NOW, transport=twilio(app, http))
    assert reminder(session).status == OutboxStatus.FAILED
    session.expire_all()
    assert session.get(Client, sara.id).unreachable_at == NOW
    flag = session.exec(select(AuditEvent).where(AuditEvent.action == "number_unreachable")).one()
    assert "30006" in flag.detail
    (call,) = derived(session, ":call")
    assert (call.channel, call.status, call.due_at) == ("voice", OutboxStatus.PENDING, NOW)


def test_an_unanswered_call_reported_before_the_sweep_commits_is_tried_again(app, client, session):
    booked(session, "voice")
    http = TwilioReportsFirst(client, voice=[("initiated",), ("ringing",), ("no-answer",)])
    send_due(NOW, transport=twilio(app, http))
    assert set(http.answers) == {200}
    row = reminder(session, "voice")
    assert (row.status, row.last_error) == (OutboxStatus.UNDELIVERED, "call no answer")
    (retry,) = derived(session, ":retry:1")
    assert (retry.channel, retry.due_at) == ("voice", NOW + timedelta(minutes=15))


def test_an_answered_call_reported_before_the_sweep_commits_is_delivered(app, client, session):
    booked(session, "voice")
    http = TwilioReportsFirst(client, voice=[("in-progress",), ("completed",)])
    send_due(NOW, transport=twilio(app, http))
    assert reminder(session, "voice").status == OutboxStatus.DELIVERED
    assert derived(session, ":retry:1") == []


def test_a_report_on_a_message_crash_recovery_finds_is_applied_when_it_is_adopted(
    app, client, session
):
    """The worker handed the message over and died before recording it; Twilio's report
    came meanwhile. Recovery finds the message at Twilio and the report then counts."""
    sara = create_client(session)
    add_message(session, kind="welcome", client=sara, dedupe_key="w", due_at=NOW,
                subject_type="client", subject_id=sara.id)  # fmt: skip
    session.commit()
    (stranded,) = claim_due(session, NOW, 10)  # the worker that then died
    sid = "SM" + "4" * 32
    params = report_params(sid, "/twilio/status", "undelivered", "30003")
    assert post_signed(client, "/twilio/status", params).status_code == 200
    listing = {
        "messages": [
            {"sid": "SM" + "5" * 32, "direction": "outbound-reply",
             "date_created": "Mon, 02 Mar 2026 08:02:00 +0000"},
            {"sid": sid, "direction": "outbound-api",
             "date_created": "Mon, 02 Mar 2026 08:00:01 +0000"},
        ],
        "next_page_uri": None, "page": 0, "page_size": 20,
    }  # fmt: skip
    http = FakeTwilioHttp([(200, listing)])
    result = send_due(NOW + timedelta(minutes=11), transport=twilio(app, http))
    assert (result.recovered, result.sent) == (1, 0)
    row = outbox(session, id=stranded.id)[0]
    assert (row.provider_id, row.status) == (sid, OutboxStatus.UNDELIVERED)
    (retry,) = derived(session, ":retry:1")
    assert retry.due_at == NOW + timedelta(minutes=15)
    assert [r["method"] for r in http.requests] == ["GET"]  # never sent twice
    assert kept(session) == []


def test_progress_reports_on_unknown_ids_are_not_kept(client, session):
    for status in ("queued", "sent", "sending", "nonsense"):
        params = report_params(UNKNOWN, "/twilio/status", status)
        assert post_signed(client, "/twilio/status", params).status_code == 200
    params = report_params("CA" + "7" * 32, "/twilio/voice/status", "ringing")
    assert post_signed(client, "/twilio/voice/status", params).status_code == 200
    assert kept(session) == []


def test_reports_no_message_ever_claims_are_purged_after_two_days(client, session):
    params = report_params(UNKNOWN, "/twilio/status", "delivered")
    assert post_signed(client, "/twilio/status", params).status_code == 200
    params = report_params("CA" + "7" * 32, "/twilio/voice/status", "completed")
    assert post_signed(client, "/twilio/voice/status", params).status_code == 200
    assert {(r.provider_id[:2], r.channel, r.status) for r in kept(session)} == {
        ("SM", "sms", "delivered"),
        ("CA", "voice", "completed"),
    }
    assert run_retention(NOW + timedelta(days=1, hours=23))["early delivery reports"] == 0
    assert len(kept(session)) == 2
    assert run_retention(NOW + timedelta(days=2, minutes=1))["early delivery reports"] == 2
    assert kept(session) == []


# The race itself: the webhook and the sweep each look for the other's write.


@dataclass
class Step:
    """A database statement of the sweep (this thread) or of the webhook (its thread)."""

    who: str  # "sweep" or "webhook"
    verb: str  # how the statement starts: "select", "insert", "delete"
    table: str
    arrived: threading.Event | None = None  # set when it is about to run
    hold: threading.Event | None = None  # it runs only once this is set
    done: threading.Event | None = None  # set once it has run
    nth: int = 1  # which of that thread's matching statements
    armed: threading.Event | None = None  # statements count only once this is set
    seen: int = 0


class Choreography:
    """Puts the statements of the sweep and of one webhook request in a chosen order."""

    def __init__(self, engine, steps: list[Step]) -> None:
        self.engine = engine
        self.steps = steps
        self.sweep = threading.get_ident()
        self.webhook: int | None = None
        self.running = threading.local()
        self.timeouts: list[str] = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.before)
        event.listen(self.engine, "after_cursor_execute", self.after)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self.before)
        event.remove(self.engine, "after_cursor_execute", self.after)

    def before(self, _conn, _cursor, statement, *_args) -> None:
        who = {self.sweep: "sweep", self.webhook: "webhook"}.get(threading.get_ident())
        text = " ".join(statement.split()).lower()
        self.running.steps = []
        for step in self.steps:
            if step.who != who or not text.startswith(step.verb):
                continue
            if f" {step.table} " not in f"{text} " or (step.armed and not step.armed.is_set()):
                continue
            step.seen += 1
            if step.seen != step.nth:
                continue
            self.running.steps.append(step)
            if step.arrived:
                step.arrived.set()
            if step.hold and not step.hold.wait(15):
                self.timeouts.append(f"{step.who} {step.verb} {step.table}")

    def after(self, *_args) -> None:
        for step in getattr(self.running, "steps", []):
            if step.done:
                step.done.set()
        self.running.steps = []

    def post_in_thread(self, web, path: str, params: dict, answers: list) -> threading.Thread:
        def post() -> None:
            self.webhook = threading.get_ident()
            answers.append(post_signed(web, path, params).status_code)

        thread = threading.Thread(target=post)
        thread.start()
        return thread


class TwilioReportsDuringTheCommit(FakeTwilioHttp):
    """Twilio whose report on the message is posted (in another thread) while the sweep
    records the message; it answers the sweep once `answer_when` is set."""

    def __init__(self, web, choreography: Choreography, answer_when: threading.Event) -> None:
        super().__init__()
        self.web, self.choreography, self.answer_when = web, choreography, answer_when
        self.answers: list[int] = []
        self.threads: list[threading.Thread] = []

    def request(self, method, uri, *args, **kwargs):
        response = super().request(method, uri, *args, **kwargs)
        sid = json.loads(response.text)["sid"]
        params = report_params(sid, "/twilio/status", "undelivered", "30003")
        self.threads.append(
            self.choreography.post_in_thread(self.web, "/twilio/status", params, self.answers)
        )
        if not self.answer_when.wait(15):
            self.choreography.timeouts.append("the webhook never started")
        return response


def welcome_due(session) -> None:
    sara = create_client(session)
    add_message(session, kind="welcome", client=sara, dedupe_key="w", due_at=NOW,
                subject_type="client", subject_id=sara.id)  # fmt: skip
    session.commit()


def sweep_with(app, client, steps: list[Step], answer_when: threading.Event) -> None:
    """One sweep of the due welcome, Twilio's report on it posted as `steps` order it."""
    with Choreography(get_engine(), steps) as choreography:
        http = TwilioReportsDuringTheCommit(client, choreography, answer_when)
        send_due(NOW, transport=twilio(app, http))
        for thread in http.threads:
            thread.join(30)
    assert choreography.timeouts == []
    assert http.answers == [200]


def the_welcome_failed_once(session) -> None:
    (row,) = outbox(session, kind="welcome", dedupe_key="w")
    assert (row.status, row.last_error) == (OutboxStatus.UNDELIVERED, "Twilio error 30003")
    (retry,) = derived(session, ":retry:1")
    assert retry.status == OutboxStatus.PENDING
    assert derived(session, ":retry:2") == []
    assert kept(session) == []


def test_a_report_kept_after_the_sweep_looked_is_applied_by_the_webhook(app, client, session):
    """The webhook looks for the id before the sweep has committed it and keeps the report
    only after the sweep has looked for kept reports: looking again, the webhook applies
    it itself."""
    welcome_due(session)
    webhook_keeps, sweep_looked = threading.Event(), threading.Event()
    steps = [
        Step("webhook", "insert", "early_report", arrived=webhook_keeps, hold=sweep_looked),
        Step("sweep", "select", "early_report", done=sweep_looked),
    ]
    sweep_with(app, client, steps, answer_when=webhook_keeps)
    the_welcome_failed_once(session)


def test_a_report_both_sides_find_is_applied_once(app, client, session):
    """The report is kept before the sweep commits, and the webhook looks again after it:
    both find it, one takes it, it is applied once (one retry, no error)."""
    welcome_due(session)
    webhook_kept, sweep_looked = threading.Event(), threading.Event()
    sweep_took, webhook_looked = threading.Event(), threading.Event()
    steps = [
        # The webhook looks again for the message only after the sweep has committed it
        # and looked for kept reports ...
        Step("webhook", "select", "outbox_message", nth=2, arrived=webhook_kept,
             hold=sweep_looked),
        Step("sweep", "select", "early_report", done=sweep_looked),
        # ... and for the report while the sweep's taking of it is not yet committed.
        Step("sweep", "delete", "early_report", done=sweep_took),
        Step("webhook", "select", "early_report", hold=sweep_took, done=webhook_looked),
        Step("sweep", "select", "outbox_message", armed=sweep_took, hold=webhook_looked),
    ]  # fmt: skip
    sweep_with(app, client, steps, answer_when=webhook_kept)
    the_welcome_failed_once(session)
