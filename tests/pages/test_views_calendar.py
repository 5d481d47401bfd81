"""GET /p/<token>/calendar/<id>.ics: "add to calendar" on a meeting's page and on the
overview, under the same access as the page."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import appointments, clients, pins, representatives
from app.models import Appointment, Client
from app.outbox.sweep import send_due
from tests.factories import book_appointment, create_client, create_staff, create_unit

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
MEETING = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # short notice: reminded at once
TOKEN = r"/p/([A-Za-z0-9_-]{22})"

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def lina(session):
    unit = create_unit(session, phone_menu_number="+46846500401")
    return create_staff(
        session, unit, email="lina@ekby.example", name="Lina Berg", phone="+46701740605"
    )


def sent(outbox_file, kind: str) -> list[str]:
    """The tokens in the texts of one kind, in the order sent."""
    return [
        re.search(TOKEN, m["body"]).group(1)
        for m in map(json.loads, outbox_file.read_text().splitlines())
        if m["kind"] == kind
    ]


def reminded(session, lina, outbox_file, **values) -> tuple[Client, Appointment, str]:
    """A client reminded of a meeting, and the reminder's page token."""
    sara = create_client(session, staff=lina, **values)
    meeting = book_appointment(session, sara, starts_at=MEETING, now=NOW)
    send_due(NOW)
    return sara, meeting, sent(outbox_file, "appointment_reminder")[0]


def test_a_meeting_s_page_offers_its_calendar_file(client, session, lina, outbox_file):
    _sara, meeting, token = reminded(session, lina, outbox_file)
    html = client.get(f"/p/{token}").data.decode()
    url = f"/p/{token}/calendar/{meeting.id}.ics"
    assert f'<a class="button" href="{url}" download>Lägg in i din kalender</a>' in html
    assert "Då påminner telefonen dig också." in html
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="meeting-2026-03-03.ics"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    body = response.data.decode()
    assert "DTSTART:20260303T070000Z\r\n" in body
    assert "SUMMARY;LANGUAGE=sv:Möte med Lina Berg\r\n" in body


def test_the_file_follows_the_page_s_language(client, session, lina, outbox_file):
    _sara, meeting, token = reminded(session, lina, outbox_file, language="en")
    body = client.get(f"/p/{token}/calendar/{meeting.id}.ics").data.decode()
    assert "SUMMARY;LANGUAGE=en:Meeting with Lina Berg\r\n" in body
    swedish = client.get(f"/p/{token}/calendar/{meeting.id}.ics?lang=sv").data.decode()
    assert "SUMMARY;LANGUAGE=sv:Möte med Lina Berg\r\n" in swedish


def test_a_page_that_is_not_about_a_meeting_offers_none(client, session, lina, outbox_file):
    from datetime import date

    from app.casework import checklists

    sara = create_client(session, staff=lina)
    meeting = book_appointment(session, sara, starts_at=MEETING + timedelta(days=5), now=NOW)
    checklists.create(
        session,
        sara,
        application_type="ekonomiskt_bistand",
        due_date=date(2026, 3, 9),
        documents=["hyresavi"],
        now=NOW,
    )
    session.commit()
    send_due(NOW)
    token = sent(outbox_file, "checklist_request")[0]
    assert "/calendar/" not in client.get(f"/p/{token}").data.decode()
    # Nor does its link open another record's calendar.
    assert client.get(f"/p/{token}/calendar/{meeting.id}.ics").status_code == 404


def test_a_message_link_opens_only_its_own_meeting(client, session, lina, outbox_file):
    sara, meeting, token = reminded(session, lina, outbox_file)
    other = book_appointment(session, sara, starts_at=MEETING + timedelta(days=7), now=NOW)
    assert client.get(f"/p/{token}/calendar/{other.id}.ics").status_code == 404
    stranger = create_client(session, staff=lina, first_name="Omar", phone="+46700000002")
    theirs = book_appointment(session, stranger, starts_at=MEETING, now=NOW)
    assert client.get(f"/p/{token}/calendar/{theirs.id}.ics").status_code == 404
    assert client.get(f"/p/{'x' * 22}/calendar/{meeting.id}.ics").status_code == 404


def test_an_id_no_database_integer_holds_names_nothing(client, session, lina, outbox_file):
    _sara, _meeting, token = reminded(session, lina, outbox_file)
    for impossible in (2**31, 10**20):
        assert client.get(f"/p/{token}/calendar/{impossible}.ics").status_code == 404


def test_the_overview_offers_a_file_for_each_meeting(client, session, lina, outbox_file):
    sara = clients.enroll(
        session,
        unit_id=lina.unit_id,
        caseworker_id=lina.id,
        first_name="Sara",
        phone="+46700000001",
        consent_method="verbal",
        now=NOW,
    )
    session.commit()
    send_due(NOW)
    token = sent(outbox_file, "welcome")[0]
    first = book_appointment(session, sara, starts_at=MEETING, now=NOW)
    second = book_appointment(session, sara, starts_at=MEETING + timedelta(days=7), now=NOW)
    html = client.get(f"/p/{token}").data.decode()
    for meeting in (first, second):
        assert f'href="/p/{token}/calendar/{meeting.id}.ics"' in html
        assert client.get(f"/p/{token}/calendar/{meeting.id}.ics").status_code == 200
    # A cancelled meeting leaves the overview, but its file still says it is cancelled, so
    # a calendar that holds it can take it away.
    appointments.cancel(session, second, now=NOW)
    session.commit()
    body = client.get(f"/p/{token}/calendar/{second.id}.ics").data.decode()
    assert "STATUS:CANCELLED\r\n" in body


def test_a_discreet_client_gives_the_pin_first(client, session, lina, outbox_file):
    sara, meeting, token = reminded(session, lina, outbox_file, privacy="discreet")
    pins.set_pin(session, sara, "4826")
    session.commit()
    url = f"/p/{token}/calendar/{meeting.id}.ics"
    before = client.get(url)
    assert before.status_code == 303 and before.headers["Location"].endswith(f"/p/{token}")
    client.post(f"/p/{token}", data={"pin": "4826"})
    assert "DTSTART:20260303T070000Z" in client.get(url).data.decode()


def test_a_representative_without_meetings_gets_no_file(client, session, lina, outbox_file):
    sara = create_client(session, staff=lina)
    meeting = book_appointment(session, sara, starts_at=MEETING, now=NOW)
    per = representatives.add(
        session,
        sara,
        name="Per Holm",
        role="forvaltare",
        phone="+46700000009",
        copy_decisions=True,
        now=NOW,
    )
    representatives.send_overview(session, per, now=NOW)
    session.commit()
    send_due(NOW)
    token = sent(outbox_file, "representative_overview")[0]
    assert client.get(f"/p/{token}/calendar/{meeting.id}.ics").status_code == 404
    # Allowed meetings, the same link gives it; removed, nothing again.
    representatives.update(session, per, copy_appointments=True)
    session.commit()
    assert client.get(f"/p/{token}/calendar/{meeting.id}.ics").status_code == 200
    representatives.remove(session, per, NOW)
    session.commit()
    assert client.get(f"/p/{token}/calendar/{meeting.id}.ics").status_code == 404
    assert session.exec(select(Appointment)).first() is not None
