"""Two factors for signing in with a password: a code from an authenticator app (TOTP) or a
one-time recovery code after the password, required for administrators and, when the unit
says so, for everyone; half a sign-in opens no staff page."""

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlmodel import Session, col, select

from app.admin import second_factors
from app.admin.auth import start_session
from app.admin.second_factors import Check
from app.models import (
    AuditEvent,
    LoginAttempt,
    StaffRecoveryCode,
    StaffRole,
    StaffSecondFactor,
    StaffSession,
)
from tests.admin.conftest import PASSWORD, post, sign_in
from tests.factories import (
    TOTP_SECRET,
    create_staff,
    fresh_totp_code,
    password_hash_of,
    totp_code,
)

NOW = datetime(2026, 12, 8, 8, 0, 10, tzinfo=UTC)
STEP = int(NOW.timestamp()) // 30

pytestmark = pytest.mark.frozen_at(NOW)


def password_step(web, staff):
    """The password typed right (the interface in English); where it leads."""
    with web.session_transaction() as stored:
        stored["staff_language"] = "en"
    response = post(web, "/admin/login", {"email": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    return response.headers["Location"]


def code_at(step: int, secret: str = TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).generate_otp(step)


def factor(session, staff) -> StaffSecondFactor | None:
    session.expire_all()
    return session.exec(
        select(StaffSecondFactor).where(StaffSecondFactor.staff_id == staff.id)
    ).first()


def setup_secret(page: str) -> str:
    return re.search(r'<code id="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")


def recovery_codes(page: str) -> list[str]:
    return re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", page)


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


def test_an_administrator_is_asked_for_a_code_after_the_password(client, session, administrator):
    assert password_step(client, administrator) == "/admin/login/code"
    page = client.get("/admin/login/code").get_data(as_text=True)
    assert "Enter your code" in page and 'autocomplete="one-time-code"' in page

    response = post(client, "/admin/login/code", {"code": code_at(STEP)})

    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert factor(session, administrator).last_step == STEP
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "signed_in")).one()
    assert audit.detail == "password+code"


def test_the_code_step_cannot_be_skipped(client, session, administrator):
    password_step(client, administrator)
    for address in ("/admin/", "/admin/clients", "/admin/staff", "/admin/account/two-factor"):
        response = client.get(address)
        assert response.status_code == 302, address
        assert response.headers["Location"].startswith("/admin/login?"), address
    assert post(client, "/admin/logout").status_code == 302
    assert session.exec(select(StaffSession)).all() == []
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "signed_in")).all() == []


def test_the_code_page_needs_a_right_password_first(client, administrator):
    client.get("/admin/login")
    for address in ("/admin/login/code", "/admin/login/set-up"):
        response = post(client, address, {"code": code_at(STEP)})
        assert response.status_code == 302 and response.headers["Location"] == "/admin/login"
    assert client.get("/admin/").status_code == 302


def test_the_next_page_survives_the_code_step(client, administrator):
    client.get("/admin/login")
    post(
        client,
        "/admin/login?next=/admin/staff",
        {"email": administrator.email, "password": PASSWORD},
    )
    response = post(client, "/admin/login/code", {"code": code_at(STEP)})
    assert response.headers["Location"] == "/admin/staff"


def test_a_code_is_accepted_one_step_either_side_and_not_further(client, session, administrator):
    password_step(client, administrator)
    for step in (STEP - 2, STEP + 2):
        assert post(client, "/admin/login/code", {"code": code_at(step)}).status_code == 401
    assert post(client, "/admin/login/code", {"code": code_at(STEP + 1)}).status_code == 302
    assert factor(session, administrator).last_step == STEP + 1


def test_a_code_used_once_is_refused_the_second_time(app, client, session, administrator):
    password_step(client, administrator)
    post(client, "/admin/login/code", {"code": code_at(STEP)})
    other = app.test_client()
    other.get("/admin/login")
    password_step(other, administrator)

    replayed = post(other, "/admin/login/code", {"code": code_at(STEP)})
    earlier = post(other, "/admin/login/code", {"code": code_at(STEP - 1)})

    assert replayed.status_code == 401 and earlier.status_code == 401
    assert "This code was used already" in replayed.get_data(as_text=True)
    assert other.get("/admin/").status_code == 302
    assert post(other, "/admin/login/code", {"code": code_at(STEP + 1)}).status_code == 302


