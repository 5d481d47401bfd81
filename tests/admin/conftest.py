"""Admin fixtures: a unit, a case worker and an administrator who can sign in, the clients
most pages are tried with, and helpers that post forms with the session's CSRF token."""

import pytest
from sqlmodel import Session

from app.models import StaffRole
from tests.factories import (
    create_client,
    create_staff,
    create_unit,
    fresh_totp_code,
    password_hash_of,
)

PASSWORD = "correct horse battery"


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
        password_hash=password_hash_of(PASSWORD),
    )


@pytest.fixture
def colleague(session, unit):
    return create_staff(
        session,
        unit,
        email="omar.haddad@ekby.example",
        name="Omar Haddad",
        phone="+46701740606",
        password_hash=password_hash_of(PASSWORD),
    )


@pytest.fixture
def administrator(session, unit):
    return create_staff(
        session,
        unit,
        email="admin@ekby.example",
        name="Eva Admin",
        role=StaffRole.ADMIN,
        password_hash=password_hash_of(PASSWORD),
    )


@pytest.fixture
def sara(session, caseworker):
    """The case worker's client Sara, who reads Swedish."""
    return create_client(session, caseworker)


@pytest.fixture
def amal(session, caseworker):
    """The case worker's client Amal, who reads Arabic."""
    return create_client(
        session, caseworker, first_name="Amal", phone="+46700000003", language="ar"
    )


@pytest.fixture
def someone_elses(session, colleague):
    """A client of the colleague, whom the case worker does not handle."""
    return create_client(
        session, colleague, first_name="Karin", last_name="Ek", phone="+46700000002"
    )


def csrf_token(web) -> str:
    """The session's form secret (a GET of any admin page creates it)."""
    with web.session_transaction() as stored:
        if "csrf" not in stored:
            stored["csrf"] = "test-csrf-token"
        return stored["csrf"]


def post(web, url: str, data: dict | None = None, **kwargs):
    """POST a form the way the browser does: with the CSRF token."""
    return web.post(url, data={"csrf_token": csrf_token(web)} | (data or {}), **kwargs)


def sign_in(web, staff, password: str = PASSWORD, language: str = "en"):
    """Sign in through the real form; the staff interface in English unless asked. Someone
    with a second factor (every test administrator) then types a code from their app."""
    response = post(web, "/admin/login", {"email": staff.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    if response.headers["Location"].startswith("/admin/login/code"):
        with Session(web.application.extensions["tydligt.engine"]) as db:
            code = fresh_totp_code(db, staff)
        response = post(web, "/admin/login/code", {"code": code})
        assert response.status_code == 302, response.get_data(as_text=True)
    with web.session_transaction() as stored:
        stored["staff_language"] = language
    return response


@pytest.fixture
def as_caseworker(client, caseworker):
    """The test client, signed in as the case worker (English interface)."""
    sign_in(client, caseworker)
    return client


@pytest.fixture
def as_admin(client, administrator):
    """The test client, signed in as the administrator (English interface)."""
    sign_in(client, administrator)
    return client
