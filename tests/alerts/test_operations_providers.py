"""The "provider refusing" alert names the SMS provider that refuses, now that there can
be two (app/alerts/operations.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from app.alerts import operations
from app.models import OutboxMessage
from app.models.providers import SmsProviderHealth
from app.outbox.sweep import REFUSED_PREFIX
from app.transports.failover import FailoverRules, FailoverTransport

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


def refused(session, sara, key: str, error: str) -> None:
    session.add(
        OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key=key,
                      due_at=NOW + timedelta(seconds=30), last_error=f"{REFUSED_PREFIX} {error}")
    )  # fmt: skip
    session.commit()


def test_the_alert_names_46elks_when_it_refuses(app, session, sara):
    refused(session, sara, "r1", "(auth): 46elks HTTP 401")
    refused(session, sara, "r2", "(auth): 46elks HTTP 401")
    [finding] = operations.provider_refusing(session, app.config, NOW)
    assert finding.values == {"count": 2, "provider": "46elks"}
    assert "46elks" in finding.detail


def test_the_alert_names_both_when_both_refuse(app, session, sara):
    refused(session, sara, "r1", "(throttled): 46elks HTTP 429")
    refused(session, sara, "r2", "(auth): Twilio HTTP 401 code 20003")
    [finding] = operations.provider_refusing(session, app.config, NOW)
    assert finding.values == {"count": 2, "provider": "46elks, Twilio"}


def test_the_alert_says_when_46elks_refuses_the_account(app, session, sara):
    refused(session, sara, "r1", "(account): 46elks HTTP 402")
    [finding] = operations.provider_refusing(session, app.config, NOW)
    assert finding.values == {"count": 1, "provider": "46elks"}
    assert "credit" in finding.detail and "credit" in finding.staff_text


class Named:
    """A provider known here only by its name."""

    def __init__(self, name: str) -> None:
        self.name = name


@pytest.fixture
def twilio_then_elks(app):
    twilio = Named("twilio")
    app.extensions["tydligt.provider"] = FailoverTransport(
        twilio, Named("46elks"), twilio, FailoverRules()
    )


def primary_down(session, since) -> None:
    state = SmsProviderHealth(name="twilio", window_started_at=since, tries=5, failures=5)
    state.down_since, state.probe_at = since, since + timedelta(minutes=5)
    session.add(state)
    session.commit()


def test_sending_through_the_secondary_is_an_incident(app, session, twilio_then_elks):
    assert operations.sms_failover(session, app.config, NOW) == []
    primary_down(session, NOW - timedelta(minutes=3))
    [finding] = operations.sms_failover(session, app.config, NOW)
    assert finding.condition == "sms_failover"
    assert finding.values == {
        "primary": "twilio",
        "secondary": "46elks",
        "since": "2026-03-04 09:57",
    }
    assert "46elks" in finding.detail


def test_one_mail_per_failover_and_one_when_it_is_over(
    app, session, twilio_then_elks, mailbox, frozen_clock
):
    from tests.factories import create_staff, create_unit

    unit = create_unit(session)
    create_staff(session, unit, email="eva.admin@ekby.example", name="Eva Admin", role="admin")
    primary_down(session, NOW - timedelta(minutes=3))
    assert operations.check_all().opened == ["sms_failover"]
    assert operations.check_all(NOW + timedelta(minutes=1)).opened == []
    [started] = [mailbox.message(i) for i in range(len(mailbox))]
    assert started["Subject"] == "Tydligt: sms går genom reservleverantören"
    assert "Sms går genom 46elks sedan 2026-03-04 09:57" in started.get_content()
    session.exec(update(SmsProviderHealth).values(down_since=None, probe_at=None))
    session.commit()
    frozen_clock.shift(timedelta(minutes=25))
    assert operations.check_all().resolved == ["sms_failover"]
    assert mailbox.message(-1)["Subject"] == "Löst: sms går genom den vanliga leverantören igen"


def test_today_shows_the_failover_while_it_lasts(app, session, twilio_then_elks):
    primary_down(session, NOW - timedelta(minutes=3))
    operations.check_all()
    state = operations.sending_state(session, app.config, NOW)
    assert (
        "SMS go through the backup provider (since %(since)s).",
        {"since": "2026-03-04 10:00"},
    ) in (state.problems)
    assert "usual SMS provider" in state.advice