def test_wrong_codes_count_toward_the_sign_in_lockout(client, session, administrator):
    password_step(client, administrator)
    for _try in range(5):
        assert post(client, "/admin/login/code", {"code": "000000"}).status_code == 401
    locked = post(client, "/admin/login/code", {"code": code_at(STEP)})
    assert locked.status_code == 429
    assert "Too many wrong tries" in locked.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302
    failures = session.exec(
        select(LoginAttempt).where(
            LoginAttempt.email == administrator.email, col(LoginAttempt.succeeded).is_(False)
        )
    ).all()
    assert len(failures) == 5
    # and the password form is closed for the e-mail too
    again = post(client, "/admin/login", {"email": administrator.email, "password": PASSWORD})
    assert again.status_code == 429


def test_half_a_sign_in_expires_after_five_minutes(client, administrator, frozen_clock):
    password_step(client, administrator)
    frozen_clock.shift(timedelta(minutes=5))
    response = post(client, "/admin/login/code", {"code": totp_code()})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/login"
    page = client.get("/admin/login").get_data(as_text=True)
    assert "The time to enter the code ran out" in page
    assert client.get("/admin/").status_code == 302


def test_a_recovery_code_works_once_instead_of_a_code(app, client, session, administrator):
    session.add(
        StaffRecoveryCode(staff_id=administrator.id, code_hash=password_hash_of("abcde23456"))
    )
    session.commit()
    password_step(client, administrator)

    response = post(client, "/admin/login/code", {"code": "ABCDE-23456"})

    assert response.status_code == 302
    notice = client.get("/admin/").get_data(as_text=True)
    assert "You used a recovery code. You have 0 left." in notice
    assert "Make new recovery codes" in notice
    other = app.test_client()
    other.get("/admin/login")
    password_step(other, administrator)
    assert post(other, "/admin/login/code", {"code": "abcde-23456"}).status_code == 401
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "signed_in")).one()
    assert audit.detail == "password+recovery code"


def test_an_administrator_without_one_sets_it_up_at_sign_in(client, session, new_admin):
    assert password_step(client, new_admin) == "/admin/login/set-up"
    assert client.get("/admin/").status_code == 302
    page = client.get("/admin/login/set-up").get_data(as_text=True)
    secret = setup_secret(page)
    assert "<svg" in page and 'aria-hidden="true"' in page
    assert "Tydligt, nils.admin@ekby.example" in page
    assert factor(session, new_admin) is None  # kept in this browser alone until confirmed
    assert "otpauth" not in page  # the address is only in the picture
    assert second_factors.setup_address(secret, new_admin.email) == (
        f"otpauth://totp/Tydligt:nils.admin%40ekby.example?secret={secret}&issuer=Tydligt"
    )

    wrong = post(client, "/admin/login/set-up", {"code": "123456"})
    assert wrong.status_code == 401 and setup_secret(wrong.get_data(as_text=True)) == secret
    done = post(client, "/admin/login/set-up", {"code": code_at(STEP, secret)})

    assert done.status_code == 200
    codes = recovery_codes(done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/admin/").status_code == 200
    stored = session.exec(
        select(StaffRecoveryCode).where(StaffRecoveryCode.staff_id == new_admin.id)
    ).all()
    assert len(stored) == 10
    assert not any(code.replace("-", "") in row.code_hash for code in codes for row in stored)
    assert factor(session, new_admin).confirmed_at == NOW
    assert factor(session, new_admin).last_step == STEP
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "second_factor_set_up"))
    assert [e.actor_id for e in events] == [new_admin.id]


def test_the_recovery_codes_are_shown_only_once(client, new_admin):
    password_step(client, new_admin)
    secret = setup_secret(client.get("/admin/login/set-up").get_data(as_text=True))
    codes = recovery_codes(
        post(client, "/admin/login/set-up", {"code": code_at(STEP, secret)}).get_data(as_text=True)
    )
    again = client.get("/admin/login/set-up")
    assert again.status_code == 302
    for page in (
        client.get("/admin/").get_data(as_text=True),
        client.get("/admin/account/two-factor").get_data(as_text=True),
    ):
        assert not any(code in page for code in codes)
    assert "You have 10 recovery codes left." in client.get("/admin/account/two-factor").get_data(
        as_text=True
    )


