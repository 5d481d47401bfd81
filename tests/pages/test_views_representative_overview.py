"""A representative's own overview link: only what their permissions allow, addressed to
them in their language, gone at once when they are removed or opt out; the client's own
link unchanged."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import checklists, clients, decisions, pins, representatives
from app.models import Client, LinkToken, Representative
from app.outbox.sweep import send_due
from tests.factories import book_appointment, create_staff, create_unit

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
TOKEN = r"/p/([A-Za-z0-9_-]{22})"

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def sara(session) -> Client:
    """A client with a meeting ahead, papers missing, support in force and a past decision."""
    unit = create_unit(session, phone_menu_number="+46846500401")
    lina = create_staff(
        session, unit, email="lina@ekby.example", name="Lina Berg", phone="+46701740605"
    )
    sara = clients.enroll(
        session,
        unit_id=unit.id,
        caseworker_id=lina.id,
        first_name="Sara",
        last_name="Lind",
        phone="+46700000001",
        consent_method="verbal",
        now=NOW,
    )
    book_appointment(session, sara, starts_at=NOW + timedelta(days=3), now=NOW)
    checklists.create(
        session,
        sara,
        application_type="ekonomiskt_bistand",
        due_date=date(2026, 3, 9),
        documents=["hyresavi"],
        now=NOW,
    )
    decisions.decide(
        session,
        sara,
        now=NOW - timedelta(days=5),
        service="boendestod",
        outcome="approved",
        valid_from=date(2026, 3, 1),
        valid_to=date(2026, 8, 31),
    )
    session.commit()
    return sara


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def link_for(session, outbox_file, representative: Representative) -> str:
    """The link in the overview text staff sent the representative."""
    representatives.send_overview(session, representative, now=NOW)
    session.commit()
    send_due(NOW)
    for line in outbox_file.read_text().splitlines():
        if '"representative_overview"' in line and representative.phone in line:
            return re.search(TOKEN, line).group(1)
    raise AssertionError("no overview text went to the representative")


def add(session, sara, **values) -> Representative:
    defaults = dict(name="Per Holm", role="god_man", phone="+46700000009", language="sv")
    added = representatives.add(session, sara, now=NOW, **(defaults | values))
    session.commit()
    return added


def test_the_text_carries_a_link_of_the_representative_s_own(session, sara, outbox_file):
    per = add(session, sara, copy_appointments=True)
    token = link_for(session, outbox_file, per)
    link = next(row for row in session.exec(select(LinkToken)) if row.representative_id is not None)
    assert (link.representative_id, link.client_id, link.purpose) == (per.id, sara.id, "overview")
    body = next(
        line for line in outbox_file.read_text().splitlines() if "representative_overview" in line
    )
    assert f"Läs allt som du får se om Sara här: https://tydligt.ekby.example/p/{token}" in body
    assert "Lind" not in body


def test_a_god_man_with_every_copy_sees_everything_about_the_client(
    client, session, sara, outbox_file
):
    per = add(
        session,
        sara,
        copy_appointments=True,
        copy_documents=True,
        copy_decisions=True,
        copy_handovers=True,
    )
    html = client.get(f"/p/{link_for(session, outbox_file, per)}").data.decode()
    page = text_of(html)
    assert "<title>Allt om Sara hos Ekby kommun</title>" in html
    assert "Hej Per Holm! Här ser du det som du får se om Sara." in page
    assert "Texterna är skrivna till Sara. ”Du” betyder Sara." in page
    assert "Du ska träffa Lina Berg torsdag 5 mars klockan 9.00." in page
    assert "Hyresavi." in page
    assert "boendestöd: gäller till måndag 31 augusti." in page
    assert "Beslut om boendestöd." in page  # the history
    assert "Lind" not in page


def test_a_representative_allowed_meetings_only_sees_only_meetings(
    client, session, sara, outbox_file
):
    mia = add(session, sara, name="Mia Lind", role="relative", copy_appointments=True)
    html = client.get(f"/p/{link_for(session, outbox_file, mia)}").data.decode()
    page = text_of(html)
    assert "Du ska träffa Lina Berg torsdag 5 mars klockan 9.00." in page
    assert 'id="meetings-title"' in html and 'id="history-title"' in html
    assert 'id="documents-title"' not in html and "Hyresavi" not in page
    assert 'id="decisions-title"' not in html and "boendestöd" not in page
    assert "Din kontakt hos oss är Lina Berg." in page


def test_a_representative_allowed_decisions_only_sees_no_meeting(
    client, session, sara, outbox_file
):
    per = add(session, sara, role="forvaltare", copy_decisions=True)
    html = client.get(f"/p/{link_for(session, outbox_file, per)}").data.decode()
    page = text_of(html)
    assert "boendestöd: gäller till måndag 31 augusti." in page
    assert "Beslut om boendestöd." in page
    assert 'id="meetings-title"' not in html and "Lina Berg torsdag" not in page
    assert "/calendar/" not in html
    assert "Hyresavi" not in page


def test_the_page_is_in_the_representative_s_language(client, session, sara, outbox_file):
    per = add(session, sara, language="en", copy_appointments=True)
    html = client.get(f"/p/{link_for(session, outbox_file, per)}").data.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Everything about Sara at Ekby kommun" in html
    assert "Hello Per Holm! Here you see what you may see about Sara." in text_of(html)


@pytest.mark.parametrize("how", ["removed", "opted out", "copies unticked"])
def test_the_link_stops_working_at_once(client, session, sara, outbox_file, how):
    per = add(session, sara, copy_appointments=True, copy_decisions=True)
    token = link_for(session, outbox_file, per)
    assert client.get(f"/p/{token}").status_code == 200
    if how == "removed":
        representatives.remove(session, per, NOW)
    elif how == "opted out":
        per.opted_out_at = NOW
    else:
        representatives.update(session, per, copy_appointments=False, copy_decisions=False)
    session.commit()
    gone = client.get(f"/p/{token}")
    if how == "copies unticked":
        # Still their link, but it shows nothing of the client's records any more.
        html = gone.data.decode()
        assert "boendestöd" not in html and "Lina Berg torsdag" not in text_of(html)
        assert 'id="history-title"' not in html
        return
    assert gone.status_code == 404
    html = gone.data.decode()
    assert "Länken fungerar inte längre" in html and "Sara" not in html


def test_the_client_s_own_link_is_unchanged(client, session, sara, outbox_file):
    add(session, sara, name="Mia Lind", role="relative", copy_appointments=True)
    send_due(NOW)
    welcome = next(
        line for line in outbox_file.read_text().splitlines() if '"kind": "welcome"' in line
    )
    html = client.get(f"/p/{re.search(TOKEN, welcome).group(1)}").data.decode()
    page = text_of(html)
    assert "<title>Allt om dig hos Ekby kommun</title>" in html
    assert "Här ser du hur det är just nu." in page
    assert "Hyresavi." in page and "boendestöd: gäller till" in page
    assert "Du ska träffa Lina Berg" in page
    assert "Texterna är skrivna till" not in page


def test_a_discreet_client_s_page_asks_the_representative_for_the_pin(
    client, session, sara, outbox_file
):
    sara.privacy = "discreet"
    pins.set_pin(session, sara, "4826")
    session.commit()
    per = add(session, sara, copy_appointments=True)
    token = link_for(session, outbox_file, per)
    first = client.get(f"/p/{token}").data.decode()
    assert "Lina Berg" not in first and "pin" in first
    client.post(f"/p/{token}", data={"pin": "4826"})
    assert "Du ska träffa Lina Berg" in text_of(client.get(f"/p/{token}").data.decode())


def test_a_corrected_number_ends_the_links_sent_to_the_old_one(client, session, sara, outbox_file):
    """Whoever got the text at a mistyped number must not read the client's records."""
    per = add(session, sara, phone="+46700000019", copy_decisions=True)
    token = link_for(session, outbox_file, per)
    assert client.get(f"/p/{token}").status_code == 200
    representatives.update(session, per, phone="+46700000009", now=NOW)
    session.commit()
    page = client.get(f"/p/{token}")
    assert "boendestöd" not in page.data.decode()
    assert page.status_code == 404


def test_a_removed_representative_s_link_stays_gone_when_their_number_is_edited(
    client, session, sara, outbox_file
):
    per = add(session, sara, copy_decisions=True)
    token = link_for(session, outbox_file, per)
    representatives.remove(session, per, now=NOW)
    session.commit()
    assert client.get(f"/p/{token}").status_code == 404
    representatives.update(session, per, phone="+46700000029", now=NOW)
    session.commit()
    page = client.get(f"/p/{token}")
    assert page.status_code == 404
    assert "boendestöd" not in page.data.decode()
