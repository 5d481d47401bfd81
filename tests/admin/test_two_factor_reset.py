"""An administrator resets a colleague's second factor (a lost phone): asked first, only in
the same unit, audited with who reset whose (never a code or a secret), and every session
of the colleague ends; they set it up again at their next sign-in."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.admin import second_factors
from app.models import AuditEvent, StaffRecoveryCode, StaffRole, StaffSession
from tests.admin.conftest import PASSWORD, post, sign_in
from tests.factories import TOTP_SECRET, create_staff, create_unit, password_hash_of

NOW = datetime(2026, 12, 8, 9, 0, 10, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def second_admin(session, unit):
    """Another administrator of the unit, with an authenticator and a recovery code."""
    staff = create_staff(
        session,
        unit,
        email="maja.admin@ekby.example",
        name="Maja Admin",
        role=StaffRole.ADMIN,
        password_hash=password_hash_of(PASSWORD),
    )
    session.add(StaffRecoveryCode(staff_id=staff.id, code_hash=password_hash_of("abcde23456")))
    session.commit()
    return staff


def test_the_staff_page_offers_a_reset_that_asks_first(as_admin, second_admin, session):
    page = as_admin.get(f"/admin/staff/{second_admin.id}/edit").get_data(as_text=True)
    assert "Second factor" in page and f"/admin/staff/{second_admin.id}/two-factor/reset" in page

    asked = as_admin.get(f"/admin/staff/{second_admin.id}/two-factor/reset")

    assert asked.status_code == 200
    assert "Reset the second factor of Maja Admin" in asked.get_data(as_text=True)
    assert second_factors.in_use(session, second_admin.id)  # a GET changes nothing


def test_a_reset_removes_the_factor_ends_the_sessions_and_is_audited(
    app, as_admin, session, administrator, second_admin
):
    theirs = app.test_client()
    sign_in(theirs, second_admin)
    assert theirs.get("/admin/").status_code == 200

    response = post(as_admin, f"/admin/staff/{second_admin.id}/two-factor/reset")

    assert response.status_code == 302
    assert "The second factor of Maja Admin is reset" in as_admin.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert not second_factors.in_use(session, second_admin.id)
    assert session.exec(select(StaffRecoveryCode)).all() == []
    assert theirs.get("/admin/").status_code == 302
    session.expire_all()
    ended = session.exec(select(StaffSession).where(StaffSession.staff_id == second_admin.id))
    assert [row.end_reason for row in ended] == ["everywhere"]
    assert as_admin.get("/admin/").status_code == 200  # the one who reset stays signed in
    (event,) = session.exec(select(AuditEvent).where(AuditEvent.action == "second_factor_reset"))
    assert (event.actor_id, event.actor_name) == (administrator.id, "Eva Admin")
    assert (event.subject_type, event.subject_id) == ("staff", second_admin.id)
    assert TOTP_SECRET not in (event.detail or "") and "abcde" not in (event.detail or "")


def test_after_a_reset_the_person_sets_it_up_again_at_sign_in(app, as_admin, second_admin):
    post(as_admin, f"/admin/staff/{second_admin.id}/two-factor/reset")
    theirs = app.test_client()
    theirs.get("/admin/login")
    response = post(theirs, "/admin/login", {"email": second_admin.email, "password": PASSWORD})
    assert response.headers["Location"] == "/admin/login/set-up"
    page = theirs.get("/admin/login/set-up").get_data(as_text=True)
    assert TOTP_SECRET not in page.replace(" ", "")  # a new secret, not the old one


def test_only_administrators_of_the_same_unit_reset(app, session, as_caseworker, administrator):
    assert as_caseworker.get(f"/admin/staff/{administrator.id}/two-factor/reset").status_code == 403
    assert (
        post(as_caseworker, f"/admin/staff/{administrator.id}/two-factor/reset").status_code == 403
    )
    other_unit = create_unit(session, name="Västby kommun", phone="+46846500999")
    stranger = create_staff(
        session,
        other_unit,
        email="admin@vastby.example",
        name="Vera Admin",
        role=StaffRole.ADMIN,
        password_hash=password_hash_of(PASSWORD),
    )
    admin = app.test_client()
    sign_in(admin, administrator)
    assert post(admin, f"/admin/staff/{stranger.id}/two-factor/reset").status_code == 404
    assert second_factors.in_use(session, administrator.id)
    assert second_factors.in_use(session, stranger.id)
