"""Retention for clients who are no longer clients: the periods run from the closing, and
when they have run out nothing about the client is left anywhere but the audit log (which
never held their name, number or words, and is unlinked from them)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from app.api import keys
from app.casework import closing, erasure
from app.db import session_scope
from app.models import (
    AuditEvent,
    CallbackRequest,
    ChecklistItem,
    Client,
    InboundMessage,
    OutboxMessage,
    StaffMessage,
    WebhookAttempt,
    WebhookDelivery,
)
from app.models.messaging import ProviderDeletion
from app.retention import run_retention
from app.webhooks import subscriptions
from tests.casework.full_client import client_tables, full_client, rows_about
from tests.factories import create_client, create_staff, create_unit

CLOSED = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(CLOSED)


@pytest.fixture
def people(session):
    unit = create_unit(session)
    lina = create_staff(session, unit, email="lina@ekby.example", name="Lina Berg")
    omar = create_staff(session, unit, email="omar@ekby.example", name="Omar Haddad")
    return unit, lina, omar


def closed_sara(session, people):
    _unit, lina, omar = people
    full = full_client(session, lina, omar, CLOSED)
    closing.close(session, full.client, actor_type="staff", actor_name="Lina Berg", now=CLOSED)
    session.commit()
    return full


class Quiet:
    """A transport that keeps what it was asked to delete."""

    name = "quiet"

    def __init__(self):
        self.deleted = []

    def delete_stored(self, item, ref):
        self.deleted.append((item, ref))


def test_every_table_about_a_client_is_erased():
    assert set(client_tables()) <= erasure.ERASED, "a new table about clients: erase it too"


def test_a_closed_clients_words_go_and_the_provider_is_asked_to_delete_its_copies(
    app, session, people
):
    full = closed_sara(session, people)
    sara_id = full.client.id
    quiet = Quiet()
    run_retention(CLOSED + timedelta(days=app.config["MESSAGE_RETENTION_DAYS"] + 1),
                  transport=quiet)  # fmt: skip
    session.expire_all()
    assert {m.body for m in session.exec(select(OutboxMessage))} == {None}
    assert {m.body for m in session.exec(select(InboundMessage))} == {None}
    assert {m.text for m in session.exec(select(StaffMessage))} == {None}
    assert {c.recording_url for c in session.exec(select(CallbackRequest))} == {None}
    assert ("media", "https://api.twilio.example/Media/ME1") in quiet.deleted
    assert ("recording", "https://api.twilio.example/Recordings/RE1") in quiet.deleted
    assert ("message", f"SMout{sara_id}") in quiet.deleted
    assert ("message", f"SMin{sara_id}") in quiet.deleted
    assert session.get(Client, sara_id) is not None  # the records stay for their own period


def test_records_kept_shorter_than_words_still_reach_the_provider(app, session, people):
    full = closed_sara(session, people)
    sara_id = full.client.id
    app.config["RECORD_RETENTION_DAYS"] = 30  # shorter than MESSAGE_RETENTION_DAYS (90)
    quiet = Quiet()
    counts = run_retention(CLOSED + timedelta(days=31), transport=quiet)
    assert counts["closed clients deleted"] == 1
    assert ("message", f"SMout{sara_id}") in quiet.deleted
    assert ("message", f"SMcopy{sara_id}") in quiet.deleted
    assert ("recording", "https://api.twilio.example/Recordings/RE1") in quiet.deleted


def test_after_the_record_period_nothing_about_the_client_is_left(app, session, people):
    full = closed_sara(session, people)
    sara_id = full.client.id
    karin = create_client(session, people[1], first_name="Karin", phone="+46700000002")
    before = rows_about(session, karin.id)
    days = app.config["RECORD_RETENTION_DAYS"]
    run_retention(CLOSED + timedelta(days=days - 1), transport=Quiet())
    assert session.get(Client, sara_id) is not None
    counts = run_retention(CLOSED + timedelta(days=days + 1), transport=Quiet())
    session.expire_all()
    assert counts["closed clients deleted"] == 1
    left = {name: count for name, count in rows_about(session, sara_id).items() if count}
    assert left == {}, left
    assert session.get(Client, sara_id) is None
    assert session.exec(select(func.count()).select_from(ChecklistItem)).one() == 0
    assert session.exec(select(func.count()).select_from(ProviderDeletion)).one() == 0
    # Representatives' texts and copies went with the client; another client kept theirs.
    assert session.exec(select(InboundMessage)).all() == []
    assert rows_about(session, karin.id) == before
    # The audit log stays, unlinked, and says when the records went, under the former id.
    kept = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert {e.action for e in kept} >= {"client_viewed", "client_changed", "client_closed"}
    erased = [e for e in kept if e.action == "client_erased"]
    assert [(e.subject_type, e.subject_id) for e in erased] == [("client", sara_id)]
    for event in kept:
        assert event.client_id is None
        assert "Sara" not in event.detail + event.actor_name
        assert "+46700000001" not in event.detail
    again = run_retention(CLOSED + timedelta(days=days + 2), transport=Quiet())
    assert again["closed clients deleted"] == 0


def test_a_client_still_a_client_is_never_erased(app, session, people):
    _unit, lina, omar = people
    sara = full_client(session, lina, omar, CLOSED).client
    run_retention(CLOSED + timedelta(days=app.config["RECORD_RETENTION_DAYS"] + 1),
                  transport=Quiet())  # fmt: skip
    session.expire_all()
    assert session.get(Client, sara.id) is not None


def test_two_retention_runs_at_once_erase_once(app, session, people):
    sara_id = closed_sara(session, people).client.id
    later = CLOSED + timedelta(days=app.config["RECORD_RETENTION_DAYS"] + 1)
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                results.append(run_retention(later, transport=Quiet()))
        except Exception as exc:  # the test reports any failure
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r["closed clients deleted"] for r in results) == [0, 1]
    with session_scope() as fresh:
        assert fresh.get(Client, sara_id) is None
        assert _erased_events(fresh) == 1


def _erased_events(session: Session) -> int:
    return len(session.exec(select(AuditEvent).where(AuditEvent.action == "client_erased")).all())


def test_erasure_scrubs_the_case_systems_id_and_number_from_the_audit_log(app, session, people):
    full = closed_sara(session, people)
    sara = full.client
    sara.source_system, sara.source_id = "Lifecare", "LC-1"
    session.add(sara)
    session.add_all([
        AuditEvent(actor_type="api", actor_name="Lifecare", action="client_linked",
                   client_id=sara.id, detail="LC-1"),
        AuditEvent(actor_type="api", actor_name="Lifecare", action="api_request",
                   client_id=sara.id, detail="POST /api/v1/clients/LC-1/close 200"),
        AuditEvent(actor_type="staff", actor_name="Lina Berg", action="client_changed",
                   client_id=sara.id, detail="phone +46700000001, name Sara Lind"),
    ])  # fmt: skip
    other = create_client(session, people[1], first_name="Karin", phone="+46700000002")
    session.add(AuditEvent(actor_type="api", actor_name="Lifecare", action="client_linked",
                           client_id=other.id, detail="LC-1 is not hers"))  # fmt: skip
    session.commit()
    run_retention(CLOSED + timedelta(days=app.config["RECORD_RETENTION_DAYS"] + 1),
                  transport=Quiet())  # fmt: skip
    session.expire_all()
    unlinked = select(AuditEvent).where(AuditEvent.client_id.is_(None))
    details = [e.detail for e in session.exec(unlinked)]
    assert "[erased]" in details
    assert "POST /api/v1/clients/[erased]/close 200" in details
    assert "phone [erased], name [erased] [erased]" in details
    assert not [d for d in details if "LC-1" in d or "+46700000001" in d or "Sara" in d]
    kept = session.exec(select(AuditEvent).where(AuditEvent.client_id == other.id)).one()
    assert kept.detail == "LC-1 is not hers"


def test_texts_and_callbacks_from_the_number_after_closing_are_erased_with_the_client(
    app, session, people
):
    unit, lina, _omar = people
    sara = closed_sara(session, people).client
    later = CLOSED + timedelta(days=5)
    session.add_all([
        InboundMessage(provider_id="SMlate", from_phone=sara.phone, unit_id=unit.id,
                       body="Varför får jag inget?", received_at=later),
        CallbackRequest(from_phone=sara.phone, unit_id=unit.id, created_at=later),
        InboundMessage(provider_id="SMstranger", from_phone="+46700000077", unit_id=unit.id,
                       body="En annan", received_at=later),
    ])  # fmt: skip
    session.commit()
    run_retention(CLOSED + timedelta(days=app.config["RECORD_RETENTION_DAYS"] + 1),
                  transport=Quiet())  # fmt: skip
    session.expire_all()
    assert [m.provider_id for m in session.exec(select(InboundMessage))] == ["SMstranger"]
    assert session.exec(select(CallbackRequest)).all() == []


def test_webhook_deliveries_about_a_client_are_part_of_what_is_erased():
    assert {"webhook_delivery", "webhook_attempt"} <= set(client_tables())
    assert {"webhook_delivery", "webhook_attempt"} <= erasure.ERASED


def test_webhook_deliveries_and_their_log_go_with_the_client(app, session, people):
    unit, _lina, _omar = people
    key, _secret = keys.create(session, unit_id=unit.id, name="Treserva", scopes="read")
    subscription, _ = subscriptions.create(
        session, key, "https://hooks.lifecare.example/tydligt", ["outbox.status"],
        allow_private=False,
    )  # fmt: skip
    session.commit()
    full = closed_sara(session, people)
    sara = full.client
    sara_id = sara.id
    sara.source_id = "LC-7"
    session.add(sara)
    session.commit()
    karin = create_client(session, people[1], first_name="Karin", phone="+46700000002")
    session.add(
        OutboxMessage(kind="staff_message", client_id=karin.id, to_phone=karin.phone,
                      dedupe_key="karin", due_at=CLOSED)
    )  # fmt: skip
    session.commit()
    hers = session.exec(select(WebhookDelivery).where(WebhookDelivery.client_id == sara.id)).all()
    assert hers, "events about Sara were recorded"
    session.add(
        WebhookAttempt(delivery_id=hers[0].id, subscription_id=subscription.id, attempt=1,
                       status_code=500)
    )  # fmt: skip
    session.commit()
    # Keep the log longer than the records, so only erasure can remove her deliveries.
    app.config["MESSAGE_RETENTION_DAYS"] = app.config["RECORD_RETENTION_DAYS"] + 10
    counts = run_retention(CLOSED + timedelta(days=app.config["RECORD_RETENTION_DAYS"] + 1),
                           transport=Quiet())  # fmt: skip
    session.expire_all()
    assert counts["closed clients' webhook_delivery"] == len(hers)
    left = session.exec(select(WebhookDelivery)).all()
    assert left and {d.client_id for d in left} == {karin.id}
    assert not [d for d in left if "LC-7" in d.payload]
    assert session.exec(select(WebhookAttempt)).all() == []
    assert rows_about(session, sara_id).get("webhook_delivery") == 0
