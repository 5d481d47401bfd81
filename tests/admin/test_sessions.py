"""Staff sessions kept on the server: signing out ends the session itself (a copied cookie
stops working), a sign-in lasts at most SESSION_ABSOLUTE_HOURS however busy, and
SESSION_IDLE_MINUTES without use signs out; a new password, a closed account or a raised
session version ends every session of the person."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from app.admin.staff_sessions import token_hash
from app.config import ConfigError, load_config
from app.models import AuditEvent, StaffSession
from tests.admin.conftest import PASSWORD, post, sign_in

NOW = datetime(2026, 12, 8, 8, 0, tzinfo=UTC)
COOKIE = "tydligt_session"

pytestmark = pytest.mark.frozen_at(NOW)


def copy_of_cookie(app, web):
    """Another browser holding an exact copy of `web`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, web.get_cookie(COOKIE).value)
    return thief


def rows(session, staff) -> list[StaffSession]:
    session.expire_all()
    found = select(StaffSession).where(StaffSession.staff_id == staff.id)
    return list(session.exec(found.order_by(col(StaffSession.id))))  # PostgreSQL: no order else


def test_signing_in_keeps_a_row_with_only_the_hash_of_the_browsers_token(
    client, session, caseworker
):
    sign_in(client, caseworker)
    (row,) = rows(session, caseworker)
    with client.session_transaction() as stored:
        token = stored["staff_session"]
    assert row.token_hash == token_hash(token) and token not in row.token_hash
    assert row.method == "password" and row.started_at == NOW and row.ended_at is None


def test_a_copied_cookie_stops_working_when_the_owner_signs_out(app, client, session, caseworker):
    sign_in(client, caseworker)
    thief = copy_of_cookie(app, client)
    assert thief.get("/admin/clients").status_code == 200  # the copy works while signed in

    post(client, "/admin/logout")

    refused = thief.get("/admin/clients")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/admin/login")
    (row,) = rows(session, caseworker)
    assert row.ended_at == NOW and row.end_reason == "signed_out"
    assert client.get("/admin/clients").status_code == 302


def test_a_sign_in_ends_after_twelve_hours_even_when_in_use(
    client, session, caseworker, frozen_clock
):
    sign_in(client, caseworker)
    for _hour in range(11):
        frozen_clock.shift(timedelta(hours=1))
        assert client.get("/admin/").status_code == 200
    frozen_clock.shift(timedelta(minutes=59))
    assert client.get("/admin/").status_code == 200

    frozen_clock.shift(timedelta(minutes=1))
    response = client.get("/admin/")

    assert response.status_code == 302 and response.headers["Location"].startswith("/admin/login")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "a sign-in lasts at most 12 hours" in page
    assert rows(session, caseworker)[0].end_reason == "expired"


def test_eight_hours_without_use_signs_out(client, session, caseworker, frozen_clock):
    sign_in(client, caseworker)
    frozen_clock.shift(timedelta(hours=5))
    assert client.get("/admin/").status_code == 200  # use renews the idle time
    frozen_clock.shift(timedelta(hours=6))
    assert client.get("/admin/").status_code == 200  # 11 hours after signing in
    sign_in(client, caseworker)

    frozen_clock.shift(timedelta(hours=8))
    response = client.get("/admin/")

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "not used for a while" in page
    assert [row.end_reason for row in rows(session, caseworker)] == ["replaced", "idle"]


def test_the_lifetimes_are_settings(app, client, caseworker, frozen_clock):
    app.config.update(SESSION_IDLE_MINUTES=30, SESSION_ABSOLUTE_HOURS=1)
    sign_in(client, caseworker)
    frozen_clock.shift(timedelta(minutes=31))
    assert client.get("/admin/").status_code == 302

    sign_in(client, caseworker)
    for minutes in (20, 20, 19):
        frozen_clock.shift(timedelta(minutes=minutes))
        assert client.get("/admin/").status_code == 200
    frozen_clock.shift(timedelta(minutes=1))
    assert client.get("/admin/").status_code == 302


def test_settings_refuse_lifetimes_that_are_not_whole_or_too_long(tmp_path):
    config = load_config(tmp_path, {"SESSION_IDLE_MINUTES": "45"})
    assert config["SESSION_IDLE_MINUTES"] == 45 and config["SESSION_ABSOLUTE_HOURS"] == 12
    assert config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=45)  # the cookie too
    for bad in (
        {"SESSION_IDLE_MINUTES": "0"},
        {"SESSION_ABSOLUTE_HOURS": "200"},
        {"SESSION_ABSOLUTE_HOURS": "twelve"},
    ):
        with pytest.raises(ConfigError):
            load_config(tmp_path, bad)


def test_a_new_password_ends_every_other_session_on_the_server(app, client, session, caseworker):
    sign_in(client, caseworker)
    other = app.test_client()
    sign_in(other, caseworker)
    elsewhere = copy_of_cookie(app, other)

    changed = post(
        client,
        "/admin/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a brand new secret",
            "new_password_again": "a brand new secret",
        },
    )

    assert changed.status_code == 302
    assert client.get("/admin/").status_code == 200  # this browser stays
    assert other.get("/admin/").status_code == 302
    assert elsewhere.get("/admin/").status_code == 302
    ended = [row.end_reason for row in rows(session, caseworker)]
    assert ended == ["", "everywhere"]


def test_closing_an_account_ends_its_sessions(app, client, session, caseworker, administrator):
    sign_in(client, caseworker)
    admin = app.test_client()
    sign_in(admin, administrator)

    post(
        admin,
        f"/admin/staff/{caseworker.id}/edit",
        {"name": caseworker.name, "email": caseworker.email, "role": "caseworker"},
    )

    assert [row.end_reason for row in rows(session, caseworker)] == ["everywhere"]
    assert client.get("/admin/").status_code == 302


def test_a_raised_session_version_signs_out_and_ends_the_row(client, session, caseworker):
    sign_in(client, caseworker)
    caseworker.session_version += 1
    session.add(caseworker)
    session.commit()

    response = client.get("/admin/")

    assert response.status_code == 302
    assert rows(session, caseworker)[0].end_reason == "everywhere"
    assert "your account, password or second factor changed" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)


def test_a_forged_or_missing_token_signs_no_one_in(client, caseworker):
    sign_in(client, caseworker)
    with client.session_transaction() as stored:
        stored["staff_session"] = "made-up"
    assert client.get("/admin/").status_code == 302
    sign_in(client, caseworker)
    with client.session_transaction() as stored:
        del stored["staff_session"]
    assert client.get("/admin/").status_code == 302


def test_signing_in_again_in_the_same_browser_ends_the_earlier_session(
    client, session, caseworker, colleague
):
    sign_in(client, caseworker)
    sign_in(client, colleague)
    assert [row.end_reason for row in rows(session, caseworker)] == ["replaced"]
    assert [row.ended_at for row in rows(session, colleague)] == [None]
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "signed_in")).all()) == 2


def test_use_is_noted_at_most_once_a_minute(client, session, caseworker, frozen_clock):
    sign_in(client, caseworker)
    frozen_clock.shift(timedelta(seconds=30))
    client.get("/admin/")
    assert rows(session, caseworker)[0].last_seen_at == NOW
    frozen_clock.shift(timedelta(seconds=31))
    client.get("/admin/")
    assert rows(session, caseworker)[0].last_seen_at == NOW + timedelta(seconds=61)
