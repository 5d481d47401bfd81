"""The overview's history: what has happened, for a client to show ("written is proof")."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import clients, decisions, pins
from app.models import Appointment, Client, LinkToken
from app.outbox.sweep import send_due
from tests.factories import book_appointment, create_staff, create_unit

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def lina(session):
    unit = create_unit(session, phone_menu_number="+46846500401")
    return create_staff(
        session, unit, email="lina@ekby.example", name="Lina Berg", phone="+46701740605"
    )


def overview_link(session, lina, outbox_file, **values) -> tuple[Client, str]:
    """A new client's own overview link (from the welcome)."""
    sara = clients.enroll(
        session,
        unit_id=lina.unit_id,
        caseworker_id=lina.id,
        first_name="Sara",
        phone="+46700000001",
        consent_method="verbal",
        now=NOW,
        **values,
    )
    session.commit()
    send_due(NOW)
    body = outbox_file.read_text()
    return sara, re.search(r"/p/([A-Za-z0-9_-]{22})", body).group(1)


def text_of(html: str) -> str:
    """The page's words without tags (as a browser joins them), spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def past_records(session, sara: Client) -> None:
    decisions.decide(
        session,
        sara,
        now=NOW - timedelta(days=20),
        service="boendestod",
        outcome="refused",
        reasons=["need_met_otherwise"],
        received_on=date(2026, 2, 12),
    )
    meeting = Appointment(
        client_id=sara.id,
        staff_id=sara.caseworker_id,
        starts_at=datetime(2026, 2, 20, 9, 0, tzinfo=UTC),
        response="confirmed",
        responded_at=datetime(2026, 2, 19, 12, 0, tzinfo=UTC),
        attendance="came",
    )
    session.add(meeting)
    session.commit()


def test_the_history_shows_decisions_meetings_and_answers_newest_first(
    client, session, lina, outbox_file
):
    sara, token = overview_link(session, lina, outbox_file)
    past_records(session, sara)
    html = client.get(f"/p/{token}").data.decode()
    history = text_of(html[html.index('id="history-title"') :])
    assert "Det här har hänt" in history
    assert "Här står beslut, möten och svar sedan lördag 2 mars 2024." in history
    meeting = history.index(
        "fredag 20 februari 2026: Möte med Lina Berg klockan 10.00. Mötet blev av."
    )
    answer = history.index("torsdag 19 februari 2026: Svar: JA till mötet fredag 20 februari 2026.")
    decided = history.index(
        "tisdag 10 februari 2026: Beslut om boendestöd. Svaret blev nej. "
        "Sista dag att överklaga: torsdag 5 mars 2026."
    )
    assert meeting < answer < decided, history
    assert '<time datetime="2026-02-20">' in html


def test_the_history_is_in_the_client_s_language(client, session, lina, outbox_file):
    sara, token = overview_link(session, lina, outbox_file)
    past_records(session, sara)
    history = text_of(client.get(f"/p/{token}?lang=en").data.decode())
    assert "What has happened" in history
    assert "The answer was no. Last day to appeal: Thursday 5 March 2026." in history
    assert "Meeting with Lina Berg at 10:00. The meeting took place." in history


def test_an_empty_history_says_so(client, session, lina, outbox_file):
    _sara, token = overview_link(session, lina, outbox_file)
    html = text_of(client.get(f"/p/{token}").data.decode())
    assert "Vi har inget att visa här sedan lördag 2 mars 2024." in html


def test_a_meeting_still_ahead_is_not_history(client, session, lina, outbox_file):
    sara, token = overview_link(session, lina, outbox_file)
    book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    html = client.get(f"/p/{token}").data.decode()
    history = text_of(html[html.index('id="history-title"') :])
    assert "Möte med" not in history


def test_a_discreet_client_s_history_waits_for_the_pin(client, session, lina, outbox_file):
    sara, token = overview_link(session, lina, outbox_file, privacy="discreet")
    pins.set_pin(session, sara, "4826")
    past_records(session, sara)
    first = client.get(f"/p/{token}").data.decode()
    assert "boendestöd" not in first and "Det här har hänt" not in first
    client.post(f"/p/{token}", data={"pin": "4826"})
    assert "Beslut om boendestöd." in text_of(client.get(f"/p/{token}").data.decode())
    assert session.exec(select(LinkToken)).first() is not None
