"""A message too long for one text goes as several, never cut: each further part is an
outbox row of its own, sent right after the first, with its own provider id, delivery
reports, retries and crash recovery. Through Twilio's HTTP client with the fake layer."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import decisions
from app.casework.catalog import entries
from app.config import PROJECT_ROOT
from app.models import OutboxMessage, OutboxStatus
from app.outbox.sweep import send_due
from app.transports.twilio import TwilioTransport
from app.words.compose import sms_budget
from app.words.i18n import catalogs
from app.words.languages import UCS2
from app.words.sms_encoding import measure
from tests.factories import create_client
from tests.signing import post_signed
from tests.twilio_fake import FakeTwilioHttp, listing

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
CATALOG = PROJECT_ROOT / "messages" / "catalog"
# Every reason there is: a refusal longer than any real one, in Arabic (UCS-2).
REASONS = list(entries(CATALOG, "reasons"))


class WorkerDied(BaseException):
    """The process stops (SIGKILL, power loss) in the middle of a batch."""


class DyingTwilio(TwilioTransport):
    """Twilio, in front of a worker that dies when it hands over its text number `dies_at`."""

    def __init__(self, config: dict, dies_at: int) -> None:
        super().__init__(config)
        self.dies_at, self.handed = dies_at, 0

    def send(self, outgoing):
        self.handed += 1
        if self.handed == self.dies_at:
            raise WorkerDied
        return super().send(outgoing)


# Delivery reports are stamped with the real clock: freeze it near the test's now.
pytestmark = pytest.mark.frozen_at(NOW + timedelta(minutes=1))


def config(app, http: FakeTwilioHttp) -> dict:
    return app.config | {"TWILIO_HTTP_CLIENT": http, "TWILIO_FROM_NUMBER": "+46846500400"}


def refusal(session) -> None:
    """An Arabic client's refusal with every reason, planned to go out now."""
    client = create_client(session, language="ar", first_name="Layla", last_name="Nasser")
    decisions.decide(session, client, service="boendestod", outcome="refused",
                     reasons=REASONS, now=NOW)  # fmt: skip
    session.commit()


