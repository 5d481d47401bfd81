"""Handover notices ahead of time (the unit's handover_notice_days), and the line about the
papers said only when staff confirmed the file was passed on (app/casework/handovers.py)."""

from datetime import UTC, date, datetime

import pytest

from app.casework import handovers
from app.models import OutboxStatus
from app.outbox.sweep import send_due
from tests.casework.conftest import outbox, sent
from tests.factories import create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
TODAY = date(2026, 3, 2)
pytestmark = pytest.mark.frozen_at(NOW)


def _morning(day: int) -> datetime:
    """09.00 in Stockholm on a day of March 2026 (winter time)."""
    return datetime(2026, 3, day, 8, 0, tzinfo=UTC)


def _notice_due(session, kind: str = "handover_permanent") -> list[datetime]:
    return [m.due_at for m in outbox(session, kind) if m.representative_id is None]


def test_a_permanent_handover_is_told_a_week_before_it_starts(session, team, outbox_file):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    handovers.hand_over(session, client, omar, starts_on=date(2026, 3, 16), now=NOW)
    assert _notice_due(session) == [_morning(9)]
    send_due(_morning(9))
    (message,) = sent(outbox_file)
    assert "Från måndag 16 mars får du en ny kontakt hos oss." in message["body"]
    assert client.caseworker_id == lina.id  # the contact changes on the first day, not before


def test_the_units_setting_says_how_many_days_ahead(session, team):
    unit, lina, omar = team
    unit.handover_notice_days = 3
    session.add(unit)
    client = create_client(session, staff=lina)
    handovers.hand_over(session, client, omar, starts_on=date(2026, 3, 16), now=NOW)
    assert _notice_due(session) == [_morning(13)]


def test_no_days_ahead_tells_the_client_on_the_first_morning(session, team):
    unit, lina, omar = team
    unit.handover_notice_days = 0
    session.add(unit)
    client = create_client(session, staff=lina)
    handovers.hand_over(session, client, omar, starts_on=date(2026, 3, 16), now=NOW)
    assert _notice_due(session) == [_morning(16)]


def test_a_handover_saved_later_than_the_notice_time_is_told_at_once(session, team):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    handovers.hand_over(session, client, omar, starts_on=date(2026, 3, 5), now=NOW)
    assert _notice_due(session) == [NOW]


def test_an_absence_starting_tomorrow_is_told_at_once(session, team):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    handovers.hand_over(
        session, client, omar, kind="absence", starts_on=date(2026, 3, 3),
        ends_on=date(2026, 3, 6), now=NOW,
    )  # fmt: skip
    assert _notice_due(session, "handover_absence") == [NOW]


def test_an_absence_later_is_told_ahead_by_the_same_setting(session, team):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    handovers.hand_over(
        session, client, omar, kind="absence", starts_on=date(2026, 3, 23),
        ends_on=date(2026, 3, 27), now=NOW,
    )  # fmt: skip
    assert _notice_due(session, "handover_absence") == [_morning(16)]


def test_an_absence_told_at_once_still_waits_for_the_sending_window(session, team):
    unit, lina, omar = team
    unit.sending_window = "08:00-20:00"
    session.add(unit)
    evening = datetime(2026, 3, 2, 20, 30, tzinfo=UTC)  # 21.30 in Stockholm
    client = create_client(session, staff=lina)
    handovers.hand_over(
        session, client, omar, kind="absence", starts_on=date(2026, 3, 3),
        ends_on=date(2026, 3, 6), now=evening,
    )  # fmt: skip
    assert _notice_due(session, "handover_absence") == [datetime(2026, 3, 3, 7, 0, tzinfo=UTC)]


def test_cancelling_a_handover_cancels_the_notice_planned_ahead(session, team):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    handover = handovers.hand_over(session, client, omar, starts_on=date(2026, 3, 16), now=NOW)
    handovers.cancel(session, handover, now=NOW)
    assert [m.status for m in outbox(session, "handover_permanent")] == [OutboxStatus.CANCELLED]


def test_the_papers_line_is_said_only_when_staff_confirmed_it(session, team, outbox_file):
    _, lina, omar = team
    unconfirmed = create_client(session, staff=lina)
    confirmed = create_client(session, staff=lina, first_name="Ali", phone="+46700000002")
    handovers.hand_over(session, unconfirmed, omar, starts_on=TODAY, now=NOW)
    handovers.hand_over(session, confirmed, omar, starts_on=TODAY, file_passed_on=True, now=NOW)
    session.commit()
    send_due(NOW)
    bodies = {m["to"]: m["body"] for m in sent(outbox_file)}
    assert "har alla papper" not in bodies["+46700000001"]
    assert "Du behöver inte börja om" not in bodies["+46700000001"]
    assert "Omar Haddad har alla papper om dig. Du behöver inte börja om." in bodies["+46700000002"]


def test_an_absence_says_the_stand_in_has_the_papers_only_when_confirmed(
    session, team, outbox_file
):
    _, lina, omar = team
    unconfirmed = create_client(session, staff=lina)
    confirmed = create_client(session, staff=lina, first_name="Ali", phone="+46700000002")
    for client, passed_on in ((unconfirmed, False), (confirmed, True)):
        handovers.hand_over(
            session, client, omar, kind="absence", starts_on=TODAY, ends_on=date(2026, 3, 6),
            file_passed_on=passed_on, now=NOW,
        )  # fmt: skip
    session.commit()
    send_due(NOW)
    bodies = {m["to"]: m["body"] for m in sent(outbox_file)}
    assert "Under tiden hjälper Omar Haddad dig." in bodies["+46700000001"]
    assert "har alla papper" not in bodies["+46700000001"]
    assert (
        "Under tiden hjälper Omar Haddad dig. Omar Haddad har alla papper om dig."
        in (bodies["+46700000002"])
    )
