"""Failover between two SMS providers: when the primary counts as down, the probe with real
traffic after a cool-down, the state shared through the database, and which provider is
asked for what."""

from datetime import UTC, datetime, timedelta

import pytest

from app.transports import Accepted, TransportError, build_transport
from app.transports.elks import ElksTransport
from app.transports.failover import FailoverRules, FailoverTransport, provider_of
from tests.elks_fake import fake_session
from tests.transports.outgoing import outgoing

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)

RULES = FailoverRules(
    min_failures=5,
    failure_percent=50,
    window=timedelta(minutes=3),
    cooldown=timedelta(minutes=5),
)
DOWN = TransportError("HTTP 503", permanent=False, code="503")


class Scripted:
    """A provider that answers with the queued outcomes (then accepts), and remembers."""

    def __init__(self, name: str, outcomes: list | None = None, found: list | None = None):
        self.name = name
        self.outcomes = list(outcomes or [])
        self.sent: list[int] = []
        self.found = found
        self.deleted: list[str] = []

    def send(self, message):
        self.sent.append(message.message_id)
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if isinstance(outcome, Exception):
            raise outcome
        return Accepted(f"{self.name}-{len(self.sent)}")

    def find_sent(self, message_id, to, channel, since):
        if isinstance(self.found, Exception):
            raise self.found
        return list(self.found or [])

    def delete_stored(self, item, ref):
        self.deleted.append(ref)

    def fetch_stored(self, item, ref):
        raise LookupError(ref)


def pair(primary_outcomes=(), **kwargs):
    primary = Scripted("twilio", list(primary_outcomes))
    secondary = Scripted("46elks")
    return FailoverTransport(primary, secondary, primary, RULES), primary, secondary


def fail(transport, times: int) -> None:
    for _ in range(times):
        with pytest.raises(TransportError):
            transport.send(outgoing())


def test_a_healthy_primary_takes_every_message_and_says_so(app):
    transport, primary, secondary = pair()
    accepted = transport.send(outgoing())
    assert accepted == Accepted("twilio-1", provider="twilio")
    assert len(primary.sent) == 1 and secondary.sent == []


def test_five_failures_of_five_tries_move_the_sms_to_the_secondary(app):
    transport, primary, secondary = pair([DOWN] * 5)
    fail(transport, 5)
    accepted = transport.send(outgoing())
    assert accepted.provider == "46elks"
    assert len(primary.sent) == 5 and len(secondary.sent) == 1


def test_four_failures_are_not_enough(app):
    transport, primary, _ = pair([DOWN] * 4)
    fail(transport, 4)
    assert transport.send(outgoing()).provider == "twilio"


def test_failures_under_half_of_the_tries_are_not_enough(app):
    transport, _, _ = pair([None] * 6 + [DOWN] * 5)
    for _ in range(6):
        transport.send(outgoing())
    fail(transport, 5)  # 5 of 11
    assert transport.send(outgoing()).provider == "twilio"


def test_failures_older_than_the_window_are_forgotten(app, frozen_clock):
    transport, _, _ = pair([DOWN] * 5)
    fail(transport, 3)
    frozen_clock.shift(timedelta(minutes=4))
    fail(transport, 2)
    assert transport.send(outgoing()).provider == "twilio"


def test_a_permanent_error_is_the_message_s_fault_not_the_provider_s(app):
    bad_number = TransportError("HTTP 400", permanent=True, code="400")
    transport, _, _ = pair([bad_number] * 5)
    fail(transport, 5)
    assert transport.send(outgoing()).provider == "twilio"


def test_refused_credentials_count_as_the_provider_failing(app):
    refused = TransportError("HTTP 401", permanent=True, code="401")
    transport, _, _ = pair([refused] * 5)
    fail(transport, 5)
    assert transport.send(outgoing()).provider == "46elks"


@pytest.mark.parametrize("status", [402, 403])
def test_an_elks_account_that_cannot_send_counts_as_the_provider_failing(app, status):
    session, _ = fake_session([(status, "Not enough credits")] * 5)
    primary = ElksTransport(
        {
            "ELKS_API_USERNAME": "u1",
            "ELKS_API_PASSWORD": "p1",
            "ELKS_FROM": "Ekby",
            "ELKS_WEBHOOK_SECRET": "k" * 40,
            "PUBLIC_BASE_URL": "https://tydligt.ekby.example",
            "ELKS_HTTP_SESSION": session,
        }
    )
    secondary = Scripted("twilio")
    transport = FailoverTransport(primary, secondary, secondary, RULES)
    fail(transport, 5)
    assert transport.send(outgoing()).provider == "twilio"


def test_after_the_cooldown_one_message_probes_the_primary_and_brings_it_back(app, frozen_clock):
    transport, primary, _ = pair([DOWN] * 5)
    fail(transport, 5)
    frozen_clock.shift(timedelta(minutes=4))
    assert transport.send(outgoing()).provider == "46elks"  # still cooling down
    frozen_clock.shift(timedelta(minutes=1))
    assert transport.send(outgoing()).provider == "twilio"  # the probe, taken
    assert transport.send(outgoing()).provider == "twilio"
    assert len(primary.sent) == 7


