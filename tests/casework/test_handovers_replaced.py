"""A handover recorded again for the same first day replaces the first one's notice (the
client hears only of the contact they will get), and notices not yet sent follow the
unit's handover_notice_days when it changes."""

from datetime import UTC, date, datetime

import pytest

from app.casework import handovers
from app.models import OutboxStatus
from app.outbox.sweep import send_due
from tests.casework.conftest import outbox, sent
from tests.factories import create_client, create_staff

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
pytestmark = pytest.mark.frozen_at(NOW)


def _morning(day: int) -> datetime:
    """09.00 in Stockholm on a day of March 2026 (winter time)."""
    return datetime(2026, 3, day, 8, 0, tzinfo=UTC)


def _told_of(outbox_file) -> list[str]:
    bodies = " ".join(m["body"] for m in sent(outbox_file))
    return [name for name in ("Omar", "Eva") if f"heter {name}" in bodies]


def test_a_second_handover_for_the_same_day_replaces_the_first_notice(session, team, outbox_file):
    unit, lina, omar = team
    eva = create_staff(session, unit, email="eva@ekby.example", name="Eva Ek", phone="+46701740607")
    sara = create_client(session, staff=lina)
    handovers.hand_over(session, sara, omar, starts_on=date(2026, 3, 20), now=NOW)
    handovers.hand_over(session, sara, eva, starts_on=date(2026, 3, 20), now=NOW)
    session.commit()
    send_due(_morning(13))
    assert _told_of(outbox_file) == ["Eva"]
    statuses = sorted(m.status for m in outbox(session, "handover_permanent"))
    assert statuses == [OutboxStatus.CANCELLED, OutboxStatus.SENT]


def test_a_later_handover_does_not_replace_one_that_starts_before_it(session, team, outbox_file):
    unit, lina, omar = team
    eva = create_staff(session, unit, email="eva@ekby.example", name="Eva Ek", phone="+46701740607")
    sara = create_client(session, staff=lina)
    handovers.hand_over(session, sara, omar, starts_on=date(2026, 3, 16), now=NOW)
    handovers.hand_over(session, sara, eva, starts_on=date(2026, 3, 30), now=NOW)
    session.commit()
    send_due(_morning(9))
    assert _told_of(outbox_file) == ["Omar"]


def test_a_cancelled_second_handover_leaves_the_first_notice(session, team, outbox_file):
    unit, lina, omar = team
    eva = create_staff(session, unit, email="eva@ekby.example", name="Eva Ek", phone="+46701740607")
    sara = create_client(session, staff=lina)
    handovers.hand_over(session, sara, omar, starts_on=date(2026, 3, 20), now=NOW)
    second = handovers.hand_over(session, sara, eva, starts_on=date(2026, 3, 20), now=NOW)
    handovers.cancel(session, second, now=NOW)
    session.commit()
    send_due(_morning(13))
    assert _told_of(outbox_file) == ["Omar"]


def test_changed_notice_days_plan_the_unsent_notices_again(session, team, outbox_file):
    unit, lina, omar = team
    sara = create_client(session, staff=lina)
    handovers.hand_over(session, sara, omar, starts_on=date(2026, 3, 30), now=NOW)
    done = create_client(session, staff=lina, phone="+46700000099")
    handovers.hand_over(session, done, omar, starts_on=date(2026, 3, 9), now=NOW)
    session.commit()
    send_due(_morning(2))  # the second notice (a week ahead) has gone out
    assert [m.due_at for m in outbox(session, "handover_permanent")] == [
        _morning(2),
        _morning(23),
    ]
    unit.handover_notice_days = 14
    session.add(unit)
    assert handovers.notices_changed(session, unit, NOW) == 1
    rows = outbox(session, "handover_permanent")
    assert [(m.client_id, m.due_at) for m in rows] == [
        (done.id, _morning(2)),
        (sara.id, _morning(16)),
    ]
    unit.handover_notice_days = 30  # the day has passed: told at once, in the window
    session.add(unit)
    handovers.notices_changed(session, unit, NOW)
    assert [m.due_at for m in outbox(session, "handover_permanent")] == [NOW, NOW]
    send_due(NOW)
    assert len(sent(outbox_file)) == 2  # the one sent before is not sent again
