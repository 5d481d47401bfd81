"""Appointment pages: plan a meeting and see its reminders planned, change it and tell the
client, cancel it; only for the client's own case worker, every action audited."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import appointments
from app.models import (
    Appointment,
    AppointmentStatus,
    AuditEvent,
    OutboxMessage,
    OutboxStatus,
    Representative,
)
from tests.admin.conftest import post
from tests.factories import book_appointment

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
MEETING = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # tuesday 10 march, 14.00 in Stockholm

pytestmark = pytest.mark.frozen_at(NOW)


def booking(**changes) -> dict:
    """A valid form for tuesday 10 march at 14.00, at the office."""
    return {
        "date": "2026-03-10",
        "time": "14:00",
        "duration_minutes": "60",
        "mode": "office",
        "location": "Storgatan 12, Ekby",
        "purpose": "follow_up",
    } | changes


def messages(session, kind: str, status: str | None = OutboxStatus.PENDING) -> list:
    session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.kind == kind)
    if status:
        query = query.where(OutboxMessage.status == status)
    return list(session.exec(query.order_by(OutboxMessage.due_at)))


def audited(session, action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action)
    return list(session.exec(query.order_by(AuditEvent.id)))  # in the order made


def flashes(web) -> list[str]:
    with web.session_transaction() as stored:
        return [text for _category, text in stored.get("_flashes", [])]


def test_the_plan_form_offers_the_unit_address_and_the_case_worker(
    session, as_caseworker, sara, caseworker
):
    page = as_caseworker.get(f"/admin/clients/{sara.id}/appointments/new")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="Storgatan 12, Ekby"' in html
    assert f'<option value="{caseworker.id}" selected>Lina Berg</option>' in html
    assert 'value="60"' in html
    assert audited(session, "client_viewed")[0].client_id == sara.id


def test_booking_saves_the_meeting_plans_two_reminders_and_is_audited(
    session, as_caseworker, sara, caseworker
):
    form = booking(staff_id=str(caseworker.id), bring=["hyresavi", "kontoutdrag"])
    response = post(as_caseworker, f"/admin/clients/{sara.id}/appointments/new", form)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/clients/{sara.id}"
    appointment = session.exec(select(Appointment)).one()
    assert appointment.starts_at == MEETING
    assert appointment.staff_id == caseworker.id
    assert appointment.bring == "hyresavi,kontoutdrag"
    reminders = messages(session, "appointment_reminder")
    assert [m.due_at for m in reminders] == [
        MEETING - timedelta(days=3),
        MEETING - timedelta(days=1),
    ]
    assert {m.subject_id for m in reminders} == {appointment.id}
    (event,) = audited(session, "appointment_booked")
    assert (event.client_id, event.subject_type, event.subject_id) == (
        sara.id,
        "appointment",
        appointment.id,
    )
    assert event.actor_id == caseworker.id
    assert flashes(as_caseworker) == [
        "The meeting is planned. 2 reminders: Sat 7 Mar 14:00, Mon 9 Mar 14:00."
    ]


def test_a_meeting_in_the_past_is_refused_at_the_date_field_and_nothing_is_saved(
    session, as_caseworker, sara, caseworker
):
    form = booking(date="2026-03-01", staff_id=str(caseworker.id))
    response = post(as_caseworker, f"/admin/clients/{sara.id}/appointments/new", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<p class="field-error" id="error-date">The meeting must be in the future.' in html
    assert 'value="2026-03-01"' in html  # what was typed stays
    assert session.exec(select(Appointment)).all() == []
    assert session.exec(select(OutboxMessage)).all() == []
    assert audited(session, "appointment_booked") == []


def test_an_office_meeting_without_an_address_is_refused(session, as_caseworker, sara, caseworker):
    form = booking(location="", staff_id=str(caseworker.id))
    response = post(as_caseworker, f"/admin/clients/{sara.id}/appointments/new", form)
    assert response.status_code == 200
    assert 'id="error-location">Give the address of the meeting place.' in response.get_data(
        as_text=True
    )
    assert session.exec(select(Appointment)).all() == []


def test_a_bad_time_and_a_missing_address_are_shown_together(
    session, as_caseworker, sara, caseworker
):
    form = booking(time="25:99", location="", duration_minutes="an hour")
    form["staff_id"] = str(caseworker.id)
    response = post(as_caseworker, f"/admin/clients/{sara.id}/appointments/new", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="error-time">Give a time like 14:30.' in html
    assert 'id="error-location">Give the address of the meeting place.' in html
    assert 'id="error-duration_minutes">Give the length in whole minutes, like 60.' in html
    assert 'id="error-date"' not in html  # the date was fine
    assert session.exec(select(Appointment)).all() == []


def test_a_phone_meeting_needs_no_address(session, as_caseworker, sara, caseworker):
    form = booking(mode="phone", location="", staff_id=str(caseworker.id))
    response = post(as_caseworker, f"/admin/clients/{sara.id}/appointments/new", form)
    assert response.status_code == 302
    assert session.exec(select(Appointment)).one().mode == "phone"


def test_someone_elses_client_is_not_found_on_any_appointment_page(
    session, as_caseworker, someone_elses, colleague
):
    url = f"/admin/clients/{someone_elses.id}/appointments/new"
    assert as_caseworker.get(url).status_code == 404
    response = post(as_caseworker, url, booking(staff_id=str(colleague.id)))
    assert response.status_code == 404

    appointment = book_appointment(session, someone_elses, starts_at=MEETING)
    assert as_caseworker.get(f"/admin/appointments/{appointment.id}/edit").status_code == 404
    edit = post(as_caseworker, f"/admin/appointments/{appointment.id}/edit", booking())
    assert edit.status_code == 404
    assert as_caseworker.get(f"/admin/appointments/{appointment.id}/cancel").status_code == 404
    cancel = post(as_caseworker, f"/admin/appointments/{appointment.id}/cancel")
    assert cancel.status_code == 404
    session.expire_all()
    assert session.get(Appointment, appointment.id).status == AppointmentStatus.PLANNED
    assert len(session.exec(select(Appointment)).all()) == 1
    assert audited(session, "client_viewed") == []


def test_an_unknown_appointment_is_not_found(as_caseworker):
    assert as_caseworker.get("/admin/appointments/999/edit").status_code == 404


def test_the_edit_page_shows_the_clients_answer_and_every_planned_message(
    session, as_caseworker, sara
):
    session.add(
        Representative(
            client_id=sara.id, name="Anna Lind", phone="+46700000009", copy_appointments=True
        )
    )
    session.commit()
    appointment = book_appointment(session, sara, starts_at=MEETING)
    appointments.respond(session, appointment, "declined")
    session.commit()

    page = as_caseworker.get(f"/admin/appointments/{appointment.id}/edit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Declined" in html
    assert html.count("Meeting reminder") == 4  # two reminders, each with a copy
    assert "Copy to Anna Lind" in html
    assert "Sat 7 Mar 14:00" in html
    assert "Waiting" in html
    assert 'value="2026-03-10"' in html and 'value="14:00"' in html


def test_changing_the_time_tells_the_client_and_plans_the_reminders_again(
    session, as_caseworker, sara, caseworker
):
    appointment = book_appointment(session, sara, starts_at=MEETING)
    form = booking(date="2026-03-12", staff_id=str(caseworker.id))
    response = post(as_caseworker, f"/admin/appointments/{appointment.id}/edit", form)

    assert response.status_code == 302
    session.expire_all()
    changed = session.get(Appointment, appointment.id)
    later = MEETING + timedelta(days=2)
    assert changed.starts_at == later
    assert changed.previous_starts_at == MEETING
    (notice,) = messages(session, "appointment_changed")
    assert notice.due_at == NOW and notice.subject_id == appointment.id
    assert len(messages(session, "appointment_reminder", OutboxStatus.CANCELLED)) == 2
    assert [m.due_at for m in messages(session, "appointment_reminder")] == [
        later - timedelta(days=3),
        later - timedelta(days=1),
    ]
    (event,) = audited(session, "appointment_changed")
    assert (event.subject_id, event.detail) == (appointment.id, "starts_at")
    assert flashes(as_caseworker) == [
        "The meeting is changed and the client is told now. "
        "2 reminders: Mon 9 Mar 14:00, Wed 11 Mar 14:00."
    ]


def test_saving_an_unchanged_meeting_tells_nobody(session, as_caseworker, sara, caseworker):
    appointment = book_appointment(session, sara, starts_at=MEETING)
    form = booking(staff_id=str(caseworker.id))
    response = post(as_caseworker, f"/admin/appointments/{appointment.id}/edit", form)
    assert response.status_code == 302
    assert messages(session, "appointment_changed", status=None) == []
    assert session.get(Appointment, appointment.id).version == 1
    assert audited(session, "appointment_changed") == []


def test_a_change_into_the_past_is_refused_and_keeps_the_meeting(
    session, as_caseworker, sara, caseworker
):
    appointment = book_appointment(session, sara, starts_at=MEETING)
    form = booking(date="2026-02-27", staff_id=str(caseworker.id))
    response = post(as_caseworker, f"/admin/appointments/{appointment.id}/edit", form)
    assert response.status_code == 200
    assert "The meeting must be in the future." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Appointment, appointment.id).starts_at == MEETING
    assert messages(session, "appointment_changed", status=None) == []
    assert len(messages(session, "appointment_reminder")) == 2


def test_cancelling_asks_first_then_tells_the_client_and_stops_the_reminders(
    session, as_caseworker, sara
):
    appointment = book_appointment(session, sara, starts_at=MEETING)
    confirm = as_caseworker.get(f"/admin/appointments/{appointment.id}/cancel")
    assert confirm.status_code == 200
    assert "Yes, cancel the meeting" in confirm.get_data(as_text=True)
    assert session.get(Appointment, appointment.id).status == AppointmentStatus.PLANNED

    response = post(as_caseworker, f"/admin/appointments/{appointment.id}/cancel")

    assert response.status_code == 302
    session.expire_all()
    assert session.get(Appointment, appointment.id).status == AppointmentStatus.CANCELLED
    (notice,) = messages(session, "appointment_cancelled")
    assert notice.subject_id == appointment.id
    assert messages(session, "appointment_reminder") == []
    assert len(messages(session, "appointment_reminder", OutboxStatus.CANCELLED)) == 2
    (event,) = audited(session, "appointment_cancelled")
    assert (event.client_id, event.subject_id) == (sara.id, appointment.id)
    assert flashes(as_caseworker) == ["The meeting is cancelled and the client is told now."]


def test_a_cancelled_meeting_is_shown_without_a_form_and_cannot_be_cancelled_twice(
    session, as_caseworker, sara
):
    appointment = book_appointment(session, sara, starts_at=MEETING)
    appointments.cancel(session, appointment)
    session.commit()
    page = as_caseworker.get(f"/admin/appointments/{appointment.id}/edit").get_data(as_text=True)
    assert "This meeting is cancelled and cannot be changed." in page
    assert "Save and tell the client" not in page

    post(as_caseworker, f"/admin/appointments/{appointment.id}/cancel")
    assert len(messages(session, "appointment_cancelled")) == 1
    assert audited(session, "appointment_cancelled") == []
