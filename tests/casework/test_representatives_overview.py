"""A representative's own overview link, sent as a text of its own kind: planned through
the planner, to them, and only while it says something true."""

from datetime import UTC, datetime, timedelta

import pytest

from app.casework import representatives
from app.errors import InvalidInput
from app.models import OutboxStatus
from app.outbox.sweep import send_due
from tests.casework.conftest import outbox, sent
from tests.factories import create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def per(session, team):
    _unit, lina, _omar = team
    sara = create_client(session, staff=lina)
    added = representatives.add(
        session,
        sara,
        name="Per Holm",
        role="god_man",
        phone="+46700000009",
        language="fi",
        copy_appointments=True,
        now=NOW,
    )
    session.commit()
    return added


def test_it_is_planned_to_the_representative_each_time_staff_send_it(session, per):
    first = representatives.send_overview(session, per, now=NOW)
    again = representatives.send_overview(session, per, now=NOW + timedelta(minutes=5))
    planned = outbox(session, "representative_overview")
    assert planned == [first, again]
    assert [m.representative_id for m in planned] == [per.id, per.id]
    assert [m.dedupe_key for m in planned] == [
        f"representative:{per.id}:overview:1",
        f"representative:{per.id}:overview:2",
    ]
    assert all(m.subject_type == "representative" and m.subject_id == per.id for m in planned)


def test_it_goes_in_the_representative_s_language(session, per, outbox_file):
    representatives.send_overview(session, per, now=NOW)
    session.commit()
    send_due(NOW)
    message = next(m for m in sent(outbox_file) if m["kind"] == "representative_overview")
    assert message["to"] == "+46700000009" and message["language"] == "fi"
    assert "Lue täältä kaikki, mitä saat nähdä asiakkaan Sara asioista: https://" in message["body"]


@pytest.mark.parametrize("how", ["removed", "opted out", "no copies"])
def test_it_cannot_go_to_someone_who_may_see_nothing(session, per, how):
    if how == "removed":
        representatives.remove(session, per, NOW)
    elif how == "opted out":
        per.opted_out_at = NOW
    else:
        representatives.update(session, per, copy_appointments=False)
    with pytest.raises(InvalidInput) as raised:
        representatives.send_overview(session, per, now=NOW)
    assert set(raised.value.errors) == {"representative"}
    assert outbox(session, "representative_overview") == []


def test_it_cannot_go_before_the_client_agreed_to_messages(session, per):
    from app.models import Client

    sara = session.get(Client, per.client_id)
    sara.consent_at = None
    with pytest.raises(InvalidInput):
        representatives.send_overview(session, per, now=NOW)


def test_a_representative_removed_before_it_went_gets_nothing(session, per, outbox_file):
    message = representatives.send_overview(session, per, now=NOW)
    representatives.remove(session, per, NOW)
    session.commit()
    send_due(NOW)
    session.refresh(message)
    assert message.status == OutboxStatus.SKIPPED
    assert not any(m["kind"] == "representative_overview" for m in sent(outbox_file))


def test_copies_unticked_before_it_went_cancel_it(session, per, outbox_file):
    message = representatives.send_overview(session, per, now=NOW)
    representatives.update(session, per, copy_appointments=False)
    session.commit()
    send_due(NOW)
    session.refresh(message)
    assert message.status == OutboxStatus.CANCELLED
