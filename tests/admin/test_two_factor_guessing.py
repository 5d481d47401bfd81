"""The second factor protects the pages that change it: new recovery codes and turning it
off need a code from the app (or a recovery code), wrong codes there count toward the
sign-in lockout as wrong codes at sign-in do, and each change is in the audit log."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from app.admin import second_factors
from app.admin.second_factors import Check
from app.models import AuditEvent, LoginAttempt, StaffRecoveryCode
from tests.admin.conftest import PASSWORD, post
from tests.admin.test_two_factor import code_at, recovery_codes
from tests.factories import give_second_factor, password_hash_of, totp_code

NOW = datetime(2026, 12, 8, 8, 0, 10, tzinfo=UTC)
STEP = int(NOW.timestamp()) // 30

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def with_factor(session, caseworker):
    """The case worker has an authenticator and one recovery code, abcde-23456."""
    give_second_factor(session, caseworker)
    session.add(StaffRecoveryCode(staff_id=caseworker.id, code_hash=password_hash_of("abcde23456")))
    session.commit()
    return caseworker


@pytest.fixture
def signed_in(client, with_factor):
    """The test client signed in as the case worker, with the code of STEP - 1."""
    with client.session_transaction() as stored:
        stored["staff_language"] = "en"
    post(client, "/admin/login", {"email": with_factor.email, "password": PASSWORD})
    assert post(client, "/admin/login/code", {"code": code_at(STEP - 1)}).status_code == 302
    return client


def failures(session, staff) -> int:
    return len(
        session.exec(
            select(LoginAttempt).where(
                LoginAttempt.email == staff.email, col(LoginAttempt.succeeded).is_(False)
            )
        ).all()
    )


def test_new_recovery_codes_need_a_code(signed_in, session, with_factor):
    page = signed_in.get("/admin/account/two-factor").get_data(as_text=True)
    assert 'name="renew_code"' in page

    refused = post(signed_in, "/admin/account/two-factor/recovery-codes")

    assert refused.status_code == 422
    assert recovery_codes(refused.get_data(as_text=True)) == []
    assert "The code is wrong" in refused.get_data(as_text=True)
    assert second_factors.check(session, with_factor, "abcde-23456", NOW) == Check.RECOVERY
    session.rollback()

    made = post(
        signed_in, "/admin/account/two-factor/recovery-codes", {"renew_code": code_at(STEP)}
    )

    assert made.status_code == 200 and len(recovery_codes(made.get_data(as_text=True))) == 10
    assert second_factors.check(session, with_factor, "abcde-23456", NOW) == Check.WRONG
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "recovery_codes_renewed"))
    assert [e.subject_id for e in audit] == [with_factor.id]


def test_a_recovery_code_may_make_new_ones(signed_in, session, with_factor):
    made = post(
        signed_in, "/admin/account/two-factor/recovery-codes", {"renew_code": "abcde-23456"}
    )
    assert len(recovery_codes(made.get_data(as_text=True))) == 10


def test_a_session_alone_cannot_make_codes_and_turn_the_factor_off(signed_in, session, with_factor):
    page = post(signed_in, "/admin/account/two-factor/recovery-codes").get_data(as_text=True)
    for code in recovery_codes(page) or ["xxxxx-xxxxx"]:
        post(signed_in, "/admin/account/two-factor/off", {"code": code})
    assert second_factors.in_use(session, with_factor.id)


@pytest.mark.parametrize(
    "address, field",
    [
        ("/admin/account/two-factor/off", "code"),
        ("/admin/account/two-factor/recovery-codes", "renew_code"),
    ],
)
def test_wrong_codes_on_the_account_forms_count_toward_the_lockout(
    signed_in, session, with_factor, address, field
):
    statuses = [post(signed_in, address, {field: f"{i:06d}"}).status_code for i in range(5)]
    assert statuses == [422] * 5
    assert failures(session, with_factor) == 5
    wrong = session.exec(select(AuditEvent).where(AuditEvent.action == "second_factor_code_wrong"))
    assert [e.detail for e in wrong] == ["account"] * 5

    locked = post(signed_in, address, {field: code_at(STEP)})

    assert locked.status_code == 429
    assert "Too many wrong tries" in locked.get_data(as_text=True)
    assert second_factors.in_use(session, with_factor.id)
    assert second_factors.check(session, with_factor, "abcde-23456", NOW) == Check.RECOVERY


def wrong_codes_at_sign_in(app, staff, tries: int) -> list[int]:
    """Tries with the right password and a wrong code, each from a fresh browser."""
    statuses = []
    for i in range(tries):
        web = app.test_client()
        with web.session_transaction() as stored:
            stored["staff_language"] = "en"
        post(web, "/admin/login", {"email": staff.email, "password": PASSWORD})
        statuses.append(post(web, "/admin/login/code", {"code": f"{i:06d}"}).status_code)
    return statuses


def test_three_lockouts_in_a_day_close_the_code_step_for_the_day(
    app, session, with_factor, frozen_clock
):
    for _round in range(3):
        assert wrong_codes_at_sign_in(app, with_factor, 5) == [401] * 5
        frozen_clock.shift(timedelta(minutes=16))

    web = app.test_client()
    with web.session_transaction() as stored:
        stored["staff_language"] = "en"
    assert (
        post(web, "/admin/login", {"email": with_factor.email, "password": PASSWORD}).status_code
        == 302
    )
    closed = post(web, "/admin/login/code", {"code": totp_code()})

    assert closed.status_code == 429
    assert "Too many wrong codes today" in closed.get_data(as_text=True)
    assert web.get("/admin/").status_code == 302
    wrong = session.exec(
        select(AuditEvent).where(AuditEvent.action == "second_factor_code_wrong")
    ).all()
    assert len(wrong) == 15 and {e.actor_id for e in wrong} == {with_factor.id}
    assert all(e.detail == "sign-in" for e in wrong)

    frozen_clock.shift(timedelta(hours=24))
    assert wrong_codes_at_sign_in(app, with_factor, 1) == [401]  # a new day: tries again


def test_a_reset_second_factor_starts_the_day_afresh(app, session, with_factor, frozen_clock):
    for _round in range(3):
        wrong_codes_at_sign_in(app, with_factor, 5)
        frozen_clock.shift(timedelta(minutes=16))
    second_factors.remove(session, with_factor.id)
    session.commit()
    give_second_factor(session, with_factor)

    assert wrong_codes_at_sign_in(app, with_factor, 1) == [401]
