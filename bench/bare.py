"""The webhook benchmark's baselines, run under gunicorn with the same settings as the app:

- `bench.bare:create_app()`: a bare Flask app whose POST /twilio/sms returns the same TwiML
  the real app answered, with no signature check, database or composing.
- `bench.bare:create_store_app()`: the least a webhook that keeps every text must do:
  check Twilio's signature, insert the text and commit, then return the same TwiML,
  through the database driver itself on a connection kept per thread. No SQLAlchemy, no
  connection pool, no reading, no composing: the floor under the app.
- `bench.bare:create_orm_store_app()`: the same, with the text added as the app's model
  through the app's engine (SQLAlchemy's pool with the app's pre-ping, the unit of work,
  the app's flush listeners): how much of the distance from the floor the app's engine
  and ORM alone take.

BENCH_TWIML holds the answer to give; the store apps also read DATABASE_URL,
TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL.
"""

import os
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from flask import Flask, Response, request

TWIML = "<?xml version='1.0' encoding='UTF-8'?><Response/>"


def _app() -> Flask:
    app = Flask(__name__)

    @app.get("/healthz")
    def health() -> Response:
        return Response("ok\n", 200, mimetype="text/plain")

    return app


def create_app() -> Flask:
    """The bare app (nothing happens at import time)."""
    app = _app()
    twiml = os.environ.get("BENCH_TWIML", TWIML)

    @app.post("/twilio/sms")
    def inbound_sms() -> Response:
        return Response(twiml, 200, mimetype="text/xml")

    return app


def _connector(database_url: str):
    """A function giving this thread's own database connection (made on first use)."""
    local = threading.local()
    if database_url.startswith("sqlite"):
        import sqlite3

        path = database_url.split("///", 1)[1]

        def make():
            return sqlite3.connect(path, timeout=30)

    else:
        import psycopg

        dsn = "postgresql://" + database_url.split("://", 1)[1]

        def make():
            return psycopg.connect(dsn)

    def connection():
        if not hasattr(local, "connection"):
            local.connection = make()
        return local.connection

    return connection


INSERT = (
    "INSERT INTO inbound_message (provider_id, from_phone, to_phone, body, media, "
    "needs_answer, received_at) VALUES ({0}, {0}, {0}, {0}, '', false, {0})"
)


def _storing_app(store: Callable[[Mapping[str, str]], None]) -> Flask:
    """An app whose POST /twilio/sms checks Twilio's signature, gives the form to `store`
    and returns the same TwiML."""
    from twilio.request_validator import RequestValidator

    app = _app()
    twiml = os.environ.get("BENCH_TWIML", TWIML)
    validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
    url = os.environ["PUBLIC_BASE_URL"] + "/twilio/sms"

    @app.post("/twilio/sms")
    def inbound_sms() -> Response:
        signature = request.headers.get("X-Twilio-Signature", "")
        if not validator.validate(url, request.form, signature):
            return Response("Forbidden\n", 403, mimetype="text/plain")
        store(request.form)
        return Response(twiml, 200, mimetype="text/xml")

    return app


def create_store_app() -> Flask:
    """Signature check, one INSERT and a COMMIT, the same TwiML."""
    database_url = os.environ["DATABASE_URL"]
    connection = _connector(database_url)
    statement = INSERT.format("?" if database_url.startswith("sqlite") else "%s")

    def store(form: Mapping[str, str]) -> None:
        database = connection()
        database.execute(
            statement,
            (form["MessageSid"], form["From"], form["To"], form["Body"], datetime.now(UTC)),
        )
        database.commit()

    return _storing_app(store)


def create_orm_store_app() -> Flask:
    """The same floor through the app's own engine and model: signature, the text added as
    an InboundMessage in a SQLModel session and committed, the same TwiML. What storing a
    text costs once it goes through SQLAlchemy's ORM (pool, unit of work, the app's
    listeners on every flush), before anything is read or composed."""
    from sqlmodel import Session

    from app.db import make_engine
    from app.models import InboundMessage, utcnow
    from app.webhooks import events

    engine = make_engine(os.environ["DATABASE_URL"])
    events.listen()  # as in the app: every flush looks for events to send to subscribers

    def store(form: Mapping[str, str]) -> None:
        with Session(engine) as session:
            session.add(
                InboundMessage(
                    provider_id=form["MessageSid"],
                    from_phone=form["From"],
                    to_phone=form["To"],
                    body=form["Body"],
                    media="",
                    received_at=utcnow(),
                )
            )
            session.commit()

    return _storing_app(store)
