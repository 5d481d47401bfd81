"""Gathering a register extract: every table about a client is read, people appear by role
and name, and words retention removed are marked as deleted."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import closing, register_extract
from app.models import CallbackRequest, InboundMessage
from tests.casework.full_client import client_tables, full_client
from tests.factories import create_client, create_unit

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


def test_every_table_about_a_client_is_in_the_extract():
    tables = client_tables()
    assert {"client", "outbox_message", "checklist_item"} <= set(tables)
    missing = set(tables) - register_extract.COVERED
    assert missing == set(), f"tables about a client the extract does not read: {missing}"


def test_every_section_holds_the_clients_records(app, session, team):
    _unit, lina, omar = team
    full = full_client(session, lina, omar, NOW)
    extract = register_extract.gather(session, full.client, NOW, app.config)
    sections = extract.sections
    assert all(sections[name] for name in sections), [n for n in sections if not sections[n]]
    assert [c["documents"][0]["document"] for c in sections["checklists"]] == ["hyresavi"]
    assert {m["to"].name for m in sections["messages_sent"]} == {"", "Anna Berg"}
    assert sections["handovers"][0]["from"] == register_extract.Person("caseworker", "Omar Haddad")
    assert extract.client["caseworker"] == register_extract.Person("caseworker", "Lina Berg")
    assert extract.client["communication_aid"] == "bildstöd"
    assert extract.client["interpreter_language"] == "ar"
    viewed = [e for e in sections["audit"] if e["action"] == "client_viewed"]
    assert viewed[0]["who"] == register_extract.Person("caseworker", "Omar Haddad")
    changed = [e for e in sections["audit"] if e["action"] == "client_changed"]
    assert changed[0]["fields_changed"] == ["language"]


def test_audit_details_that_name_records_by_id_are_left_out(app, session, team):
    from app import audit

    _unit, lina, omar = team
    sara = full_client(session, lina, omar, NOW).client
    audit.record(session, "inbound_handled", actor_type="staff", actor_id=lina.id,
                 client_id=sara.id, detail="inbound:4711 to staff 42")  # fmt: skip
    session.commit()
    extract = register_extract.gather(session, sara, NOW, app.config)
    assert "4711" not in str(extract.as_json())


def test_words_removed_by_retention_are_marked_deleted(app, session, team):
    _unit, lina, omar = team
    full = full_client(session, lina, omar, NOW)
    for message in session.exec(select(InboundMessage)):
        message.body = None
        session.add(message)
    session.commit()
    extract = register_extract.gather(session, full.client, NOW, app.config)
    received = extract.sections["messages_received"]
    assert {(m["words"], m["words_deleted"]) for m in received} == {(None, True)}
    sent = extract.sections["messages_sent"]
    assert any(m["words"] and not m["words_deleted"] for m in sent)


def test_nothing_of_another_client_is_in_the_extract(app, session, team):
    _unit, lina, omar = team
    full_client(session, lina, omar, NOW)
    karin = create_client(session, lina, first_name="Karin", phone="+46700000002")
    extract = register_extract.gather(session, karin, NOW, app.config)
    assert all(not rows for rows in extract.sections.values())
    assert "Sara" not in str(extract.as_json())


def test_the_json_has_no_internal_ids(app, session, team):
    _unit, lina, omar = team
    full = full_client(session, lina, omar, NOW)
    data = register_extract.gather(session, full.client, NOW, app.config).as_json()

    def keys(value):
        if isinstance(value, dict):
            for key, item in value.items():
                yield key
                yield from keys(item)
        elif isinstance(value, list):
            for item in value:
                yield from keys(item)

    assert [k for k in keys(data) if k == "id" or k.endswith("_id")] == []


def after_closing_rows(session, sara, unit_id, at, tag=""):
    """A text and a callback from Sara's number after she was closed: stored as a
    stranger's (no client), in her unit; and one to another unit."""
    session.add_all([
        InboundMessage(provider_id=f"SMlate{tag}", from_phone=sara.phone, unit_id=unit_id,
                       body="Varför får jag inget?", received_at=at),
        InboundMessage(provider_id=f"SMother{tag}", from_phone=sara.phone, unit_id=unit_id + 1,
                       body="Till en annan enhet", received_at=at),
        InboundMessage(provider_id=f"SMbefore{tag}", from_phone=sara.phone, unit_id=unit_id,
                       body="Före stängningen, okänd", received_at=at - timedelta(days=30)),
        CallbackRequest(from_phone=sara.phone, unit_id=unit_id, language="sv", created_at=at),
    ])  # fmt: skip
    session.commit()


def test_texts_and_calls_from_the_number_after_closing_are_in_the_extract(app, session, team):
    unit, lina, omar = team
    other_unit = create_unit(session, name="Annan enhet", phone="+46846500999")
    assert other_unit.id == unit.id + 1
    sara = full_client(session, lina, omar, NOW).client
    closing.close(session, sara, actor_type="staff", actor_name="Lina Berg", now=NOW)
    session.commit()
    after_closing_rows(session, sara, unit.id, NOW + timedelta(days=2))
    extract = register_extract.gather(session, sara, NOW + timedelta(days=3), app.config)
    words = [m["words"] for m in extract.sections["messages_received"]]
    assert "Varför får jag inget?" in words
    assert "Till en annan enhet" not in words and "Före stängningen, okänd" not in words
    asked = [c["asked_at"] for c in extract.sections["callbacks"]]
    assert NOW + timedelta(days=2) in asked
    # Once someone new is a client with the number, what comes from it is theirs.
    create_client(session, lina, first_name="Nils", phone=sara.phone)
    after_closing_rows(session, sara, unit.id, NOW + timedelta(days=4), "2")  # after Nils came
    extract = register_extract.gather(session, sara, NOW + timedelta(days=5), app.config)
    received = extract.sections["messages_received"]
    assert [m for m in received if m["received_at"] > NOW + timedelta(days=3)] == []
    asked = [c["asked_at"] for c in extract.sections["callbacks"]]
    assert [at for at in asked if at > NOW + timedelta(days=3)] == []


def test_staff_who_moved_to_another_unit_keep_their_names(app, session, team):
    _unit, lina, omar = team
    sara = full_client(session, lina, omar, NOW).client
    elsewhere = create_unit(session, name="Annan enhet", phone="+46846500999")
    omar.unit_id = elsewhere.id
    session.add(omar)
    session.commit()
    extract = register_extract.gather(session, sara, NOW, app.config)
    omar_then = register_extract.Person("caseworker", "Omar Haddad")
    assert extract.sections["handovers"][0]["from"] == omar_then


def test_the_json_says_when_a_closed_clients_data_goes(app, session, team):
    _unit, lina, omar = team
    sara = full_client(session, lina, omar, NOW).client
    kept = register_extract.gather(session, sara, NOW, app.config).retention
    assert (kept["records_kept"], kept["words_deleted_on"], kept["deleted_on"]) == (
        "while a client, then record_days from the closing",
        None,
        None,
    )
    closing.close(session, sara, actor_type="staff", actor_name="Lina Berg", now=NOW)
    kept = register_extract.gather(session, sara, NOW, app.config).as_json()["retention"]
    assert kept["words_deleted_on"] == (NOW + timedelta(days=90)).isoformat()
    assert kept["deleted_on"] == (NOW + timedelta(days=730)).isoformat()