def test_a_case_worker_in_a_unit_that_requires_it_must_set_it_up(client, session, unit, caseworker):
    assert sign_in(client, caseworker).headers["Location"] == "/admin/"
    post(client, "/admin/logout")
    unit.two_factor_required = True
    session.add(unit)
    session.commit()

    assert password_step(client, caseworker) == "/admin/login/set-up"
    assert client.get("/admin/").status_code == 302


def test_a_case_worker_in_an_ordinary_unit_signs_in_with_the_password_alone(client, caseworker):
    assert sign_in(client, caseworker).headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_administrator_sets_the_units_requirement(as_admin, session, unit):
    page = as_admin.get("/admin/settings").get_data(as_text=True)
    assert 'name="two_factor_required"' in page
    form = {
        "sender_name": unit.sender_name,
        "phone": unit.phone,
        "address": unit.address,
        "first_day": "mon",
        "last_day": "fri",
        "opens": "09:00",
        "closes": "12:00",
        "window_start": "00:00",
        "window_end": "23:59",
        "handover_notice_days": "7",
        "two_factor_required": "1",
    }
    assert post(as_admin, "/admin/settings", form).status_code == 302
    session.refresh(unit)
    assert unit.two_factor_required
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "settings_changed")).one()
    assert "two_factor_required=True" in audit.detail


def test_anyone_may_turn_a_second_factor_on_and_off(as_caseworker, session, caseworker):
    page = as_caseworker.get("/admin/account/two-factor").get_data(as_text=True)
    assert "Off: you sign in with your password only" in page
    secret = setup_secret(
        as_caseworker.get("/admin/account/two-factor/set-up").get_data(as_text=True)
    )
    done = post(as_caseworker, "/admin/account/two-factor/set-up", {"code": code_at(STEP, secret)})
    assert len(recovery_codes(done.get_data(as_text=True))) == 10
    assert second_factors.in_use(session, caseworker.id)

    wrong = post(as_caseworker, "/admin/account/two-factor/off", {"code": code_at(STEP, secret)})
    assert wrong.status_code == 422 and second_factors.in_use(session, caseworker.id)
    off = post(as_caseworker, "/admin/account/two-factor/off", {"code": code_at(STEP + 1, secret)})

    assert off.status_code == 302
    assert factor(session, caseworker) is None
    assert session.exec(select(StaffRecoveryCode)).all() == []
    actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-2:] == ["second_factor_set_up", "second_factor_removed"]


def test_an_administrator_cannot_turn_it_off(as_admin, session, administrator):
    page = as_admin.get("/admin/account/two-factor").get_data(as_text=True)
    assert "cannot be turned off" in page and "two-factor/off" not in page
    response = post(as_admin, "/admin/account/two-factor/off", {"code": totp_code(after_step=STEP)})
    assert response.status_code == 302
    assert second_factors.in_use(session, administrator.id)


def test_new_recovery_codes_void_the_old_ones(as_admin, session, administrator):
    address = "/admin/account/two-factor/recovery-codes"
    fresh = {"renew_code": fresh_totp_code(session, administrator)}
    first = recovery_codes(post(as_admin, address, fresh).get_data(as_text=True))
    second = recovery_codes(
        post(as_admin, address, {"renew_code": first[0]}).get_data(as_text=True)
    )
    assert len(first) == len(second) == 10 and not set(first) & set(second)
    assert second_factors.check(session, administrator, first[1], NOW) == second_factors.Check.WRONG
    assert (
        second_factors.check(session, administrator, second[0], NOW)
        == second_factors.Check.RECOVERY
    )


def test_single_sign_on_asks_for_no_code(app, client, session, administrator):
    with app.test_request_context():
        start_session(session, administrator, "sso")
        session.commit()
    row = session.exec(select(StaffSession)).one()
    assert row.method == "sso" and row.ended_at is None


def test_a_code_accepted_meanwhile_in_another_browser_is_refused(app, session, administrator):
    stale = factor(session, administrator)
    assert stale.last_step is None
    with Session(app.extensions["tydligt.engine"]) as other:
        assert second_factors.check(other, administrator, code_at(STEP), NOW) == Check.CODE
        other.commit()

    # this session still holds the factor as it was: the update itself refuses the step
    assert second_factors.check(session, administrator, code_at(STEP), NOW) == Check.USED
