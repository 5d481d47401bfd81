"""The webhook benchmark's baselines, run under gunicorn with the same settings as the app:

- `bench.bare:create_app()`: a bare Flask app whose POST /twilio/sms returns the same TwiML
  the real app answered, with no signature check, database or composing.
- `bench.bare:create_store_app()`: the least a webhook that keeps every text must do:
  check Twilio's signature, insert the text and commit, then return the same TwiML. No
  ORM, no reading, no composing: the floor under the app.

BENCH_TWIML holds the answer to give; the store app also reads DATABASE_URL,
TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL.
"""

import os
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


def create_store_app() -> Flask:
    """Signature check, one INSERT and a COMMIT, the same TwiML."""
    from sqlalchemy import insert
    from twilio.request_validator import RequestValidator

    from app.db import make_engine
    from app.models import InboundMessage

    app = _app()
    twiml = os.environ.get("BENCH_TWIML", TWIML)
    engine = make_engine(os.environ["DATABASE_URL"])
    validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
    url = os.environ["PUBLIC_BASE_URL"] + "/twilio/sms"
    statement = insert(InboundMessage.__table__)

    @app.post("/twilio/sms")
    def inbound_sms() -> Response:
        signature = request.headers.get("X-Twilio-Signature", "")
        if not validator.validate(url, request.form, signature):
            return Response("Forbidden\n", 403, mimetype="text/plain")
        with engine.begin() as connection:
            connection.execute(
                statement,
                {
                    "provider_id": request.form["MessageSid"],
                    "from_phone": request.form["From"],
                    "to_phone": request.form["To"],
                    "body": request.form["Body"],
                    "media": "",
                    "needs_answer": False,
                    "received_at": datetime.now(UTC),
                },
            )
        return Response(twiml, 200, mimetype="text/xml")

    return app
