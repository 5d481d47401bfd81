"""Handovers and absences: the current contact, the notices to the client and when they go
(app/casework/handovers.py)."""

from datetime import UTC, date, datetime

import pytest

from app.casework import handovers
from app.casework.contacts import current_contact
from app.errors import InvalidInput
from app.models import OutboxStatus
from app.outbox.sweep import send_due
from tests.casework.conftest import outbox, sent
from tests.factories import create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
TODAY = date(2026, 3, 2)


def test_a_permanent_handover_today_changes_the_contact_and_tells_the_client(
    session, team, outbox_file
):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    handovers.hand_over(
        session, client, omar, starts_on=TODAY, next_step="will_call", file_passed_on=True,
        now=NOW,
    )  # fmt: skip
    session.commit()
    assert client.caseworker_id == omar.id
    assert current_contact(session, client, TODAY).staff.id == omar.id
    send_due(NOW)
    (message,) = sent(outbox_file)
    body = message["body"]
    assert "Den nya kontakten heter Omar Haddad." in body
    assert "Omar Haddad har alla papper om dig. Du behöver inte börja om." in body
    assert "Ring Omar Haddad på 070-174 06 06" in body


def test_a_future_handover_is_told_a_week_ahead_and_starts_on_its_first_day(session, team):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    handovers.hand_over(session, client, omar, starts_on=date(2026, 3, 16), now=NOW)
    assert [m.due_at for m in outbox(session, "handover_permanent")] == [
        datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
    ]
    assert current_contact(session, client, TODAY).staff.id == lina.id
    assert current_contact(session, client, date(2026, 3, 16)).staff.id == omar.id


def test_an_absence_names_the_stand_in_and_says_when_the_case_worker_is_back(
    session, team, outbox_file
):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    handovers.hand_over(
        session, client, omar, kind="absence", starts_on=TODAY, ends_on=date(2026, 3, 13), now=NOW
    )
    assert current_contact(session, client, date(2026, 3, 10)).staff.id == omar.id
    assert current_contact(session, client, date(2026, 3, 10)).stands_in_for.id == lina.id
    assert current_contact(session, client, date(2026, 3, 14)).staff.id == lina.id
    assert client.caseworker_id == lina.id
    # Back on Saturday 14: "call Lina" waits for her phone hours on Monday 16
    assert [m.due_at for m in outbox(session, "absence_ended")] == [
        datetime(2026, 3, 16, 8, 0, tzinfo=UTC)
    ]
    send_due(datetime(2026, 3, 16, 8, 0, tzinfo=UTC))
    notice, back = sent(outbox_file)
    assert "Lina Berg är borta från måndag 2 mars till fredag 13 mars." in notice["body"]
    assert "Under tiden hjälper Omar Haddad dig." in notice["body"]
    assert "Lina Berg är tillbaka nu." in back["body"]
    assert "Ring Lina Berg på 070-174 06 05" in back["body"]


def test_cancelling_a_handover_cancels_its_notices(session, team):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    handover = handovers.hand_over(
        session,
        client,
        omar,
        kind="absence",
        starts_on=date(2026, 3, 9),
        ends_on=date(2026, 3, 13),
        now=NOW,
    )
    handovers.cancel(session, handover, now=NOW)
    assert {m.status for m in outbox(session)} == {OutboxStatus.CANCELLED}
    assert current_contact(session, client, date(2026, 3, 10)).staff.id == lina.id


def test_an_absence_needs_a_last_day_after_its_first(session, team):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    with pytest.raises(InvalidInput) as excinfo:
        handovers.hand_over(
            session,
            client,
            omar,
            kind="absence",
            starts_on=date(2026, 3, 9),
            ends_on=date(2026, 3, 8),
            now=NOW,
        )
    assert "ends_on" in excinfo.value.errors


def test_a_client_cannot_be_handed_to_their_own_case_worker(session, team):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    with pytest.raises(InvalidInput):
        handovers.hand_over(session, client, lina, starts_on=TODAY, now=NOW)


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "field"),
    [
        (date(2026, 3, 9), date(9999, 12, 31), "ends_on"),  # its last day beyond any calendar
        (date(2026, 3, 9), date(2027, 3, 10), "ends_on"),  # longer than a year
        (date(9999, 12, 31), date(9999, 12, 31), "starts_on"),
        (date(2028, 3, 9), date(2028, 3, 13), "starts_on"),  # more than a year ahead
        (date(1, 1, 1), date(2026, 3, 13), "starts_on"),
    ],
)
def test_an_absence_of_absurd_dates_is_refused(session, team, starts_on, ends_on, field):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    with pytest.raises(InvalidInput) as excinfo:
        handovers.hand_over(
            session, client, omar, kind="absence", starts_on=starts_on, ends_on=ends_on, now=NOW
        )
    assert field in excinfo.value.errors


def test_an_absence_of_a_whole_year_is_accepted(session, team):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    handover = handovers.hand_over(
        session,
        client,
        omar,
        kind="absence",
        starts_on=date(2026, 3, 9),
        ends_on=date(2027, 3, 8),
        now=NOW,
    )
    assert handover.ends_on == date(2027, 3, 8)


def test_a_permanent_handover_far_ahead_is_refused(session, team):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    with pytest.raises(InvalidInput) as excinfo:
        handovers.hand_over(session, client, omar, starts_on=date(9999, 12, 31), now=NOW)
    assert "starts_on" in excinfo.value.errors
