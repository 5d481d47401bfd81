"""Staff accounts: administrators add, change and close them; everyone changes their own
password. New passwords, roles and closed accounts sign the person out everywhere."""

import pytest
from sqlmodel import func, select

from app.models import AuditEvent, StaffRole, StaffUser
from tests.admin.conftest import PASSWORD, post, sign_in
from tests.factories import create_client, create_staff, create_unit, password_hash_of

NEW_PASSWORD = "lingonberries in june"


def stored(session, staff) -> StaffUser:
    session.expire_all()
    return session.get(StaffUser, staff.id)


def staff_count(session) -> int:
    session.expire_all()
    return session.exec(select(func.count(StaffUser.id))).one()


def audit(session, action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action)
    return list(session.exec(query.order_by(AuditEvent.id)))  # in the order made


def edit_values(staff, **changes) -> dict:
    values = {
        "name": staff.name,
        "email": staff.email,
        "phone": staff.phone,
        "role": staff.role,
        "active": "1" if staff.active else "",
    }
    return {k: v for k, v in (values | changes).items() if v is not None}


def test_case_workers_may_not_manage_staff(caseworker, as_caseworker):
    assert as_caseworker.get("/admin/staff").status_code == 403
    assert as_caseworker.get("/admin/staff/new").status_code == 403
    response = post(as_caseworker, f"/admin/staff/{caseworker.id}/edit", edit_values(caseworker))
    assert response.status_code == 403


def test_the_list_shows_the_unit_s_staff_only(session, unit, caseworker, as_admin):
    other_unit = create_unit(session, name="Västby kommun", phone="+46846500500")
    create_staff(session, other_unit, email="per@vastby.example", name="Per Västby")
    html = as_admin.get("/admin/staff").get_data(as_text=True)
    assert "Lina Berg" in html and "lina.berg@ekby.example" in html
    assert "Case worker" in html and "070-174 06 05" in html and "Administrator" in html
    assert "Per Västby" not in html


def test_an_administrator_adds_an_account_that_can_sign_in(app, session, unit, as_admin):
    response = post(
        as_admin,
        "/admin/staff/new",
        {
            "name": "Nora Ek",
            "email": " Nora.Ek@Ekby.example ",
            "phone": "070-174 06 09",
            "role": "caseworker",
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    nora = session.exec(select(StaffUser).where(StaffUser.email == "nora.ek@ekby.example")).one()
    assert (nora.name, nora.phone, nora.role, nora.active) == (
        "Nora Ek",
        "+46701740609",
        "caseworker",
        True,
    )
    assert nora.unit_id == unit.id
    assert NEW_PASSWORD not in nora.password_hash
    assert nora.password_hash.startswith(("scrypt:", "pbkdf2:"))
    [event] = audit(session, "staff_created")
    assert event.subject_id == nora.id and NEW_PASSWORD not in event.detail
    sign_in(app.test_client(), nora, password=NEW_PASSWORD)


def test_an_e_mail_address_in_use_is_a_clear_error(session, unit, caseworker, as_admin):
    before = staff_count(session)
    response = post(
        as_admin,
        "/admin/staff/new",
        {"name": "Lina B", "email": "LINA.BERG@ekby.example", "role": "caseworker"}
        | {"password": NEW_PASSWORD},
    )
    assert response.status_code == 422
    assert "Another staff account has this e-mail address." in response.get_data(as_text=True)
    assert staff_count(session) == before


def test_an_e_mail_address_of_another_unit_is_in_use_too(session, unit, as_admin):
    other_unit = create_unit(session, name="Västby kommun", phone="+46846500500")
    create_staff(session, other_unit, email="per@vastby.example", name="Per Västby")
    response = post(
        as_admin,
        "/admin/staff/new",
        {"name": "Per", "email": "per@vastby.example", "role": "caseworker"}
        | {"password": NEW_PASSWORD},
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"password": "short"}, "Use at least 12 characters."),
        ({"password": ""}, "Use at least 12 characters."),
        ({"email": "nora"}, "Write an e-mail address like"),
        ({"name": ""}, "Fill this in."),
        ({"role": "boss"}, "Choose one of the options."),
        ({"phone": "123"}, "This is not a phone number we can text."),
    ],
)
def test_a_new_account_with_errors_is_not_added(session, unit, as_admin, values, message):
    before = staff_count(session)
    valid = {"name": "Nora Ek", "email": "nora@ekby.example", "role": "caseworker"}
    response = post(as_admin, "/admin/staff/new", valid | {"password": NEW_PASSWORD} | values)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert staff_count(session) == before


