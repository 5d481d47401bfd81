"""The unit's single sign-on setting on the settings page: whether staff new to Tydligt
may join the unit by signing in with their work account (app/admin/settings.py)."""

import pytest
from sqlmodel import select

from app.models import AuditEvent, Unit
from tests.admin.conftest import post
from tests.admin.test_settings import VALID

JOIN = 'name="sso_lets_staff_join"'


@pytest.fixture
def with_sso(app):
    app.config |= {
        "OIDC_ISSUER": "https://login.ekby.example",
        "OIDC_CLIENT_ID": "tydligt",
        "OIDC_CLIENT_SECRET": "secret",
    }
    return app


def stored_unit(session, unit) -> Unit:
    session.expire_all()
    return session.get_one(Unit, unit.id)


def test_the_setting_is_shown_only_with_single_sign_on(app, unit, as_admin):
    assert JOIN not in as_admin.get("/admin/settings").get_data(as_text=True)
    app.config["OIDC_ISSUER"] = "https://login.ekby.example"
    page = as_admin.get("/admin/settings").get_data(as_text=True)
    assert JOIN in page and "Single sign-on" in page


def test_an_administrator_lets_staff_join_and_it_is_audited(with_sso, session, unit, as_admin):
    response = post(as_admin, "/admin/settings", VALID | {"sso_lets_staff_join": "1"})
    assert response.status_code == 302
    assert stored_unit(session, unit).sso_lets_staff_join is True
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "settings_changed"))
    assert "sso_lets_staff_join=True" in event.detail
    assert "checked" in as_admin.get("/admin/settings").get_data(as_text=True).split(JOIN)[1][:80]
    post(as_admin, "/admin/settings", VALID)
    assert stored_unit(session, unit).sso_lets_staff_join is False


def test_without_single_sign_on_saving_keeps_the_setting(session, unit, as_admin):
    unit.sso_lets_staff_join = True
    session.add(unit)
    session.commit()
    assert post(as_admin, "/admin/settings", VALID).status_code == 302
    assert stored_unit(session, unit).sso_lets_staff_join is True
