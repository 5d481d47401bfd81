"""A real receiver on a loopback port (http.server in a thread) that records every
delivery, and a unit with a key subscribed to it."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.api import keys
from app.models import ApiKey
from app.webhooks import subscriptions
from tests.factories import create_client, create_staff, create_unit


@dataclass
class Received:
    """One request as the receiver got it."""

    path: str
    headers: dict[str, str]
    body: str

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """What the loopback server got, and how it answers next (a queue of status codes,
    then `status`)."""

    url: str
    requests: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)

    def next_status(self) -> int:
        return self.answers.pop(0) if self.answers else self.status


@pytest.fixture
def receiver():
    """A loopback HTTP server recording every POST."""
    record: Receiver | None = None

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length).decode()
            assert record is not None
            record.requests.append(
                Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            self.send_response(record.next_status())
            for name, value in record.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record = Receiver(url=f"http://127.0.0.1:{server.server_port}/tydligt")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield record
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def config(config: dict) -> dict:
    """Loopback receivers are allowed here, as in development."""
    return config | {"WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true"}


@pytest.fixture
def unit(session):
    return create_unit(session, phone_menu_number="+46846500401")


@pytest.fixture
def caseworker(session, unit):
    return create_staff(session, unit, email="lina.berg@ekby.example", name="Lina Berg")


@pytest.fixture
def key(session, unit) -> ApiKey:
    api_key, _secret = keys.create(session, unit_id=unit.id, name="Lifecare", scopes="read")
    session.commit()
    return api_key


@pytest.fixture
def subscribed(session, key, receiver):
    """The key's subscription to every event at the receiver, and its secret."""
    subscription, secret = subscriptions.create(
        session,
        key,
        receiver.url,
        ["outbox.status", "inbound.received", "callback.requested", "attendance.recorded"],
        allow_private=True,
    )
    session.commit()
    return subscription, secret


@pytest.fixture
def sara(session, caseworker):
    return create_client(session, caseworker, source_id="C-1")