def test_details_can_change_without_signing_the_person_out(
    app, session, caseworker, administrator, as_admin
):
    lina = app.test_client()
    sign_in(lina, caseworker)
    url = f"/admin/staff/{caseworker.id}/edit"
    response = post(as_admin, url, edit_values(caseworker, name="Lina Berg Ek", phone=""))
    assert response.status_code == 302
    saved = stored(session, caseworker)
    assert (saved.name, saved.phone, saved.session_version) == ("Lina Berg Ek", "", 1)
    assert lina.get("/admin/").status_code == 200
    [event] = audit(session, "staff_changed")
    assert event.detail == "name, phone"


@pytest.mark.parametrize(
    "change",
    [
        {"active": ""},
        {"role": "admin"},
        {"password": NEW_PASSWORD},
    ],
    ids=["deactivated", "new role", "new password"],
)
def test_closing_an_account_a_new_role_or_password_signs_the_person_out(
    app, session, caseworker, administrator, as_admin, change
):
    lina = app.test_client()
    sign_in(lina, caseworker)
    assert lina.get("/admin/").status_code == 200
    response = post(
        as_admin, f"/admin/staff/{caseworker.id}/edit", edit_values(caseworker, **change)
    )
    assert response.status_code == 302
    assert stored(session, caseworker).session_version == 2
    after = lina.get("/admin/")
    assert after.status_code == 302 and after.headers["Location"].startswith("/admin/login")
    [event] = audit(session, "staff_changed")
    assert NEW_PASSWORD not in event.detail


def test_a_closed_account_cannot_sign_in(app, session, caseworker, administrator, as_admin):
    post(as_admin, f"/admin/staff/{caseworker.id}/edit", edit_values(caseworker, active=""))
    assert stored(session, caseworker).active is False
    web = app.test_client()
    response = post(web, "/admin/login", {"email": caseworker.email, "password": PASSWORD})
    assert response.status_code == 401


def test_closing_an_account_with_clients_warns_to_hand_them_over(
    session, caseworker, administrator, as_admin
):
    create_client(session, staff=caseworker)
    post(as_admin, f"/admin/staff/{caseworker.id}/edit", edit_values(caseworker, active=""))
    html = as_admin.get("/admin/staff").get_data(as_text=True)
    assert "Lina Berg is still case worker for 1 client." in html


def test_a_new_password_set_by_an_administrator_works(
    app, session, caseworker, administrator, as_admin
):
    url = f"/admin/staff/{caseworker.id}/edit"
    post(as_admin, url, edit_values(caseworker, password=NEW_PASSWORD))
    sign_in(app.test_client(), stored(session, caseworker), password=NEW_PASSWORD)


@pytest.mark.parametrize("change", [{"active": ""}, {"role": "caseworker"}])
def test_the_last_administrator_cannot_close_or_demote_their_own_account(
    session, administrator, as_admin, change
):
    url = f"/admin/staff/{administrator.id}/edit"
    response = post(as_admin, url, edit_values(administrator, **change))
    assert response.status_code == 422
    assert "The unit needs an active administrator." in response.get_data(as_text=True)
    saved = stored(session, administrator)
    assert (saved.role, saved.active, saved.session_version) == ("admin", True, 1)


def test_with_another_administrator_one_may_step_down(session, unit, administrator, as_admin):
    create_staff(session, unit, email="ida@ekby.example", name="Ida Admin", role=StaffRole.ADMIN)
    url = f"/admin/staff/{administrator.id}/edit"
    response = post(as_admin, url, edit_values(administrator, role="caseworker"))
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert stored(session, administrator).role == "caseworker"
    assert as_admin.get("/admin/").status_code == 200  # still signed in, as a case worker
    assert as_admin.get("/admin/staff").status_code == 403


