"""The webhook benchmark's baseline: a bare Flask app whose POST /twilio/sms returns the
same TwiML the real app answered, with no signature check, database or composing.

Run it under gunicorn with the same settings as the app: `bench.bare:create_app()`.
BENCH_TWIML holds the answer to give.
"""

import os

from flask import Flask, Response


def create_app() -> Flask:
    """The bare app (nothing happens at import time)."""
    app = Flask(__name__)
    twiml = os.environ.get("BENCH_TWIML", "<?xml version='1.0' encoding='UTF-8'?><Response/>")

    @app.post("/twilio/sms")
    def inbound_sms() -> Response:
        return Response(twiml, 200, mimetype="text/xml")

    @app.get("/healthz")
    def health() -> Response:
        return Response("ok\n", 200, mimetype="text/plain")

    return app
