"""Closing a client who is no longer a client: nothing more goes out, their links stop,
and their texts, calls and representatives are a stranger's on every channel."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app import access
from app.casework import clients, closing
from app.models import AuditEvent, LinkToken, OutboxMessage, OutboxStatus
from app.outbox.sweep import send_due
from app.pages import links
from tests.casework.full_client import full_client
from tests.factories import book_appointment, create_client, receive_text

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


def close(session, client, **values):
    closed = closing.close(session, client, actor_type="staff", actor_name="Lina Berg", **values)
    session.commit()
    return closed


def test_closing_cancels_what_is_planned_and_stops_every_link(session, team):
    _unit, lina, omar = team
    sara = full_client(session, lina, omar, NOW).client
    token = links.create(session, sara, "overview", NOW)
    session.commit()
    assert close(session, sara) is True
    planned = session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("p:%"))).one()
    assert (planned.status, planned.last_error) == (OutboxStatus.CANCELLED, "no longer a client")
    assert links.resolve(session, token, NOW) is None
    assert all(link.revoked_at is not None for link in session.exec(select(LinkToken)))
    assert (sara.closed_at, sara.closed_by) == (NOW, "Lina Berg")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "client_closed")).one()
    assert (event.client_id, event.actor_name) == (sara.id, "Lina Berg")
    assert "Sara" not in event.detail and sara.phone not in event.detail


def test_closing_twice_changes_nothing(session, team):
    _unit, lina, _omar = team
    sara = create_client(session, lina)
    assert close(session, sara) is True
    assert close(session, sara, now=NOW + timedelta(days=5)) is False
    assert sara.closed_at == NOW
    assert len(session.exec(select(AuditEvent)).all()) == 1


def test_a_message_planned_after_closing_is_cancelled_by_the_sweep(session, team, outbox_file):
    _unit, lina, _omar = team
    sara = create_client(session, lina)
    close(session, sara)
    book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    send_due(NOW + timedelta(days=3))
    session.expire_all()
    rows = session.exec(select(OutboxMessage)).all()
    assert rows and {(m.status, m.last_error) for m in rows} == {
        (OutboxStatus.CANCELLED, "no longer a client")
    }
    assert not outbox_file.exists()


def test_a_closed_client_and_their_representatives_are_strangers(session, team):
    unit, lina, omar = team
    full = full_client(session, lina, omar, NOW)
    sara, anna = full.client, full.representative
    assert [r.key for r in access.roles(session, sara.phone, unit.phone)] == [f"c{sara.id}"]
    assert access.roles(session, anna.phone, unit.phone)
    close(session, sara)
    assert access.roles(session, sara.phone, unit.phone) == []
    assert access.roles(session, anna.phone, unit.phone) == []
    assert not access.is_client(sara)
    # A role held from before (a conversation in progress, a page link) gets nothing more.
    role = access.Role(sara)
    assert access.decide(role, access.Topic.APPOINTMENTS, access.Channel.PAGE) == "deny"
    assert access.menu(role) == []
    assert access.page_topics(access.Role(sara, anna)) == frozenset()


def test_another_clients_messages_are_untouched(session, team):
    _unit, lina, _omar = team
    sara = create_client(session, lina)
    karin = create_client(session, lina, first_name="Karin", phone="+46700000002")
    book_appointment(session, karin, starts_at=NOW + timedelta(days=5), now=NOW)
    close(session, sara)
    assert {m.status for m in session.exec(select(OutboxMessage))} == {OutboxStatus.PENDING}
    assert access.is_client(karin)


def test_deletion_dates_run_from_the_closing(session, team, app):
    _unit, lina, _omar = team
    sara = create_client(session, lina)
    assert closing.deletion_dates(sara, app.config) is None
    close(session, sara)
    words, records = closing.deletion_dates(sara, app.config)
    assert words == NOW + timedelta(days=app.config["MESSAGE_RETENTION_DAYS"])
    assert records == NOW + timedelta(days=app.config["RECORD_RETENTION_DAYS"])


def test_a_closed_clients_link_shows_a_calm_page_with_whom_to_call(session, team, client):
    unit, lina, _omar = team
    sara = create_client(session, lina)
    token = links.create(session, sara, "overview", NOW)
    session.commit()
    assert client.get(f"/p/{token}").status_code == 200
    close(session, sara)
    response = client.get(f"/p/{token}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Sidan finns inte längre" in page and "Du får inte fler meddelanden från oss." in page
    assert f'href="tel:{unit.phone}"' in page
    assert "Sara" not in page
    english = client.get(f"/p/{token}?lang=en").get_data(as_text=True)
    assert "This page no longer exists" in english


def test_an_unknown_or_expired_link_still_says_how_to_get_a_new_one(session, team, client):
    _unit, lina, _omar = team
    sara = create_client(session, lina)
    token = links.create(session, sara, "overview", NOW - timedelta(days=400))
    session.commit()
    for path in (f"/p/{token}", "/p/no-such-token"):
        page = client.get(path).get_data(as_text=True)
        assert "Länken fungerar inte längre" in page and "Sidan finns inte längre" not in page


def test_reopening_plans_the_reminders_of_meetings_ahead_anew(session, team, outbox_file):
    unit, lina, _omar = team
    sara = create_client(session, lina)
    book_appointment(session, sara, starts_at=NOW + timedelta(days=5), now=NOW)
    close(session, sara)
    assert closing.reopen(session, sara, actor_type="staff", actor_name="Eva Admin") is True
    session.commit()
    assert sara.closed_at is None and access.is_client(sara)
    assert [r.key for r in access.roles(session, sara.phone, unit.phone)] == [f"c{sara.id}"]
    planned = session.exec(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
    ).all()
    assert planned and {m.subject_version for m in planned} == {2}
    assert {m.kind for m in planned} >= {"appointment_reminder"}
    events = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert events[-2:] == ["client_closed", "client_reopened"]
    send_due(NOW + timedelta(days=4))
    assert outbox_file.exists()  # a reminder went out again, once reopened


def test_reopening_a_client_who_is_not_closed_changes_nothing(session, team):
    _unit, lina, _omar = team
    sara = create_client(session, lina)
    assert closing.reopen(session, sara, actor_type="staff", actor_name="Eva Admin") is False
    assert session.exec(select(AuditEvent)).all() == []


def test_a_closed_clients_number_may_be_given_to_someone_new(session, team):
    # A recycled number: the closed client keeps it in their records (the extract), but
    # it no longer blocks registering the new holder.
    unit, lina, _omar = team
    sara = create_client(session, lina)
    close(session, sara)
    new = {"first_name": "Nils", "phone": sara.phone}
    assert clients.validate(session, new, unit_id=sara.unit_id)["phone"] == sara.phone
    assert clients.unlinked_by_phone(session, sara.unit_id, sara.phone) is None
    nils = create_client(session, lina, first_name="Nils", phone=sara.phone)
    assert [role.client.id for role in access.roles(session, sara.phone, unit.phone)] == [nils.id]


def test_a_client_is_not_reopened_while_someone_new_has_their_number(session, team):
    _unit, lina, _omar = team
    sara = create_client(session, lina)
    close(session, sara)
    create_client(session, lina, first_name="Nils", phone=sara.phone)
    with pytest.raises(closing.NumberTaken):
        closing.reopen(session, sara, actor_type="staff", actor_name="Lina Berg")
    session.rollback()
    assert session.get(type(sara), sara.id).closed_at == NOW


def test_closing_again_after_reopening_counts_from_the_last_closing(session, team):
    _unit, lina, _omar = team
    sara = create_client(session, lina)
    close(session, sara)
    closing.reopen(session, sara, actor_type="staff", actor_name="Lina Berg")
    close(session, sara, now=NOW + timedelta(days=3))
    assert sara.closed_at == NOW + timedelta(days=3)


def test_what_is_still_open_when_closing(session, team):
    _unit, lina, omar = team
    sara = full_client(session, lina, omar, NOW).client
    receive_text(session, sara, "Snälla ring mig om hyran")
    receive_text(session, sara, "Tack", needs_answer=False)
    receive_text(session, sara, "Jag vill klaga på Lina", for_managers=True)  # not Lina's
    book_appointment(session, sara, starts_at=NOW + timedelta(days=1), now=NOW - timedelta(days=5))
    passed = NOW + timedelta(days=2)
    still = closing.open_requests(session, sara, passed)  # the first meeting has been
    assert [t.body for t in still.texts] == ["Snälla ring mig om hyran"]
    assert len(still.callbacks) == 1 and still.callbacks[0].recording_url
    assert [m.starts_at for m in still.meetings] == [NOW + timedelta(days=3)]
    assert still.count == 3
    other = create_client(session, omar, phone="+46700000002")
    assert closing.open_requests(session, other, NOW).count == 0