def test_another_administrator_of_another_unit_does_not_count(
    session, unit, administrator, as_admin
):
    other_unit = create_unit(session, name="Västby kommun", phone="+46846500500")
    create_staff(session, other_unit, email="per@vastby.example", role=StaffRole.ADMIN)
    url = f"/admin/staff/{administrator.id}/edit"
    assert post(as_admin, url, edit_values(administrator, active="")).status_code == 422


def test_an_administrator_keeps_their_session_after_changing_their_own_password(
    session, administrator, as_admin
):
    url = f"/admin/staff/{administrator.id}/edit"
    response = post(as_admin, url, edit_values(administrator, password=NEW_PASSWORD))
    assert response.status_code == 302
    assert stored(session, administrator).session_version == 2
    assert as_admin.get("/admin/staff").status_code == 200


def test_changing_to_an_e_mail_address_in_use_is_refused(
    session, caseworker, colleague, administrator, as_admin
):
    url = f"/admin/staff/{caseworker.id}/edit"
    response = post(as_admin, url, edit_values(caseworker, email=colleague.email))
    assert response.status_code == 422
    assert "Another staff account has this e-mail address." in response.get_data(as_text=True)
    assert stored(session, caseworker).email == "lina.berg@ekby.example"


def test_staff_of_another_unit_cannot_be_edited(session, as_admin):
    other_unit = create_unit(session, name="Västby kommun", phone="+46846500500")
    per = create_staff(session, other_unit, email="per@vastby.example", name="Per Västby")
    assert as_admin.get(f"/admin/staff/{per.id}/edit").status_code == 404
    response = post(as_admin, f"/admin/staff/{per.id}/edit", edit_values(per, active=""))
    assert response.status_code == 404
    assert stored(session, per).active is True


# Your own password


def change_own(web, current=PASSWORD, new=NEW_PASSWORD, again=None):
    return post(
        web,
        "/admin/account/password",
        {"current_password": current, "new_password": new, "new_password_again": again or new},
    )


def test_anyone_changes_their_own_password_and_other_sessions_end(
    app, session, caseworker, as_caseworker
):
    elsewhere = app.test_client()
    sign_in(elsewhere, caseworker)
    assert as_caseworker.get("/admin/account/password").status_code == 200
    response = change_own(as_caseworker)
    assert response.status_code == 302
    assert as_caseworker.get("/admin/").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/admin/").status_code == 302
    sign_in(app.test_client(), stored(session, caseworker), password=NEW_PASSWORD)
    [event] = audit(session, "password_changed")
    assert event.actor_id == caseworker.id and NEW_PASSWORD not in event.detail


def test_a_wrong_current_password_is_refused(session, caseworker, as_caseworker):
    response = change_own(as_caseworker, current="not my password")
    assert response.status_code == 422
    assert "This is not your current password." in response.get_data(as_text=True)
    saved = stored(session, caseworker)
    assert saved.session_version == 1
    assert saved.password_hash == caseworker.password_hash


def test_wrong_current_passwords_count_as_guesses(session, caseworker, as_caseworker):
    for _ in range(5):
        change_own(as_caseworker, current="not my password")
    response = change_own(as_caseworker)
    assert "Too many wrong tries." in response.get_data(as_text=True)
    assert stored(session, caseworker).password_hash == caseworker.password_hash


@pytest.mark.parametrize(
    ("new", "again", "message"),
    [
        ("short", None, "Use at least 12 characters."),
        (NEW_PASSWORD, "something else entirely", "The two new passwords are not the same."),
        (PASSWORD, None, "Choose a new password, not the one you have."),
    ],
)
def test_a_weak_or_mistyped_new_password_is_refused(
    session, caseworker, as_caseworker, new, again, message
):
    response = change_own(as_caseworker, new=new, again=again)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored(session, caseworker).password_hash == caseworker.password_hash


def test_a_person_without_a_password_cannot_set_one_without_the_current(session, unit, app):
    # Accounts always get a password; an empty hash never matches anything.
    nils = create_staff(
        session, unit, email="nils@ekby.example", password_hash=password_hash_of("x" * 12)
    )
    web = app.test_client()
    sign_in(web, nils, password="x" * 12)
    nils.password_hash = ""
    session.add(nils)
    session.commit()
    response = change_own(web, current="")
    assert response.status_code == 403  # no password here to change: the work account's
    assert "no password in Tydligt to change" in response.get_data(as_text=True)
    assert stored(session, nils).password_hash == ""
