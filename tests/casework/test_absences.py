"""Who the client really meets: the meeting's person, or the stand-in while that person is
away for this client, unless staff kept the meeting with them (app/casework/absences.py)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.casework import absences, appointments, handovers
from app.models import OutboxStatus
from app.outbox.sweep import send_due
from tests.casework.conftest import outbox, sent
from tests.factories import book_appointment, create_client, create_staff

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
MEETING = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # tuesday 10 march, 14.00 in Stockholm
AWAY = dict(kind="absence", starts_on=date(2026, 3, 9), ends_on=date(2026, 3, 13))

pytestmark = pytest.mark.frozen_at(NOW)


def away(session, client, stand_in, **values):
    """The client's case worker is away 9-13 March and `stand_in` stands in."""
    handover = handovers.hand_over(session, client, stand_in, **(AWAY | values), now=NOW)
    session.commit()
    return handover


def reminder_bodies(outbox_file) -> list[str]:
    return [m["body"] for m in sent(outbox_file) if m["kind"] == "appointment_reminder"]


def test_a_reminder_during_the_absence_names_the_stand_in(session, team, outbox_file):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    away(session, client, omar)

    send_due(MEETING - timedelta(days=1))

    (body,) = reminder_bodies(outbox_file)[-1:]
    assert "Du ska träffa Omar Haddad tisdag 10 mars klockan 14.00." in body
    assert "Lina Berg" not in body


def test_a_meeting_outside_the_absence_keeps_its_own_person(session, team, outbox_file):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    later = MEETING + timedelta(days=7)  # tuesday 17 march, Lina is back
    book_appointment(session, client, starts_at=later, now=NOW)
    away(session, client, omar)

    send_due(later - timedelta(days=1))

    assert (
        "Du ska träffa Lina Berg tisdag 17 mars klockan 14.00." in reminder_bodies(outbox_file)[-1]
    )


def test_a_meeting_kept_with_the_absent_person_names_them(session, team, outbox_file):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    meeting = book_appointment(session, client, starts_at=MEETING, now=NOW)
    away(session, client, omar)
    handovers.keep_meeting(session, meeting, now=NOW)
    session.commit()

    send_due(MEETING - timedelta(days=1))

    assert "Du ska träffa Lina Berg" in reminder_bodies(outbox_file)[-1]


def test_another_persons_absence_changes_nothing(session, team):
    unit, lina, omar = team
    eva = create_staff(session, unit, email="eva@ekby.example", name="Eva Ek")
    client = create_client(session, staff=lina)
    meeting = book_appointment(session, client, starts_at=MEETING, now=NOW, staff_id=eva.id)
    away(session, client, omar)  # Lina is away; the meeting is with Eva

    assert absences.meets(session, meeting, NOW) == eva.id


def test_a_stand_in_who_is_away_too_passes_it_on(session, team):
    unit, lina, omar = team
    eva = create_staff(session, unit, email="eva@ekby.example", name="Eva Ek")
    client = create_client(session, staff=lina)
    meeting = book_appointment(session, client, starts_at=MEETING, now=NOW)
    away(session, client, omar)
    away(session, client, eva, from_staff=omar, starts_on=date(2026, 3, 10))

    assert absences.meets(session, meeting, NOW) == eva.id


def test_the_absence_re_plans_the_reminders_so_queued_ones_die(session, team):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    meeting = book_appointment(session, client, starts_at=MEETING, now=NOW)
    before = [m.id for m in outbox(session, "appointment_reminder")]

    away(session, client, omar)

    reminders = outbox(session, "appointment_reminder")
    assert {m.status for m in reminders if m.id in before} == {OutboxStatus.CANCELLED}
    pending = [m for m in reminders if m.status == OutboxStatus.PENDING]
    assert [m.subject_version for m in pending] == [meeting.version] * 2
    assert meeting.version == 2


def test_an_absence_elsewhere_in_time_leaves_the_reminders_alone(session, team):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    meeting = book_appointment(session, client, starts_at=MEETING + timedelta(days=7), now=NOW)

    away(session, client, omar)

    assert meeting.version == 1
    assert {m.status for m in outbox(session, "appointment_reminder")} == {OutboxStatus.PENDING}


def test_cancelling_the_absence_gives_the_meeting_back_and_re_plans(session, team, outbox_file):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    meeting = book_appointment(session, client, starts_at=MEETING, now=NOW)
    handover = away(session, client, omar)

    handovers.cancel(session, handover, now=NOW)
    session.commit()

    assert meeting.version == 3
    assert absences.meets(session, meeting, NOW) == lina.id
    send_due(MEETING - timedelta(days=1))
    assert "Du ska träffa Lina Berg" in reminder_bodies(outbox_file)[-1]


