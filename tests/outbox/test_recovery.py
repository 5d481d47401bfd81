"""Provider limits and crashes: a 429 slows the sweep down, and rows a stopped worker left in
`sending` are settled by the documented rule (app/outbox/recovery.py)."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select
from twilio.rest import Client as TwilioClient

from app.models import Client, OutboxMessage, OutboxStatus, StaffUser
from app.outbox.planner import add_message
from app.outbox.sweep import claim_due, send_due
from app.transports import Accepted, Outgoing, TransportError
from app.transports.twilio import TwilioTransport
from tests.factories import book_appointment, create_client
from tests.twilio_fake import FakeTwilioHttp, error_body, listing

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


class RecordingTransport:
    """Accepts everything; can be told what the provider 'has' for lookups."""

    name = "recording"

    def __init__(self, *errors: TransportError, known: list[str] | None = None) -> None:
        self.errors = list(errors)
        self.sent: list[Outgoing] = []
        self.known = known or []
        self.lookup_fails = False

    def send(self, outgoing):
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(outgoing)
        return Accepted(f"SM{len(self.sent):032d}")

    def find_sent(self, message_id, to, channel, since):
        if self.lookup_fails:
            raise TransportError("lookup failed", permanent=False)
        return list(self.known)


def welcome_rows(session, count: int):
    client = create_client(session)
    for n in range(count):
        add_message(session, kind="welcome", client=client, dedupe_key=f"w{n}", due_at=NOW,
                    subject_type="client", subject_id=client.id)  # fmt: skip
    session.commit()
    return client


def rows(session):
    session.expire_all()
    return session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_http_429_stops_the_sweep_and_gives_the_rest_back_without_counting_a_try(app, session):
    welcome_rows(session, 3)
    transport = RecordingTransport(TransportError("Twilio HTTP 429", permanent=False, code="20429"))
    result = send_due(NOW, transport=transport)
    assert (result.throttled, result.sent) == (1, 0)
    first, *rest = rows(session)
    assert first.status == "pending" and first.due_at == NOW + timedelta(seconds=30)
    assert all(r.status == "pending" and r.due_at == NOW for r in rest)
    assert all(r.attempts == 0 for r in [first, *rest])
    assert send_due(NOW + timedelta(seconds=30), transport=transport).sent == 3


def _strand(session, count: int, claimed_at: datetime):
    """Rows as a killed worker leaves them: claimed, in `sending`, nothing recorded."""
    welcome_rows(session, count)
    claimed = claim_due(session, claimed_at, 100)
    assert len(claimed) == count
    return claimed


def test_a_row_never_handed_over_is_sent_once_after_the_timeout(app, session):
    _strand(session, 1, NOW)
    transport = RecordingTransport()
    early = send_due(NOW + timedelta(minutes=5), transport=transport)
    assert early.recovered == 0 and rows(session)[0].status == "sending"
    late = send_due(NOW + timedelta(minutes=11), transport=transport)
    assert (late.recovered, late.sent) == (1, 1)
    row = rows(session)[0]
    assert row.status == "sent" and row.attempts == 1
    assert len(transport.sent) == 1


def test_a_row_the_provider_has_is_marked_sent_not_sent_again(app, session):
    _strand(session, 1, NOW)
    transport = RecordingTransport(known=["SMfound"])
    result = send_due(NOW + timedelta(minutes=11), transport=transport)
    assert (result.recovered, result.sent) == (1, 0)
    row = rows(session)[0]
    assert (row.status, row.provider_id) == ("sent", "SMfound")
    assert transport.sent == []


def test_a_provider_id_another_row_owns_does_not_count(app, session):
    sara = _strand(session, 1, NOW)[0]
    staff = session.get(StaffUser, session.get(Client, sara.client_id).caseworker_id)
    other = create_client(session, staff, phone="+46700000009", first_name="Ola")
    session.add(OutboxMessage(kind="welcome", client_id=other.id, dedupe_key="o", due_at=NOW,
                              status="sent", provider_id="SMother"))  # fmt: skip
    session.commit()
    transport = RecordingTransport(known=["SMother"])
    send_due(NOW + timedelta(minutes=11), transport=transport)
    stranded = rows(session)[0]
    assert stranded.status == "sent" and stranded.provider_id != "SMother"
    assert len(transport.sent) == 1


def test_when_the_provider_cannot_be_asked_the_row_waits_then_goes_to_staff(app, session):
    _strand(session, 1, NOW)
    transport = RecordingTransport()
    transport.lookup_fails = True
    send_due(NOW + timedelta(minutes=11), transport=transport)
    assert rows(session)[0].status == "sending"
    send_due(NOW + timedelta(hours=25), transport=transport)
    row = rows(session)[0]
    assert row.status == OutboxStatus.FAILED and "may or may not" in row.last_error
    assert transport.sent == []


def test_twilio_gets_a_validity_period_and_is_asked_by_number(app):
    http = FakeTwilioHttp(
        [
            (201, {"sid": "SM1", "status": "queued"}),
            (200, {"messages": [
                {"sid": "SMnew", "direction": "outbound-api",
                 "date_created": "Wed, 04 Mar 2026 09:00:30 +0000"},
                {"sid": "SMold", "direction": "outbound-api",
                 "date_created": "Tue, 03 Mar 2026 09:00:00 +0000"},
                {"sid": "SMin", "direction": "inbound",
                 "date_created": "Wed, 04 Mar 2026 09:00:40 +0000"},
                {"sid": "SMreply", "direction": "outbound-reply",
                 "date_created": "Wed, 04 Mar 2026 09:00:41 +0000"},
                {"sid": "SMfromcall", "direction": "outbound-call",
                 "date_created": "Wed, 04 Mar 2026 09:00:42 +0000"},
            ], "next_page_uri": None, "page": 0, "page_size": 20}),
        ]
    )  # fmt: skip
    transport = TwilioTransport(app.config | {"TWILIO_HTTP_CLIENT": http,
                                              "TWILIO_FROM_NUMBER": "+46846500400"})  # fmt: skip
    assert isinstance(transport.client, TwilioClient)
    transport.send(Outgoing(1, "+46700000001", "sms", "welcome", "Hej", "sv", "GSM7", 1))
    assert http.requests[0]["data"]["ValidityPeriod"] == 14400
    found = transport.find_sent(1, "+46700000001", "sms", NOW)
    assert found == ["SMnew"]
    assert http.requests[1]["method"] == "GET"


def test_a_failed_twilio_lookup_is_a_transport_error(app):
    http = FakeTwilioHttp([(500, error_body(20500, 500))])
    transport = TwilioTransport(app.config | {"TWILIO_HTTP_CLIENT": http})
    try:
        transport.find_sent(1, "+46700000001", "voice", NOW)
    except TransportError as exc:
        assert not exc.permanent
    else:
        raise AssertionError("a failed lookup must raise")


def twilio(app, http: FakeTwilioHttp) -> TwilioTransport:
    return TwilioTransport(app.config | {"TWILIO_HTTP_CLIENT": http,
                                         "TWILIO_FROM_NUMBER": "+46846500400"})  # fmt: skip


def test_our_answer_to_a_clients_text_is_not_taken_for_the_lost_message(app, session):
    """A worker died with a message claimed but not handed over; meanwhile the client
    texted and Twilio sent our TwiML answer (an outbound-reply) to the same number. That
    answer is not the lost message: it is sent, once."""
    _strand(session, 1, NOW)
    http = FakeTwilioHttp([(200, listing("messages", [
        {"sid": "SMreply", "direction": "outbound-reply",
         "date_created": "Wed, 04 Mar 2026 09:04:00 +0000"},
        {"sid": "SMfromcall", "direction": "outbound-call",
         "date_created": "Wed, 04 Mar 2026 09:03:00 +0000"},
    ]))])  # fmt: skip
    result = send_due(NOW + timedelta(minutes=11), transport=twilio(app, http))
    assert (result.recovered, result.sent) == (1, 1)
    assert [(r["method"], r["uri"].rsplit("/", 1)[-1]) for r in http.requests] == [
        ("GET", "Messages.json"),
        ("POST", "Messages.json"),
    ]
    assert http.requests[0]["params"]["To"] == "+46700000001"
    row = rows(session)[0]
    assert row.status == "sent" and row.provider_id not in ("SMreply", "SMfromcall")
    assert row.provider_id == "SM" + f"{2:032d}"  # the fake's id for the second request


def test_a_call_dialled_from_another_call_is_not_taken_for_the_lost_reminder_call(app, session):
    """Only calls created through the API are ours: an outbound-dial leg to the client's
    number (a call forwarded to them) is not the reminder call a worker died on."""
    client = create_client(session, channel="voice")
    book_appointment(session, client, starts_at=NOW + timedelta(hours=22), now=NOW)
    claimed = claim_due(session, NOW, 100)
    assert [m.channel for m in claimed] == ["voice"]
    http = FakeTwilioHttp([(200, listing("calls", [
        {"sid": "CAdialled", "direction": "outbound-dial",
         "date_created": "Wed, 04 Mar 2026 09:02:00 +0000"},
        {"sid": "CAin", "direction": "inbound",
         "date_created": "Wed, 04 Mar 2026 09:01:00 +0000"},
    ]))])  # fmt: skip
    result = send_due(NOW + timedelta(minutes=11), transport=twilio(app, http))
    assert (result.recovered, result.sent) == (1, 1)
    assert [(r["method"], r["uri"].rsplit("/", 1)[-1]) for r in http.requests] == [
        ("GET", "Calls.json"),
        ("POST", "Calls.json"),
    ]
    row = rows(session)[0]
    assert row.status == "sent" and row.provider_id.startswith("CA0")


def test_a_call_created_through_the_api_is_taken_and_not_made_again(app, session):
    client = create_client(session, channel="voice")
    book_appointment(session, client, starts_at=NOW + timedelta(hours=22), now=NOW)
    claim_due(session, NOW, 100)
    http = FakeTwilioHttp([(200, listing("calls", [
        {"sid": "CAdialled", "direction": "outbound-dial",
         "date_created": "Wed, 04 Mar 2026 09:02:00 +0000"},
        {"sid": "CAours", "direction": "outbound-api",
         "date_created": "Wed, 04 Mar 2026 09:00:02 +0000"},
    ]))])  # fmt: skip
    result = send_due(NOW + timedelta(minutes=11), transport=twilio(app, http))
    assert (result.recovered, result.sent) == (1, 0)
    assert [r["method"] for r in http.requests] == ["GET"]
    assert (rows(session)[0].status, rows(session)[0].provider_id) == ("sent", "CAours")
