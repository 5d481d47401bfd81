"""An absence shows the meetings it covers to the staff handing over: move each to the
stand-in (the client is told), rebook it, or keep it with the person who is away."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import absences
from app.models import Appointment, AuditEvent, Handover, OutboxMessage, OutboxStatus
from app.outbox.sweep import send_due
from tests.admin.conftest import post, sign_in
from tests.factories import book_appointment, create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
IN_ABSENCE = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # tuesday 10 march, 14.00
AFTER = datetime(2026, 3, 17, 13, 0, tzinfo=UTC)  # tuesday 17 march, she is back
URL = "/admin/handovers/new"

pytestmark = pytest.mark.frozen_at(NOW)


def absence_form(clients, to) -> dict:
    return {
        "client_ids": [str(client.id) for client in clients],
        "to_staff_id": str(to.id),
        "kind": "absence",
        "starts_on": "2026-03-09",
        "ends_on": "2026-03-13",
        "next_step": "continue",
    }


@pytest.fixture
def ali(session, caseworker):
    return create_client(
        session, caseworker, first_name="Ali", last_name="Warsame", phone="+46700000003"
    )


def fresh(session, model, row_id):
    session.expire_all()
    return session.get(model, row_id)


def hand_over(web, session, clients, to) -> str:
    """Post the absence; return where it leads."""
    response = post(web, URL, absence_form(clients, to))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_an_absence_with_meetings_leads_to_them_with_a_choice_for_each(
    as_caseworker, session, sara, ali, colleague
):
    sara_meeting = book_appointment(session, sara, starts_at=IN_ABSENCE, now=NOW)
    book_appointment(session, sara, starts_at=AFTER, now=NOW)  # after the absence: not shown
    ali_meeting = book_appointment(session, ali, starts_at=IN_ABSENCE + timedelta(days=1))

    location = hand_over(as_caseworker, session, [sara, ali], colleague)

    assert location.startswith("/admin/handovers/meetings?")
    page = as_caseworker.get(location)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('value="move"') == 2
    assert "Move it to Omar Haddad and tell the client now" in html
    assert "Keep it with Lina Berg (they come in for it)" in html
    assert f"/admin/appointments/{sara_meeting.id}/edit" in html
    assert f"/admin/appointments/{ali_meeting.id}/edit" in html
    assert "Tue 17 Mar" not in html
    assert "Now: reminders name Omar Haddad, who stands in." in html


def test_moving_a_meeting_gives_it_to_the_stand_in_and_tells_the_client(
    as_caseworker, session, sara, colleague, outbox_file
):
    meeting = book_appointment(session, sara, starts_at=IN_ABSENCE, now=NOW)
    location = hand_over(as_caseworker, session, [sara], colleague)

    response = post(as_caseworker, location, {f"meeting-{meeting.id}": "move"})

    assert response.status_code == 302
    assert fresh(session, Appointment, meeting.id).staff_id == colleague.id
    send_due(NOW)
    bodies = [
        line for line in outbox_file.read_text().splitlines() if "appointment_changed" in line
    ]
    assert len(bodies) == 1 and "Du ska träffa Omar Haddad tisdag 10 mars" in bodies[0]
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "appointment_changed"))
    assert [e.subject_id for e in events] == [meeting.id]
    assert as_caseworker.get(location).get_data(as_text=True).count('value="move"') == 0


def test_keeping_a_meeting_names_the_absent_person_in_its_reminders(
    as_caseworker, session, sara, colleague, caseworker
):
    meeting = book_appointment(session, sara, starts_at=IN_ABSENCE, now=NOW)
    location = hand_over(as_caseworker, session, [sara], colleague)

    post(as_caseworker, location, {f"meeting-{meeting.id}": "keep"})

    kept = fresh(session, Appointment, meeting.id)
    assert kept.keep_with_staff and kept.staff_id == caseworker.id
    assert absences.meets(session, kept, NOW) == caseworker.id
    pending = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.kind == "appointment_reminder",
            OutboxMessage.status == OutboxStatus.PENDING,
        )
    ).all()
    assert {m.subject_version for m in pending} == {kept.version}
    html = as_caseworker.get(location).get_data(as_text=True)
    assert "Now: kept with Lina Berg. Reminders name Lina Berg." in html
    assert 'value="keep" checked' in html


def test_saving_without_a_choice_says_what_to_do(as_caseworker, session, sara, colleague):
    meeting = book_appointment(session, sara, starts_at=IN_ABSENCE, now=NOW)
    location = hand_over(as_caseworker, session, [sara], colleague)

    response = post(as_caseworker, location, {})

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'href="#field-meeting-{meeting.id}"' in html
    assert "Choose move or keep for at least one meeting." in html


def test_an_absence_without_meetings_goes_on_as_before(as_caseworker, session, sara, colleague):
    book_appointment(session, sara, starts_at=AFTER, now=NOW)

    location = hand_over(as_caseworker, session, [sara], colleague)

    assert location.endswith(f"/admin/clients/{sara.id}")


def test_the_meetings_of_someone_elses_client_are_not_shown(
    as_caseworker, session, someone_elses, caseworker, colleague, administrator
):
    from app.casework import handovers

    book_appointment(session, someone_elses, starts_at=IN_ABSENCE, now=NOW)
    handover = handovers.hand_over(
        session,
        someone_elses,
        administrator,
        kind="absence",
        starts_on=IN_ABSENCE.date() - timedelta(days=1),
        ends_on=IN_ABSENCE.date() + timedelta(days=3),
        now=NOW,
    )
    session.commit()

    page = as_caseworker.get(f"/admin/handovers/meetings?handover={handover.id}")

    assert page.status_code == 404


def test_the_open_absence_links_to_its_meetings(as_caseworker, session, sara, colleague):
    hand_over(as_caseworker, session, [sara], colleague)
    (handover,) = session.exec(select(Handover)).all()

    html = as_caseworker.get(URL).get_data(as_text=True)

    assert f"/admin/handovers/meetings?handover={handover.id}" in html


def test_the_client_page_names_whom_the_client_will_meet_during_the_absence(
    as_caseworker, session, sara, colleague
):
    book_appointment(session, sara, starts_at=IN_ABSENCE, now=NOW)
    book_appointment(session, sara, starts_at=AFTER, now=NOW)
    hand_over(as_caseworker, session, [sara], colleague)

    html = as_caseworker.get(f"/admin/clients/{sara.id}").get_data(as_text=True)
    meetings = html.split('id="h-meetings"')[1].split("</ul>")[0]
    during, after = meetings.split("<li>")[1:3]
    assert "Omar Haddad (standing in for Lina Berg)" in during
    assert "Lina Berg" in after and "Omar Haddad" not in after


def test_a_keep_does_not_outlive_its_absence(as_caseworker, session, sara, colleague):
    meeting = book_appointment(session, sara, starts_at=IN_ABSENCE, now=NOW)
    location = hand_over(as_caseworker, session, [sara], colleague)
    post(as_caseworker, location, {f"meeting-{meeting.id}": "keep"})
    (first,) = session.exec(select(Handover)).all()
    assert post(as_caseworker, f"/admin/handovers/{first.id}/cancel", {}).status_code == 302

    form = absence_form([sara], colleague) | {"starts_on": "2026-03-10", "ends_on": "2026-03-12"}
    location = post(as_caseworker, URL, form).headers["Location"]

    assert fresh(session, Appointment, meeting.id).keep_with_staff is False
    html = as_caseworker.get(location).get_data(as_text=True)
    assert 'value="keep" checked' not in html and 'value="move" checked' not in html
    assert "Now: reminders name Omar Haddad, who stands in." in html
    assert "Now: kept with" not in html


def test_a_meeting_that_cannot_be_moved_as_it_is_says_why(
    as_caseworker, session, sara, ali, caseworker, colleague
):
    broken = book_appointment(session, sara, starts_at=IN_ABSENCE, now=NOW)
    other = book_appointment(session, ali, starts_at=IN_ABSENCE + timedelta(days=1), now=NOW)
    location = hand_over(as_caseworker, session, [sara, ali], colleague)
    session.refresh(broken)
    broken.bring = "a_document_since_removed"  # the catalog no longer has it
    session.add(broken)
    session.commit()
    version = broken.version

    response = post(
        as_caseworker, location, {f"meeting-{broken.id}": "move", f"meeting-{other.id}": "keep"}
    )

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'href="#field-meeting-{broken.id}"' in html
    assert "This meeting cannot be moved as it is" in html
    assert "Unknown documents: a_document_since_removed." in html
    moved = fresh(session, Appointment, broken.id)
    assert (moved.staff_id, moved.version) == (caseworker.id, version)
    assert fresh(session, Appointment, other.id).keep_with_staff is False  # nothing half-saved
    assert not session.exec(select(AuditEvent).where(AuditEvent.action == "appointment_kept")).all()


@pytest.mark.parametrize("handover", ["%C2%B2", "99999999999999999999999", "1x", "-1", "0"])
def test_a_handover_that_is_not_an_id_is_not_found(
    as_caseworker, session, sara, colleague, handover
):
    book_appointment(session, sara, starts_at=IN_ABSENCE, now=NOW)
    location = hand_over(as_caseworker, session, [sara], colleague)
    assert as_caseworker.get(location).status_code == 200

    assert as_caseworker.get(f"/admin/handovers/meetings?handover={handover}").status_code == 404
    assert as_caseworker.get(f"{location}&handover={handover}").status_code == 404


def test_an_absence_of_decades_is_refused_in_the_staff_language(
    client, session, sara, caseworker, colleague
):
    sign_in(client, caseworker, language="sv")
    form = absence_form([sara], colleague) | {"ends_on": "2099-12-31"}

    response = post(client, URL, form)

    assert response.status_code == 200  # the form again, saying what is wrong
    assert "En frånvaro kan vara högst ett år." in response.get_data(as_text=True)
    assert session.exec(select(Handover)).all() == []