def rows(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def texts(http: FakeTwilioHttp) -> list[str]:
    """The bodies of the texts handed to Twilio, in order."""
    return [
        r["data"]["Body"]
        for r in http.requests
        if r["method"] == "POST" and r["uri"].endswith("/Messages.json")
    ]


def arabic_reasons() -> list[str]:
    return [
        catalogs().gettext("ar", entries(CATALOG, "reasons")[key]["sentence"]) for key in REASONS
    ]


def assert_whole_refusal(bodies: list[str]) -> None:
    """Two texts, each within one text's budget, marked 1/2 and 2/2, every reason whole."""
    assert len(bodies) == 2
    assert bodies[0].endswith("\n(1/2)") and bodies[1].startswith("(2/2)\n")
    assert bodies[0].startswith("مرحبا Layla")  # the first keeps the opening
    for body in bodies:
        assert measure(body).segments <= sms_budget("decision_refused", UCS2, copy=False)
    for reason in arabic_reasons():
        assert sum(reason in body for body in bodies) == 1, reason


def test_a_long_arabic_refusal_arrives_as_two_texts_with_every_reason(app, session):
    refusal(session)
    http = FakeTwilioHttp()
    result = send_due(NOW, transport=TwilioTransport(config(app, http)))
    assert result.sent == 2
    bodies = texts(http)
    assert_whole_refusal(bodies)
    first, second = rows(session)
    assert (first.kind, first.part, first.parts, first.first_part_id) == (
        "decision_refused",
        1,
        2,
        None,
    )
    assert (second.kind, second.part, second.parts, second.first_part_id) == (
        "decision_refused",
        2,
        2,
        first.id,
    )
    assert [first.body, second.body] == bodies
    assert {first.status, second.status} == {OutboxStatus.SENT}
    assert first.provider_id != second.provider_id
    assert second.dedupe_key.startswith(first.dedupe_key + ":part:2:")
    assert (second.subject_type, second.subject_id) == (first.subject_type, first.subject_id)
    # A second sweep sends nothing again.
    assert (
        send_due(NOW + timedelta(minutes=1), transport=TwilioTransport(config(app, http))).sent == 0
    )
    assert len(texts(http)) == 2


def report(client, sid: str, status: str, code: str = ""):
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC1"}
    if code:
        params["ErrorCode"] = code
    return post_signed(client, "/twilio/status", params)


def test_delivery_reports_and_retries_are_per_part(app, client, session):
    refusal(session)
    http = FakeTwilioHttp()
    send_due(NOW, transport=TwilioTransport(config(app, http)))
    first, second = rows(session)
    assert report(client, second.provider_id, "delivered").status_code == 200
    assert report(client, first.provider_id, "undelivered", "30003").status_code == 200
    first, second, retry = rows(session)
    assert (first.status, second.status) == (OutboxStatus.UNDELIVERED, OutboxStatus.DELIVERED)
    # The part that did not arrive is tried again as it was, alone: the client has part 2.
    assert (retry.part, retry.parts, retry.body) == (1, 2, first.body)
    assert retry.dedupe_key == f"{first.dedupe_key}:retry:1"
    later = send_due(retry.due_at, transport=TwilioTransport(config(app, http)))
    assert later.sent == 1
    assert texts(http)[2:] == [first.body]
    assert len(rows(session)) == 3


def test_a_worker_that_dies_between_the_parts_sends_each_part_once(app, session):
    refusal(session)
    http = FakeTwilioHttp()
    with pytest.raises(WorkerDied):
        send_due(NOW, transport=DyingTwilio(config(app, http), dies_at=2))
    assert len(texts(http)) == 1  # part 1 reached Twilio; the worker died before part 2
    first, second = rows(session)
    assert (first.status, second.status) == ("sending", "sending")
    part_one = texts(http)[0]
    sid = "SM" + f"{1:032d}"  # the fake's id for the first request
    created = "Wed, 04 Mar 2026 09:00:05 +0000"
    found = listing(
        "messages", [{"sid": sid, "direction": "outbound-api", "date_created": created}]
    )
    later = FakeTwilioHttp([(200, found), (200, found)])
    result = send_due(NOW + timedelta(minutes=11), transport=TwilioTransport(config(app, later)))
    assert result.recovered == 2 and result.sent == 1
    first, second = rows(session)
    assert (first.status, first.provider_id) == (OutboxStatus.SENT, sid)
    assert second.status == OutboxStatus.SENT and second.provider_id not in (None, sid)
    assert texts(later) == [second.body]  # part 2 as it was composed, part 1 not again
    assert_whole_refusal([part_one, second.body])


def test_a_worker_that_dies_before_any_part_went_out_sends_the_message_once(app, session):
    refusal(session)
    http = FakeTwilioHttp()
    with pytest.raises(WorkerDied):
        send_due(NOW, transport=DyingTwilio(config(app, http), dies_at=1))
    assert texts(http) == []
    stranded_key = rows(session)[1].dedupe_key
    nothing = listing("messages", [])
    later = FakeTwilioHttp([(200, nothing), (200, nothing)])
    result = send_due(NOW + timedelta(minutes=11), transport=TwilioTransport(config(app, later)))
    assert result.sent == 2
    assert_whole_refusal(texts(later))
    first, second = rows(session)  # the stranded part is gone; the message was made afresh
    assert second.dedupe_key != stranded_key and second.first_part_id == first.id
    assert {first.status, second.status} == {OutboxStatus.SENT}
    assert [first.body, second.body] == texts(later)


def test_a_refused_first_part_takes_its_other_parts_with_it(app, session):
    refusal(session)
    http = FakeTwilioHttp([(400, {"code": 21211, "message": "bad number", "status": 400})])
    result = send_due(NOW, transport=TwilioTransport(config(app, http)))
    assert (result.failed, result.sent) == (1, 0)
    (only,) = rows(session)  # no part 2 waits to go out alone
    assert only.status == OutboxStatus.FAILED and only.first_part_id is None
