"""Setting up an authenticator: every set-up gets its own secret, kept with that browser
until a code confirms it; a secret shown to one browser never lets it past the second factor
once someone confirms another."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlmodel import select

from app.models import StaffRole, StaffSecondFactor, utcnow
from tests.admin.conftest import PASSWORD, post, sign_in
from tests.admin.test_two_factor import password_step, recovery_codes, setup_secret
from tests.factories import create_staff, password_hash_of

NOW = datetime(2026, 12, 8, 8, 0, 10, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(NOW)


def code_now(secret: str) -> str:
    return pyotp.TOTP(secret).generate_otp(int(utcnow().timestamp()) // 30)


def factors(session, staff) -> list[StaffSecondFactor]:
    session.expire_all()
    return list(
        session.exec(select(StaffSecondFactor).where(StaffSecondFactor.staff_id == staff.id))
    )


@pytest.fixture
def new_admin(session, unit):
    """An administrator who has not set up a second factor yet."""
    return create_staff(
        session,
        unit,
        email="nils.admin@ekby.example",
        name="Nils Admin",
        role=StaffRole.ADMIN,
        password_hash=password_hash_of(PASSWORD),
        two_factor=False,
    )


def test_a_secret_seen_in_an_abandoned_set_up_never_signs_in(app, session, new_admin, frozen_clock):
    abandoned = app.test_client()
    assert password_step(abandoned, new_admin) == "/admin/login/set-up"
    seen = setup_secret(abandoned.get("/admin/login/set-up").get_data(as_text=True))
    assert factors(session, new_admin) == []  # nothing kept until a code confirms it

    frozen_clock.shift(timedelta(hours=3))
    owner = app.test_client()
    assert password_step(owner, new_admin) == "/admin/login/set-up"
    theirs = setup_secret(owner.get("/admin/login/set-up").get_data(as_text=True))
    assert theirs != seen
    assert post(owner, "/admin/login/set-up", {"code": code_now(theirs)}).status_code == 200

    frozen_clock.shift(timedelta(minutes=2))
    assert password_step(abandoned, new_admin) == "/admin/login/code"
    refused = post(abandoned, "/admin/login/code", {"code": code_now(seen)})
    assert refused.status_code == 401
    assert abandoned.get("/admin/").status_code == 302
    [kept] = factors(session, new_admin)
    assert kept.secret == theirs and kept.confirmed_at is not None


def test_two_browsers_setting_up_at_once_get_their_own_secrets(app, session, new_admin):
    first, second = app.test_client(), app.test_client()
    password_step(first, new_admin)
    password_step(second, new_admin)
    one = setup_secret(first.get("/admin/login/set-up").get_data(as_text=True))
    other = setup_secret(second.get("/admin/login/set-up").get_data(as_text=True))
    assert one != other
    # the same browser keeps its secret while it sets up (a wrong code, a reload)
    assert setup_secret(first.get("/admin/login/set-up").get_data(as_text=True)) == one

    assert post(second, "/admin/login/set-up", {"code": code_now(other)}).status_code == 200
    late = post(first, "/admin/login/set-up", {"code": code_now(one)})

    assert late.status_code == 302 and late.headers["Location"] == "/admin/login/code"
    assert [f.secret for f in factors(session, new_admin)] == [other]


def test_a_left_over_unconfirmed_secret_is_thrown_away_on_confirming(app, session, new_admin):
    session.add(StaffSecondFactor(staff_id=new_admin.id, secret=pyotp.random_base32()))
    session.commit()
    web = app.test_client()
    password_step(web, new_admin)
    secret = setup_secret(web.get("/admin/login/set-up").get_data(as_text=True))

    done = post(web, "/admin/login/set-up", {"code": code_now(secret)})

    assert len(recovery_codes(done.get_data(as_text=True))) == 10
    assert "no-store" in done.headers["Cache-Control"]
    [kept] = factors(session, new_admin)
    assert kept.secret == secret and kept.confirmed_at == NOW


def test_a_set_up_secret_shown_while_signed_in_is_this_browsers_alone(
    app, session, unit, caseworker, frozen_clock
):
    left_open, own = app.test_client(), app.test_client()
    sign_in(left_open, caseworker)
    sign_in(own, caseworker)
    seen = setup_secret(left_open.get("/admin/account/two-factor/set-up").get_data(as_text=True))
    assert factors(session, caseworker) == []
    theirs = setup_secret(own.get("/admin/account/two-factor/set-up").get_data(as_text=True))
    assert theirs != seen
    assert (
        post(own, "/admin/account/two-factor/set-up", {"code": code_now(theirs)}).status_code == 200
    )

    frozen_clock.shift(timedelta(minutes=1))
    late = post(left_open, "/admin/account/two-factor/set-up", {"code": code_now(seen)})
    assert late.status_code == 302
    post(left_open, "/admin/logout")
    assert password_step(left_open, caseworker) == "/admin/login/code"
    assert post(left_open, "/admin/login/code", {"code": code_now(seen)}).status_code == 401
    assert [f.secret for f in factors(session, caseworker)] == [theirs]
