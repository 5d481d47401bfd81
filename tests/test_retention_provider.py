"""Retention reaches the provider: what is removed here (a text's words, its pictures, a
recorded message, a reminder call) is deleted at Twilio too, through the twilio library.
A deletion there that fails is tried again on a later run and never holds up ours."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlmodel import select

from app.models import CallbackRequest, InboundMessage, OutboxMessage
from app.retention import run_retention
from tests.factories import create_client
from tests.twilio_fake import FakeTwilioHttp, error_body

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=91)
RECENT = NOW - timedelta(days=89)
ACCOUNT = "AC" + "a" * 32
API = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}"


def sid(prefix: str, number: int) -> str:
    return f"{prefix}{number:032d}"


SENT, CALLED, KEPT, RECEIVED = sid("SM", 1), sid("CA", 2), sid("SM", 3), sid("MM", 4)
MEDIA = [f"{API}/Messages/{RECEIVED}/Media/{sid('ME', n)}" for n in (5, 6)]
RECORDING = f"{API}/Recordings/{sid('RE', 7)}"


class FlakyTwilioHttp(FakeTwilioHttp):
    """Answers from the list, and can lose the network for the next requests."""

    def __init__(self, responses=None) -> None:
        super().__init__(responses)
        self.offline = 0

    def request(self, method, uri, *args, **kwargs):
        if self.offline:
            self.offline -= 1
            self.requests.append({"method": method, "uri": uri, "data": {}, "auth": None})
            raise requests.ConnectionError("network is down")
        return super().request(method, uri, *args, **kwargs)


@pytest.fixture
def http() -> FlakyTwilioHttp:
    return FlakyTwilioHttp()


@pytest.fixture
def config(config, http):
    """The app on the Twilio transport, its HTTP layer faked."""
    return config | {
        "SMS_TRANSPORT": "twilio",
        "SECRET_KEY": "s" * 40,
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_FROM_NUMBER": "+46846500400",
        "TWILIO_HTTP_CLIENT": http,
    }


def outbox(client, key: str, provider_id: str, at: datetime, channel: str = "sms"):
    return OutboxMessage(kind="welcome", client_id=client.id, dedupe_key=key, due_at=at,
                         status="delivered", channel=channel, body="Hej Sara!",
                         provider_id=provider_id, created_at=at)  # fmt: skip


def deletes(http) -> list[str]:
    return [r["uri"] for r in http.requests if r["method"] == "DELETE"]


def waiting(session) -> list:
    """What is still to be deleted at the provider."""
    from app.models.messaging import ProviderDeletion

    session.expire_all()
    return list(session.exec(select(ProviderDeletion).order_by(ProviderDeletion.id)))


def test_what_retention_removes_here_is_deleted_at_twilio(app, session, http):
    client = create_client(session)
    session.add_all([
        outbox(client, "sent", SENT, OLD),
        outbox(client, "called", CALLED, OLD, channel="voice"),
        outbox(client, "kept", KEPT, RECENT),
        InboundMessage(provider_id=RECEIVED, from_phone=client.phone, client_id=client.id,
                       body="Här är intyget", media="\n".join(MEDIA), received_at=OLD),
        # A text stored without Twilio's id (a broken request): nothing to ask Twilio.
        InboundMessage(provider_id="missing-abc", from_phone=client.phone, client_id=client.id,
                       body="?", received_at=OLD),
        CallbackRequest(client_id=client.id, recording_url=RECORDING, created_at=OLD),
    ])  # fmt: skip
    session.commit()

    counts = run_retention(NOW)

    assert sorted(deletes(http)) == sorted([
        f"{API}/Messages/{SENT}.json",
        f"{API}/Calls/{CALLED}.json",
        f"{MEDIA[0]}.json",
        f"{MEDIA[1]}.json",
        f"{API}/Messages/{RECEIVED}.json",
        f"{RECORDING}.json",
    ])  # fmt: skip
    assert all(r["auth"] == (ACCOUNT, "test-auth-token") for r in http.requests)
    assert (counts["deleted at the provider"], counts["waiting at the provider"]) == (7, 0)
    assert waiting(session) == []
    assert session.exec(select(CallbackRequest)).one().recording_url is None
    # Nothing left to do: the next run asks Twilio nothing.
    before = len(http.requests)
    assert run_retention(NOW)["deleted at the provider"] == 0
    assert len(http.requests) == before


@pytest.mark.parametrize(
    "failure, stops",
    [
        ((500, error_body(20500, 500, "Internal Server Error")), False),
        ((503, error_body(20503, 503, "Service Unavailable")), False),
        ((429, error_body(20429, 429, "Too Many Requests")), True),
        ("network", True),
    ],
)
def test_a_failed_deletion_is_tried_again_later_and_never_holds_up_ours(
    app, session, http, failure, stops
):
    client = create_client(session)
    session.add_all([outbox(client, "a", SENT, OLD), outbox(client, "b", KEPT, OLD)])
    session.commit()
    if failure == "network":
        http.offline = 1
    else:
        http.responses = [failure]

    counts = run_retention(NOW)

    session.expire_all()
    assert [m.body for m in session.exec(select(OutboxMessage))] == [None, None]  # ours: done
    first, *rest = waiting(session)
    assert (first.ref, first.attempts, first.tried_at) == (SENT, 1, NOW)
    assert first.last_error
    if stops:  # Twilio asks us to slow down, or cannot be reached: the rest waits too
        assert deletes(http) == [f"{API}/Messages/{SENT}.json"]
        assert [(r.ref, r.attempts) for r in rest] == [(KEPT, 0)]
        assert counts["waiting at the provider"] == 2
    else:  # one item's failure: the others go on
        assert deletes(http)[-1] == f"{API}/Messages/{KEPT}.json"
        assert rest == []
        assert counts["waiting at the provider"] == 1

    later = run_retention(NOW + timedelta(days=1))

    assert later["deleted at the provider"] == (2 if stops else 1)
    assert waiting(session) == []
    assert deletes(http).count(f"{API}/Messages/{SENT}.json") == 2


def test_already_gone_at_twilio_counts_as_deleted(app, session, http):
    client = create_client(session)
    session.add(outbox(client, "a", SENT, OLD))
    session.commit()
    http.responses = [(404, error_body(20404, 404, "The requested resource was not found"))]
    counts = run_retention(NOW)
    assert counts["deleted at the provider"] == 1
    assert waiting(session) == []


def test_texts_removed_at_once_are_queued_once(app, session, http):
    client = create_client(session)
    session.add(InboundMessage(provider_id=RECEIVED, from_phone=client.phone,
                               client_id=client.id, body="x", media=MEDIA[0],
                               received_at=OLD))  # fmt: skip
    session.commit()
    http.responses = [(500, error_body(20500, 500))] * 4
    run_retention(NOW)
    run_retention(NOW)  # the text is gone here already: nothing is queued again
    assert [(r.item, r.ref, r.attempts) for r in waiting(session)] == [
        ("media", MEDIA[0], 2),
        ("message", RECEIVED, 2),
    ]


def test_the_cli_runs_the_provider_side_too(app, session, http, runner):
    client = create_client(session)
    session.add(outbox(client, "a", SENT, NOW - timedelta(days=400)))
    session.commit()
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert "deleted at the provider: 1" in result.output
    assert deletes(http) == [f"{API}/Messages/{SENT}.json"]


def test_the_console_transport_only_reports(config, session, caplog):
    from app import create_app

    app = create_app(config | {"SMS_TRANSPORT": "console", "TWILIO_HTTP_CLIENT": None})
    try:
        with app.app_context():
            client = create_client(session)
            session.add(outbox(client, "a", "CONSOLE" + "0" * 32, OLD))
            session.commit()
            caplog.set_level(logging.INFO)
            assert run_retention(NOW)["deleted at the provider"] == 1
    finally:
        app.extensions["tydligt.engine"].dispose()
    assert "Console: nothing to delete at a provider for a message" in caplog.text
    assert waiting(session) == []


@pytest.fixture
def empty_database(database_template: str, tmp_path):
    """An engine on a database with no schema yet (a new one on the PostgreSQL server)."""
    from sqlalchemy import text

    from app.db import make_engine
    from tests.conftest import BACKEND

    if BACKEND != "postgresql":
        engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
        yield engine
        engine.dispose()
        return
    admin = make_engine(database_template).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS provider_backfill"))
        connection.execute(text("CREATE DATABASE provider_backfill"))
    engine = make_engine(database_template.rsplit("/", 1)[0] + "/provider_backfill")
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE provider_backfill"))
    admin.dispose()


def test_texts_removed_before_this_change_are_queued_by_the_migration(empty_database):
    from alembic import command
    from sqlalchemy import text

    from app.db import alembic_config

    config = alembic_config(empty_database)
    command.upgrade(config, "0010")  # the revision before provider deletions
    with empty_database.begin() as db:
        at = OLD.replace(tzinfo=None)
        db.execute(text(
            "INSERT INTO unit (id, name, sender_name, phone, phone_menu_number, address,"
            " office_hours, created_at) VALUES (1, 'Ekby', 'Ekby', '+46846500400', '', '', '',"
            " :at)"
        ), {"at": at})  # fmt: skip
        db.execute(text(
            "INSERT INTO client (id, unit_id, first_name, last_name, phone, language, channel,"
            " picture_support, privacy, pin_hash, created_at, updated_at) VALUES (1, 1, 'Sara',"
            " 'Lind', '+46700000001', 'sv', 'sms', false, 'full', '', :at, :at)"
        ), {"at": at})  # fmt: skip
        rows = [  # (provider id, channel, status, body): only removed texts are queued
            (SENT, "sms", "delivered", None),
            (CALLED, "voice", "failed", None),
            (KEPT, "sms", "delivered", "Hej"),
            (None, "sms", "skipped", None),
        ]
        for n, (provider_id, channel, status, body) in enumerate(rows):
            db.execute(
                text(
                    "INSERT INTO outbox_message (kind, channel, client_id, dedupe_key, due_at,"
                    " status, urgent, attempts, provider_id, body, created_at, updated_at)"
                    " VALUES ('welcome', :channel, 1, :key, :at, :status, false, 0, :pid,"
                    " :body, :at, :at)"
                ),
                dict(channel=channel, key=f"k{n}", at=at, status=status, pid=provider_id,
                     body=body),
            )  # fmt: skip
        for provider_id, body, media in ((RECEIVED, None, ""), (sid("SM", 8), "Hej", "")):
            db.execute(
                text(
                    "INSERT INTO inbound_message (provider_id, from_phone, to_phone, body,"
                    " media, needs_answer, received_at) VALUES (:pid, '+46700000001', '',"
                    " :body, :media, false, :at)"
                ),
                dict(pid=provider_id, body=body, media=media, at=at),
            )  # fmt: skip
    command.upgrade(config, "0011")
    with empty_database.connect() as db:
        queued = db.execute(text("SELECT item, ref FROM provider_deletion ORDER BY id")).all()
    assert [tuple(row) for row in queued] == [
        ("message", SENT),
        ("call", CALLED),
        ("message", RECEIVED),
    ]
