"""Welcome and consent, handovers and absences, callbacks, feedback, and copies."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import appointments, callbacks, clients, handovers
from app.casework.contacts import current_contact
from app.errors import InvalidInput
from app.models import (
    AppointmentResponse,
    Client,
    OutboxMessage,
    OutboxStatus,
    Representative,
)
from app.outbox.sweep import send_due
from tests.factories import book_appointment, create_client, create_staff, create_unit

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
TODAY = date(2026, 3, 2)


def outbox(session, kind=None) -> list[OutboxMessage]:
    session.commit()
    query = select(OutboxMessage).order_by(OutboxMessage.due_at, OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(session.exec(query))


def sent(outbox_file) -> list[dict]:
    if not outbox_file.exists():
        return []
    return [json.loads(line) for line in outbox_file.read_text().splitlines()]


@pytest.fixture
def team(session):
    unit = create_unit(session)
    lina = create_staff(
        session, unit, email="lina@ekby.example", name="Lina Berg", phone="+46701740605"
    )
    omar = create_staff(
        session, unit, email="omar@ekby.example", name="Omar Haddad", phone="+46701740606"
    )
    return unit, lina, omar


# Welcome and consent


def test_enrolling_with_consent_plans_one_welcome(session, team, outbox_file):
    unit, lina, _ = team
    client = clients.enroll(
        session,
        unit_id=unit.id,
        first_name="Sara",
        phone="070-000 00 01",
        caseworker_id=lina.id,
        consent_method="verbal",
        now=NOW,
    )
    assert client.phone == "+46700000001"
    assert [m.due_at for m in outbox(session, "welcome")] == [NOW]
    send_due(NOW)
    (message,) = sent(outbox_file)
    assert "Skriv HJÄLP" in message["body"] and "Skriv STOPP" in message["body"]
    assert "08-465 004 00" in message["body"]  # the phone menu (the unit's number in the factory)


def test_enrolling_without_consent_sends_nothing_until_consent(session, team):
    unit, lina, _ = team
    client = clients.enroll(
        session, unit_id=unit.id, first_name="Sara", phone="+46700000001", now=NOW
    )
    assert outbox(session, "welcome") == []
    clients.record_consent(session, client, "written", recorded_by_id=lina.id, now=NOW)
    clients.record_consent(session, client, "written", recorded_by_id=lina.id, now=NOW)
    assert len(outbox(session, "welcome")) == 1
    assert client.consent_method == "written" and client.consent_recorded_by_id == lina.id


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"first_name": "  "}, "first_name"),
        ({"language": "tlh"}, "language"),
        ({"channel": "pigeon"}, "channel"),
        ({"privacy": "public"}, "privacy"),
        ({"consent_method": "telepathy"}, "consent_method"),
    ],
)
def test_bad_client_input_names_the_field(session, team, values, field):
    unit, _, _ = team
    arguments = {"unit_id": unit.id, "first_name": "Sara", "phone": "+46700000001"} | values
    with pytest.raises(InvalidInput) as excinfo:
        clients.enroll(session, now=NOW, **arguments)
    assert field in excinfo.value.errors
    assert session.exec(select(Client)).all() == []


# Handovers and absences


def test_a_permanent_handover_today_changes_the_contact_and_tells_the_client(
    session, team, outbox_file
):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    handovers.hand_over(session, client, omar, starts_on=TODAY, next_step="will_call", now=NOW)
    session.commit()
    assert client.caseworker_id == omar.id
    assert current_contact(session, client, TODAY).staff.id == omar.id
    send_due(NOW)
    (message,) = sent(outbox_file)
    body = message["body"]
    assert "Den nya kontakten heter Omar Haddad." in body
    assert "Omar Haddad har alla papper om dig. Du behöver inte börja om." in body
    assert "Ring Omar Haddad på 070-174 06 06" in body


def test_a_future_handover_is_told_on_its_first_morning(session, team):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    handovers.hand_over(session, client, omar, starts_on=date(2026, 3, 16), now=NOW)
    assert [m.due_at for m in outbox(session, "handover_permanent")] == [
        datetime(2026, 3, 16, 8, 0, tzinfo=UTC)
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
    assert [m.due_at for m in outbox(session, "absence_ended")] == [
        datetime(2026, 3, 14, 8, 0, tzinfo=UTC)
    ]
    send_due(datetime(2026, 3, 14, 8, 0, tzinfo=UTC))
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


# Callbacks


def test_a_callback_request_is_queued_for_the_contact_and_confirmed(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(
        session, staff=lina, language="en", phone="+46700000002", first_name="Adam"
    )
    request = callbacks.request_callback(session, client, source="sms", now=NOW)
    session.commit()
    assert request.assigned_staff_id == lina.id
    assert request.language == "en" and request.interpreter_needed
    send_due(NOW)
    (message,) = sent(outbox_file)
    # Two working days after monday 2 march.
    assert "Lina Berg will call you by Wednesday 4 March." in message["body"]
    assert "We will call with an interpreter in English." in message["body"]


def test_a_callback_during_an_absence_goes_to_the_stand_in(session, team):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    handovers.hand_over(
        session, client, omar, kind="absence", starts_on=TODAY, ends_on=date(2026, 3, 13), now=NOW
    )
    request = callbacks.request_callback(session, client, now=NOW)
    assert request.assigned_staff_id == omar.id
    assert not request.interpreter_needed


def test_a_callback_from_an_unknown_number_is_queued_without_a_message(session, team):
    request = callbacks.request_callback(session, None, from_phone="+46701111111", now=NOW)
    assert request.client_id is None and request.from_phone == "+46701111111"
    assert outbox(session, "callback_confirmation") == []


# Feedback after meetings


def test_feedback_is_asked_an_hour_after_the_meeting(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    meeting = NOW + timedelta(days=5)
    book_appointment(session, client, starts_at=meeting, now=NOW, duration_minutes=45)
    (question,) = outbox(session, "feedback_request")
    assert question.due_at == meeting + timedelta(minutes=45, hours=1)
    send_due(question.due_at)
    body = [m["body"] for m in sent(outbox_file) if m["kind"] == "feedback_request"][0]
    assert "Svara 1 om det var bra, 2 om det var sådär, 3 om det var dåligt." in body
    assert "fråga efter chefen" in body


def test_no_feedback_after_a_meeting_the_client_said_no_to(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    appointment = book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    appointments.respond(session, appointment, AppointmentResponse.DECLINED, now=NOW)
    session.commit()
    send_due(NOW + timedelta(days=2))
    assert "feedback_request" not in [m["kind"] for m in sent(outbox_file)]


def test_feedback_is_asked_at_most_once_a_month(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    book_appointment(session, client, starts_at=NOW + timedelta(days=7), now=NOW)
    send_due(NOW + timedelta(days=10))
    assert [m["kind"] for m in sent(outbox_file)].count("feedback_request") == 1


def test_feedback_can_be_switched_off(app, session, team):
    app.config["FEEDBACK_AFTER_MEETINGS"] = False
    _, lina, _ = team
    client = create_client(session, staff=lina)
    book_appointment(session, client, starts_at=NOW + timedelta(days=5), now=NOW)
    assert outbox(session, "feedback_request") == []


# Copies to representatives, and opt-out


def add_representative(session, client, **values) -> Representative:
    defaults = dict(
        client_id=client.id, name="Anders Holm", role="god_man", phone="+46701740607", language="sv"
    )
    representative = Representative(**(defaults | values))
    session.add(representative)
    session.commit()
    return representative


def test_representatives_get_copies_only_of_what_the_client_allowed(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    add_representative(session, client, copy_appointments=True)
    add_representative(
        session,
        client,
        name="Maria Lind",
        role="relative",
        phone="+46701740608",
        copy_decisions=True,
    )
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    send_due(NOW)
    messages = sent(outbox_file)
    assert [(m["to"], m["kind"]) for m in messages] == [
        ("+46700000001", "appointment_reminder"),
        ("+46701740607", "appointment_reminder"),
    ]
    assert messages[1]["body"].splitlines()[:2] == [
        "Hej Anders Holm! Det här är Ekby kommun.",
        "Du är god man för Sara. Här är vårt meddelande till Sara:",
    ]


def test_a_copy_is_written_in_the_representative_s_language(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    add_representative(session, client, language="en", copy_appointments=True)
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    send_due(NOW)
    copy = sent(outbox_file)[1]
    assert copy["language"] == "en"
    assert copy["body"].startswith("Hello Anders Holm! This is Ekby kommun.")


def test_an_opted_out_representative_gets_no_copies(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    representative = add_representative(session, client, copy_appointments=True)
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    representative.opted_out_at = NOW
    session.add(representative)
    session.commit()
    send_due(NOW)
    assert [m["to"] for m in sent(outbox_file)] == ["+46700000001"]


def test_an_opted_out_client_gets_nothing_of_any_kind(session, team, outbox_file):
    _, lina, omar = team
    client = create_client(session, staff=lina, opted_out_at=NOW - timedelta(days=1))
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    handovers.hand_over(session, client, omar, starts_on=TODAY, now=NOW)
    callbacks.request_callback(session, client, now=NOW)
    session.commit()
    result = send_due(NOW + timedelta(days=2))
    assert result.sent == 0 and result.skipped == 4
    assert sent(outbox_file) == []


def test_a_discreet_client_gets_a_message_without_details(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina, privacy="discreet")
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    send_due(NOW)
    (message,) = sent(outbox_file)
    assert "Vi har ett nytt meddelande till dig." in message["body"]
    assert "klockan" not in message["body"] and "Storgatan" not in message["body"]
