"""The register extract on the admin page: everything about one client as a Swedish page
and a JSON file, for administrators of the client's unit only, audited as such."""

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.casework import closing
from app.models import AuditEvent
from tests.admin.conftest import PASSWORD, sign_in
from tests.casework.full_client import full_client
from tests.factories import create_staff, create_unit, password_hash_of

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def sara(session, caseworker, colleague):
    return full_client(session, caseworker, colleague, NOW)


def extract_events(session):
    session.expire_all()
    return session.exec(select(AuditEvent).where(AuditEvent.action == "register_extract")).all()


def test_the_page_is_in_swedish_whatever_the_staff_language(as_admin, sara):
    response = as_admin.get(f"/admin/clients/{sara.client.id}/register-extract")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert "Registerutdrag" in html and "Det här är allt Tydligt har sparat om dig." in html
    assert "god man Anna Berg" in html
    assert "handläggare Omar Haddad" in html  # the former case worker, by role and name
    assert "handläggare Lina Berg" in html
    assert "Jag kommer på mötet" in html and "Hej Sara! Du har en tid." in html
    assert "torsdag 10 december 2026 kl. 10:00" in html  # the meeting, as a person reads it
    assert "tittade på dina uppgifter" in html  # Omar's view, from the audit log
    assert "Register extract" not in html  # no English, though the staff reads English
    # The staff member's own choice of language is still theirs afterwards.
    assert "Clients" in as_admin.get("/admin/clients").get_data(as_text=True)


def test_words_retention_removed_are_said_to_be_deleted(session, as_admin, sara):
    from app.models import OutboxMessage

    for message in session.exec(select(OutboxMessage)):
        message.body = None
        session.add(message)
    session.commit()
    html = as_admin.get(f"/admin/clients/{sara.client.id}/register-extract").get_data(as_text=True)
    assert "Hej Sara! Du har en tid." not in html
    assert "Orden är borttagna: vi sparar dem i 90 dagar." in html


def test_the_json_file_is_a_download_with_no_ids_and_never_cached(as_admin, sara):
    response = as_admin.get(f"/admin/clients/{sara.client.id}/register-extract.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="registerutdrag-2026-12-07.json"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["client"]["first_name"] == "Sara"
    assert data["client"]["caseworker"] == {"role": "caseworker", "name": "Lina Berg"}
    assert data["representatives"][0]["person"] == {"role": "god_man", "name": "Anna Berg"}
    assert data["handovers"][0]["from"] == {"role": "caseworker", "name": "Omar Haddad"}
    received = {m["words"] for m in data["messages_received"]}
    assert received == {"Jag kommer på mötet", "Hej från Anna"}
    for section in ("meetings", "checklists", "decisions", "applications", "messages_sent",
                    "staff_messages", "callbacks", "call_steps", "pages", "sent_to_systems",
                    "audit"):  # fmt: skip
        assert data[section], section
    text = json.dumps(data)
    assert '"id"' not in text and "_id" not in text  # never an internal id


def test_each_extract_is_audited_without_its_content(session, as_admin, administrator, sara):
    as_admin.get(f"/admin/clients/{sara.client.id}/register-extract")
    as_admin.get(f"/admin/clients/{sara.client.id}/register-extract.json")
    events = extract_events(session)
    assert [(e.client_id, e.actor_name, e.detail) for e in events] == [
        (sara.client.id, administrator.name, "html"),
        (sara.client.id, administrator.name, "json"),
    ]


def test_a_case_worker_gets_no_extract_and_no_link_to_one(session, as_caseworker, sara):
    for path in ("register-extract", "register-extract.json"):
        assert as_caseworker.get(f"/admin/clients/{sara.client.id}/{path}").status_code == 404
    page = as_caseworker.get(f"/admin/clients/{sara.client.id}").get_data(as_text=True)
    assert "register-extract" not in page
    assert extract_events(session) == []


def test_another_units_administrator_gets_no_extract(session, client, sara):
    other = create_staff(
        session, create_unit(session, name="Ådala", phone="+46846500999"),
        email="boss@adala.example", name="Åsa Chef", role="admin",
        password_hash=password_hash_of(PASSWORD),
    )  # fmt: skip
    sign_in(client, other)
    response = client.get(f"/admin/clients/{sara.client.id}/register-extract.json")
    assert response.status_code == 404
    assert extract_events(session) == []


def test_a_closed_client_still_gets_their_extract(session, as_admin, sara):
    closing.close(session, sara.client, actor_type="staff", actor_name="Lina Berg", now=NOW)
    session.commit()
    html = as_admin.get(f"/admin/clients/{sara.client.id}/register-extract").get_data(as_text=True)
    assert "Registerutdrag" in html
    assert "Allt om dig tas bort" in html


def test_the_page_shows_every_section_the_extract_gathers():
    from app.admin.register_extract import SECTIONS as SHOWN
    from app.casework.register_extract_sections import SECTIONS as GATHERED

    assert [key for key, _title in SHOWN] == list(GATHERED)


def test_client_words_carry_their_language_and_direction(session, as_admin, amal):
    from tests.factories import receive_text

    receive_text(session, amal, "سأحضر الاجتماع")
    html = as_admin.get(f"/admin/clients/{amal.id}/register-extract").get_data(as_text=True)
    assert '<blockquote class="words" lang="ar" dir="rtl">سأحضر الاجتماع</blockquote>' in html


def test_the_extract_says_records_are_kept_while_a_client(as_admin, sara):
    url = f"/admin/clients/{sara.client.id}/register-extract"
    html = as_admin.get(url).get_data(as_text=True)
    assert "Möten, papper, beslut och annat: så länge du är klient." in html
    assert "730 dagar senare" in html
    assert "Möten, papper, beslut och annat: 730 dagar." not in html


def test_a_closed_clients_extract_gives_the_real_deletion_dates(session, as_admin, sara):
    closing.close(session, sara.client, actor_type="staff", actor_name="Lina Berg", now=NOW)
    session.commit()
    html = as_admin.get(f"/admin/clients/{sara.client.id}/register-extract").get_data(as_text=True)
    assert "Orden i dina meddelanden tas bort senast söndag 7 mars 2027." in html
    assert "Allt om dig tas bort onsdag 6 december 2028." in html
    assert "så länge du är klient" not in html