def test_a_failed_probe_keeps_the_secondary_for_another_cooldown(app, frozen_clock):
    transport, primary, _ = pair([DOWN] * 6)
    fail(transport, 5)
    frozen_clock.shift(timedelta(minutes=5))
    fail(transport, 1)  # the probe
    assert transport.send(outgoing()).provider == "46elks"
    frozen_clock.shift(timedelta(minutes=4, seconds=59))
    assert transport.send(outgoing()).provider == "46elks"
    frozen_clock.shift(timedelta(seconds=1))
    assert transport.send(outgoing()).provider == "twilio"
    assert len(primary.sent) == 7


def test_the_state_is_shared_by_every_process(app, frozen_clock):
    one, _, _ = pair([DOWN] * 5)
    other, other_primary, _ = pair()  # another worker process: its own objects
    fail(one, 5)
    assert other.send(outgoing()).provider == "46elks"
    frozen_clock.shift(timedelta(minutes=5))
    # Only one of them probes; the other keeps to the secondary meanwhile.
    assert other.send(outgoing()).provider == "twilio"
    assert one.send(outgoing()).provider == "twilio"  # the probe worked: back for all
    assert len(other_primary.sent) == 1


def test_only_one_process_probes_at_a_time(app, frozen_clock):
    one, _, _ = pair([DOWN] * 5)
    other, _, _ = pair([DOWN])
    fail(one, 5)
    frozen_clock.shift(timedelta(minutes=5))
    fail(other, 1)  # claimed the probe, and it failed
    assert one.send(outgoing()).provider == "46elks"


def test_calls_stay_on_twilio(app):
    primary, secondary, voice = Scripted("46elks"), Scripted("console"), Scripted("twilio")
    transport = FailoverTransport(primary, secondary, voice, RULES)
    accepted = transport.send(outgoing(channel="voice", call_url="https://x/call"))
    assert accepted.provider == "twilio"
    assert primary.sent == [] and voice.sent == [7]


def test_without_twilio_a_call_fails_plainly(app):
    transport = FailoverTransport(Scripted("46elks"), None, None, RULES)
    with pytest.raises(TransportError) as excinfo:
        transport.send(outgoing(channel="voice", call_url="https://x/call"))
    assert excinfo.value.permanent is True


def test_crash_recovery_asks_both_providers():
    primary = Scripted("twilio", found=["SM" + "1" * 32])
    secondary = Scripted("46elks", found=["s" + "2" * 32])
    transport = FailoverTransport(primary, secondary, primary, RULES)
    found = transport.find_sent(7, "+46700000001", "sms", NOW)
    assert found == ["SM" + "1" * 32, "s" + "2" * 32]


def test_crash_recovery_waits_when_one_provider_cannot_be_asked():
    primary = Scripted("twilio", found=["SM" + "1" * 32])
    secondary = Scripted("46elks", found=DOWN)
    transport = FailoverTransport(primary, secondary, primary, RULES)
    with pytest.raises(TransportError):
        transport.find_sent(7, "+46700000001", "sms", NOW)


def test_retention_deletes_at_the_provider_that_holds_the_message():
    primary, secondary = Scripted("twilio"), Scripted("46elks")
    transport = FailoverTransport(primary, secondary, primary, RULES)
    transport.delete_stored("message", "s" + "3" * 32)
    transport.delete_stored("message", "SM" + "4" * 32)
    transport.delete_stored("media", "https://api.twilio.com/2010-04-01/Accounts/AC1/x/ME1")
    assert secondary.deleted == ["s" + "3" * 32]
    assert primary.deleted == [
        "SM" + "4" * 32,
        "https://api.twilio.com/2010-04-01/Accounts/AC1/x/ME1",
    ]


@pytest.mark.parametrize(
    ("ref", "provider"),
    [
        ("s" + "a" * 32, "46elks"),
        ("SM" + "a" * 32, "twilio"),
        ("CA" + "0" * 32, "twilio"),
        ("CONSOLE" + "a" * 32, "console"),
        ("something else", "fallback"),
    ],
)
def test_the_provider_is_told_by_the_id(ref, provider):
    assert provider_of(ref, "fallback") == provider


def test_the_configuration_builds_failover_with_calls_on_twilio(tmp_path):
    config = {
        "SMS_TRANSPORT": "46elks",
        "SMS_FALLBACK_TRANSPORT": "twilio",
        "ELKS_API_USERNAME": "u1",
        "ELKS_API_PASSWORD": "p1",
        "ELKS_FROM": "Ekby",
        "ELKS_WEBHOOK_SECRET": "k" * 40,
        "TWILIO_ACCOUNT_SID": "AC" + "a" * 32,
        "TWILIO_AUTH_TOKEN": "t",
        "TWILIO_FROM_NUMBER": "+46846500400",
        "PUBLIC_BASE_URL": "https://tydligt.ekby.example",
        "CONSOLE_OUTBOX_FILE": str(tmp_path / "outbox.jsonl"),
    }
    transport = build_transport(config)
    assert isinstance(transport, FailoverTransport)
    assert (transport.primary.name, transport.secondary.name) == ("46elks", "twilio")
    assert transport.voice is transport.secondary