def test_the_clients_answer_survives_the_absence(session, team):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    meeting = book_appointment(session, client, starts_at=MEETING, now=NOW)
    appointments.respond(session, meeting, "confirmed", now=NOW)

    away(session, client, omar)

    assert meeting.response == "confirmed"


def test_changing_the_time_forgets_that_the_meeting_was_kept(session, team):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    meeting = book_appointment(session, client, starts_at=MEETING, now=NOW)
    away(session, client, omar)
    handovers.keep_meeting(session, meeting, now=NOW)

    appointments.change(session, meeting, starts_at=MEETING + timedelta(days=1), now=NOW)

    assert meeting.keep_with_staff is False
    assert absences.meets(session, meeting, NOW) == omar.id


def test_away_names_the_absence_and_prefers_this_clients_stand_in(session, team):
    unit, lina, omar = team
    eva = create_staff(session, unit, email="eva@ekby.example", name="Eva Ek")
    sara = create_client(session, staff=lina)
    karin = create_client(session, staff=lina, first_name="Karin", phone="+46700000002")
    away(session, karin, eva)
    away(session, sara, omar)

    found = absences.away(session, lina.id, date(2026, 3, 10), client_id=karin.id)
    assert (found.absent.id, found.stand_in.id) == (lina.id, eva.id)
    assert (found.starts_on, found.ends_on) == (date(2026, 3, 9), date(2026, 3, 13))
    new_client = create_client(session, staff=lina, first_name="Ali", phone="+46700000004")
    assert absences.away(session, lina.id, date(2026, 3, 10), client_id=new_client.id)
    assert absences.away(session, lina.id, date(2026, 3, 14), client_id=karin.id) is None
    assert absences.away(session, omar.id, date(2026, 3, 10), client_id=karin.id) is None


def test_cancelling_the_absence_forgets_that_the_meeting_was_kept(session, team, outbox_file):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    meeting = book_appointment(session, client, starts_at=MEETING, now=NOW)
    handover = away(session, client, omar)
    handovers.keep_meeting(session, meeting, now=NOW)
    handovers.cancel(session, handover, now=NOW)
    session.commit()

    assert meeting.keep_with_staff is False
    away(session, client, omar, starts_on=date(2026, 3, 10), ends_on=date(2026, 3, 12))

    assert absences.meets(session, meeting, NOW) == omar.id
    send_due(MEETING - timedelta(days=1))
    (body,) = reminder_bodies(outbox_file)[-1:]
    assert "Du ska träffa Omar Haddad" in body and "Lina Berg" not in body


def test_a_new_absence_over_a_kept_meeting_asks_again(session, team):
    unit, lina, omar = team
    eva = create_staff(session, unit, email="eva@ekby.example", name="Eva Ek")
    client = create_client(session, staff=lina)
    meeting = book_appointment(session, client, starts_at=MEETING, now=NOW)
    away(session, client, omar)
    handovers.keep_meeting(session, meeting, now=NOW)
    kept_version = meeting.version

    eva_away = dict(from_staff=lina, starts_on=date(2026, 3, 10), ends_on=date(2026, 3, 11))
    away(session, client, eva, **eva_away)

    assert meeting.keep_with_staff is False
    assert absences.meets(session, meeting, NOW) == eva.id
    assert meeting.version == kept_version + 1  # the reminders naming Lina die
    pending = [m for m in outbox(session, "appointment_reminder") if m.status == "pending"]
    assert pending and {m.subject_version for m in pending} == {meeting.version}


def test_a_keep_made_while_two_absences_cover_the_meeting_outlives_one_of_them(session, team):
    unit, lina, omar = team
    eva = create_staff(session, unit, email="eva@ekby.example", name="Eva Ek")
    client = create_client(session, staff=lina)
    meeting = book_appointment(session, client, starts_at=MEETING, now=NOW)
    first = away(session, client, omar)
    eva_away = dict(from_staff=lina, starts_on=date(2026, 3, 10), ends_on=date(2026, 3, 11))
    away(session, client, eva, **eva_away)
    handovers.keep_meeting(session, meeting, now=NOW)  # chosen for the days she is away

    handovers.cancel(session, first, now=NOW)

    assert meeting.keep_with_staff is True  # she is still away that day, and comes in
    assert absences.meets(session, meeting, NOW) == lina.id
