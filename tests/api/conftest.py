"""API fixtures: a unit with two case workers, a read key and a write key, and a caller
that sends the key with every request."""

from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from app.api import keys
from app.models import OutboxMessage
from tests.admin.conftest import PASSWORD
from tests.factories import create_staff, create_unit, password_hash_of

# A fixed moment in the future, so meetings and due dates are always ahead of real time.
NEXT_YEAR = datetime.now().year + 1


class Api:
    """The Flask test client, sending one API key as `Authorization: Bearer …`."""

    def __init__(self, web, secret: str | None) -> None:
        self.web = web
        self.secret = secret

    def headers(self, extra: dict | None = None) -> dict:
        headers = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        return headers | (extra or {})

    def get(self, path: str, **kwargs):
        return self.web.get(
            f"/api/v1{path}", headers=self.headers(kwargs.pop("headers", None)), **kwargs
        )

    def put(self, path: str, body=None, **kwargs):
        return self.web.put(
            f"/api/v1{path}", json=body, headers=self.headers(kwargs.pop("headers", None)), **kwargs
        )

    def post(self, path: str, body=None, **kwargs):
        return self.web.post(
            f"/api/v1{path}", json=body, headers=self.headers(kwargs.pop("headers", None)), **kwargs
        )


@pytest.fixture
def unit(session):
    return create_unit(session, phone_menu_number="+46846500401")


@pytest.fixture
def caseworker(session, unit):
    return create_staff(
        session,
        unit,
        email="lina.berg@ekby.example",
        name="Lina Berg",
        phone="+46701740605",
        # Signs in to compare with the admin page; a cheap hash keeps the tests quick.
        password_hash=password_hash_of(PASSWORD),
    )


@pytest.fixture
def colleague(session, unit):
    return create_staff(
        session, unit, email="omar.haddad@ekby.example", name="Omar Haddad", phone="+46701740606"
    )


def make_key(session, unit, name: str = "Lifecare", scopes: str = "read,write") -> str:
    """A new key's secret."""
    _key, secret = keys.create(session, unit_id=unit.id, name=name, scopes=scopes)
    session.commit()
    return secret


@pytest.fixture
def write_key(session, unit) -> str:
    return make_key(session, unit)


@pytest.fixture
def read_key(session, unit) -> str:
    return make_key(session, unit, scopes="read")


@pytest.fixture
def api(client, write_key, caseworker) -> Api:
    """Calls with the write key of the Lifecare system."""
    return Api(client, write_key)


@pytest.fixture
def reader(client, read_key) -> Api:
    """Calls with a read-only key."""
    return Api(client, read_key)


def client_body(**changes) -> dict:
    """A fictional client as a case system sends it."""
    body = {
        "first_name": "Sara",
        "last_name": "Lind",
        "phone": "070-000 00 01",
        "language": "sv",
        "caseworker_email": "lina.berg@ekby.example",
        "consent_method": "written",
    }
    return {k: v for k, v in (body | changes).items() if v is not None}


def meeting_at(days: int = 20, hour: int = 14) -> str:
    """A meeting time ahead, in Swedish local time with its offset."""
    moment = datetime(NEXT_YEAR, 3, 2, hour, 0) + timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:00+01:00")


def appointment_body(**changes) -> dict:
    """A meeting at the office, as a case system sends it."""
    body = {
        "client_source_id": "C-1",
        "starts_at": meeting_at(),
        "mode": "office",
        "location": "Storgatan 12, Ekby",
        "purpose": "follow_up",
    }
    return {k: v for k, v in (body | changes).items() if v is not None}


@pytest.fixture
def enrolled(api):
    """A client C-1 created through the API, with consent."""
    response = api.put("/clients/C-1", client_body())
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def planned(session, client_id: int) -> list[tuple]:
    """What is planned for a client besides the welcome: kind, channel, due, status, copy."""
    session.expire_all()
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.client_id == client_id, OutboxMessage.kind != "welcome")
        .order_by(OutboxMessage.due_at, OutboxMessage.kind, OutboxMessage.representative_id)
    )
    return [(m.kind, m.channel, m.due_at, m.status, bool(m.representative_id)) for m in rows]


def errors(response) -> set[str]:
    """The paths of the fields a 422 answer names."""
    assert response.status_code == 422, response.get_json()
    return {e["path"] for e in response.get_json()["errors"]}
