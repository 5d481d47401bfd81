"""A support-ending notice says what is true when it goes: a newer decision on the same
service that continued or ended the support makes an older one's notice untrue; support
ending sooner than the shortest lead time is told at once."""

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from app.casework import decisions
from app.models import OutboxMessage, OutboxStatus
from app.outbox.sweep import send_due
from tests.factories import create_client, create_staff, create_unit

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
LATER = datetime(2026, 4, 20, 7, 0, tzinfo=UTC)  # monday 20 april, 09.00
STOCKHOLM = ZoneInfo("Europe/Stockholm")
pytestmark = pytest.mark.frozen_at(NOW)

FIRST = dict(
    service="ledsagarservice",
    outcome="approved",
    valid_from=date(2026, 3, 1),
    valid_to=date(2026, 6, 30),  # told 90 and 30 days before: 1 April and 31 May
)


@pytest.fixture
def sara(session):
    unit = create_unit(session)
    staff = create_staff(session, unit, name="Lina Berg", phone="+46701740605")
    return create_client(session, staff)


def endings(session, decision_id: int) -> list[OutboxMessage]:
    session.expire_all()
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "support_ending", OutboxMessage.subject_id == decision_id)
            .order_by(OutboxMessage.due_at)
        )
    )


def sent_endings(outbox_file) -> list[str]:
    if not outbox_file.exists():
        return []
    lines = [json.loads(line) for line in outbox_file.read_text().splitlines()]
    return [line["body"] for line in lines if line["kind"] == "support_ending"]


@pytest.mark.parametrize(
    "newer",
    [
        dict(outcome="approved", valid_from=date(2026, 7, 1), valid_to=date(2027, 6, 30)),
        dict(outcome="changed", valid_from=date(2026, 5, 1), valid_to=date(2026, 12, 31)),
        dict(outcome="ended", valid_to=date(2026, 4, 30), reasons="need_met_otherwise"),
    ],
    ids=["continued", "changed", "ended_early"],
)
def test_a_newer_decision_on_the_service_stops_the_older_notice(
    session, sara, outbox_file, frozen_clock, newer
):
    first = decisions.decide(session, sara, now=NOW, **FIRST)
    session.commit()
    frozen_clock.move_to(LATER)
    send_due(LATER)  # the 90-day notice has gone
    assert len(sent_endings(outbox_file)) == 1
    decisions.decide(session, sara, now=LATER, service="ledsagarservice", **newer)
    session.commit()
    at = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
    frozen_clock.move_to(at)
    send_due(at)
    assert len(sent_endings(outbox_file)) == 1
    assert [m.status for m in endings(session, first.id)] == [
        OutboxStatus.SENT,
        OutboxStatus.CANCELLED,
    ]


@pytest.mark.parametrize("newer", ["refused", "other_service", "withdrawn"])
def test_the_older_notice_still_goes_when_the_support_goes_on_ending(
    session, sara, outbox_file, frozen_clock, newer
):
    first = decisions.decide(session, sara, now=NOW, **FIRST)
    session.commit()
    frozen_clock.move_to(LATER)
    if newer == "refused":  # more help refused: the support still ends on 30 June
        decisions.decide(
            session, sara, now=LATER, service="ledsagarservice", outcome="refused",
            reasons="need_met_otherwise",
        )  # fmt: skip
    elif newer == "other_service":
        decisions.decide(
            session, sara, now=LATER, service="kontaktperson", outcome="approved",
            valid_from=date(2026, 5, 1), valid_to=date(2027, 4, 30),
        )  # fmt: skip
    else:
        second = decisions.decide(
            session, sara, now=LATER, service="ledsagarservice", outcome="approved",
            valid_from=date(2026, 7, 1), valid_to=date(2027, 6, 30),
        )  # fmt: skip
        decisions.withdraw(session, second, now=LATER)
    session.commit()
    at = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
    frozen_clock.move_to(at)
    send_due(at)
    statuses = [m.status for m in endings(session, first.id)]
    assert statuses == [OutboxStatus.SENT, OutboxStatus.SENT]


@pytest.mark.parametrize("days_left", [0, 10, 20])
def test_support_ending_sooner_than_every_lead_time_is_told_at_once(session, sara, days_left):
    decision = decisions.decide(
        session, sara, now=NOW, service="ledsagarservice", outcome="approved",
        valid_from=date(2026, 1, 1), valid_to=date(2026, 3, 2) + timedelta(days=days_left),
    )  # fmt: skip
    session.commit()
    (notice,) = endings(session, decision.id)
    assert notice.due_at.replace(tzinfo=UTC) == NOW


def test_support_already_ended_is_not_told(session, sara):
    decision = decisions.decide(
        session, sara, now=NOW, service="ledsagarservice", outcome="approved",
        valid_from=date(2026, 1, 1), valid_to=date(2026, 3, 1),
    )  # fmt: skip
    session.commit()
    assert endings(session, decision.id) == []


def test_a_lead_time_still_ahead_plans_no_notice_at_once(session, sara):
    decision = decisions.decide(
        session, sara, now=NOW, service="ledsagarservice", outcome="approved",
        valid_from=date(2026, 1, 1), valid_to=date(2026, 4, 16),  # 45 days: the 30-day one
    )  # fmt: skip
    session.commit()
    (notice,) = endings(session, decision.id)
    assert notice.due_at.astimezone(STOCKHOLM).date() == date(2026, 3, 17)
