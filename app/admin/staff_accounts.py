"""Staff accounts: administrators add, change and close them; everyone changes their own
password. A new password, a new role or a closed account signs the person out everywhere
(StaffUser.session_version). A unit always keeps at least one active administrator.
Passwords are never written to the audit log."""

import re
from typing import Any

from flask import abort, flash, redirect, render_template, request, session, url_for
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from werkzeug.security import check_password_hash

from app.admin import bp, second_factors, sso
from app.admin.access import current_staff, record
from app.admin.auth import (
    LOCKOUT,
    MAX_FAILURES_PER_EMAIL,
    admin_only,
    hash_password,
    password_problem,
    sign_out_everywhere,
)
from app.admin.forms import Form
from app.admin.words import N_, _, ngettext
from app.casework.contacts import display_phone
from app.db import get_session
from app.models import Client, LoginAttempt, StaffRole, StaffUser, SubjectType, utcnow

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ROLES = (StaffRole.CASEWORKER.value, StaffRole.ADMIN.value)
ROLE_LABELS = {
    StaffRole.CASEWORKER.value: N_("Case worker"),
    StaffRole.ADMIN.value: N_("Administrator"),
}


def _staff_of_unit_or_404(staff_id: int) -> StaffUser:
    staff = get_session().get(StaffUser, staff_id)
    if staff is None or staff.unit_id != current_staff().unit_id:
        abort(404)
    return staff


def _read(form: Form, staff: StaffUser | None) -> dict:
    """The account's values from the form; a password only when one was typed."""
    values: dict[str, Any] = {
        "name": form.text("name", required=True, max_length=120),
        "email": form.text("email", required=True, max_length=200).lower(),
        "phone": form.phone("phone", required=False),
        "role": form.choice("role", ROLES),
        "manager": form.boolean("manager"),
        "active": form.boolean("active") if staff is not None else True,
    }
    if values["email"] and not EMAIL.match(values["email"]):
        form.fail("email", _("Write an e-mail address like name@example.se."))
    elif values["email"] and _email_taken(values["email"], staff):
        form.fail("email", _("Another staff account has this e-mail address."))
    password = form.value("password")
    if password or staff is None:
        problem = password_problem(password)
        if problem:
            form.fail("password", problem)
        values["password"] = password
    return values


def _email_taken(email: str, staff: StaffUser | None) -> bool:
    query = select(StaffUser.id).where(StaffUser.email == email)
    if staff is not None:
        query = query.where(StaffUser.id != staff.id)
    return get_session().exec(query).first() is not None


def leaves_no_administrator(staff: StaffUser, role: str, active: bool) -> bool:
    """Whether the change would leave the unit without an active administrator."""
    if staff.role != StaffRole.ADMIN or not staff.active or (role == StaffRole.ADMIN and active):
        return False
    others = (
        get_session()
        .exec(
            select(func.count(col(StaffUser.id))).where(
                StaffUser.unit_id == staff.unit_id,
                StaffUser.role == StaffRole.ADMIN,
                col(StaffUser.active).is_(True),
                StaffUser.id != staff.id,
            )
        )
        .one()
    )
    return others == 0


def _commit_or_email_taken(form: Form) -> bool:
    """Commit; an e-mail address taken at the same moment is a form error, not a 500."""
    try:
        get_session().commit()
    except IntegrityError:
        get_session().rollback()
        form.fail("email", _("Another staff account has this e-mail address."))
        return False
    return True


def _create(staff: StaffUser, form: Form) -> bool:
    """Save a new account and audit it; False (with a form error) if the e-mail is taken."""
    db = get_session()
    db.add(staff)
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        form.fail("email", _("Another staff account has this e-mail address."))
        return False
    detail = f"role={staff.role}" + (", manager" if staff.manager else "")
    record("staff_created", subject_type=SubjectType.STAFF, subject_id=staff.id, detail=detail)
    return _commit_or_email_taken(form)


def _form_page(form: Form, staff: StaffUser | None) -> str:
    return render_template(
        "admin/staff/form.html",
        form=form,
        staff=staff,
        role_options=[(role, _(ROLE_LABELS[role])) for role in ROLES],
        two_factor_on=bool(staff and second_factors.in_use(get_session(), staff.id or 0)),
    )


def _clients_of(staff: StaffUser) -> int:
    return (
        get_session()
        .exec(select(func.count(col(Client.id))).where(Client.caseworker_id == staff.id))
        .one()
    )


@bp.route("/staff")
@admin_only
def staff_accounts():
    """The unit's staff: active ones first, by name."""
    people = get_session().exec(
        select(StaffUser)
        .where(StaffUser.unit_id == current_staff().unit_id)
        .order_by(col(StaffUser.active).desc(), StaffUser.name)
    )
    return render_template("admin/staff/list.html", people=list(people), role_labels=ROLE_LABELS)


@bp.route("/staff/new", methods=["GET", "POST"])
@admin_only
def staff_account_new():
    """Add a staff account with a first password to pass on to the person."""
    form = Form({"role": StaffRole.CASEWORKER.value}) if request.method == "GET" else Form()
    if request.method == "POST":
        values = _read(form, None)
        if form.ok:
            password = values.pop("password")
            staff = StaffUser(
                unit_id=current_staff().unit_id, password_hash=hash_password(password), **values
            )
            if _create(staff, form):
                flash(_("%(name)s can now sign in.", name=staff.name))
                return redirect(url_for("admin.staff_accounts"))
    return _form_page(form, None), (422 if form.errors else 200)


@bp.route("/staff/<int:staff_id>/edit", methods=["GET", "POST"])
@admin_only
def staff_account_edit(staff_id: int):
    """Change an account: details, role, active, a new password."""
    staff = _staff_of_unit_or_404(staff_id)
    if request.method == "GET":
        form = Form(
            {
                "name": staff.name,
                "email": staff.email,
                "phone": display_phone(staff.phone),
                "role": staff.role,
                "manager": "1" if staff.manager else "",
                "active": "1" if staff.active else "",
            }
        )
        return _form_page(form, staff)
    form = Form()
    values = _read(form, staff)
    if form.ok and leaves_no_administrator(staff, values["role"], values["active"]):
        field = "active" if not values["active"] else "role"
        form.fail(
            field,
            _("The unit needs an active administrator. Make someone else an administrator first."),
        )
    if not form.ok:
        return _form_page(form, staff), 422
    changes = _apply(staff, values)
    if not changes:
        flash(_("Nothing was changed."))
        return redirect(url_for("admin.staff_accounts"))
    record(
        "staff_changed",
        subject_type=SubjectType.STAFF,
        subject_id=staff.id,
        detail=", ".join(changes),
    )
    if not _commit_or_email_taken(form):
        return _form_page(form, staff), 422
    return _after_edit(staff, changes)


def _apply(staff: StaffUser, values: dict) -> list[str]:
    """Change the account; what changed, in words for the audit log (never a password)."""
    changes = []
    signs_out = False
    for name in ("name", "email", "phone"):
        if getattr(staff, name) != values[name]:
            setattr(staff, name, values[name])
            changes.append(name)
    if staff.role != values["role"]:
        changes.append(f"role {staff.role}->{values['role']}")
        staff.role, signs_out = values["role"], True
    if staff.manager != values["manager"]:
        # Whether the person reads complaints: who may see them changes at once.
        changes.append("made manager" if values["manager"] else "no longer manager")
        staff.manager = values["manager"]
    if staff.active != values["active"]:
        changes.append("activated" if values["active"] else "deactivated")
        staff.active = values["active"]
        signs_out = signs_out or not staff.active
    if values.get("password"):
        changes.append("new password")
        staff.password_hash, signs_out = hash_password(values["password"]), True
    if signs_out:
        keep = staff.id == current_staff().id and staff.active
        sign_out_everywhere(get_session(), staff, keep_this_browser=keep)
    get_session().add(staff)
    return changes


def _after_edit(staff: StaffUser, changes: list[str]):
    me = current_staff()
    if staff.id == me.id and staff.active:
        session["staff_version"] = staff.session_version  # this browser stays signed in
        if staff.role != StaffRole.ADMIN:
            flash(_("You are no longer an administrator."))
            return redirect(url_for("admin.today"))
    flash(_("The account of %(name)s is saved.", name=staff.name))
    if "deactivated" in changes:
        count = _clients_of(staff)
        if count:
            flash(
                ngettext(
                    "%(name)s is still case worker for %(num)d client. Hand the client over to a "
                    "colleague.",
                    "%(name)s is still case worker for %(num)d clients. Hand them over to a "
                    "colleague.",
                    count,
                    name=staff.name,
                ),
                "warning",
            )
    return redirect(url_for("admin.staff_accounts"))


def _recent_wrong_passwords(email: str) -> int:
    """Wrong passwords for this e-mail lately: a wrong current password here counts as a
    wrong sign-in try, with the same limit and the same wait."""
    since = utcnow() - LOCKOUT
    return (
        get_session()
        .exec(
            select(func.count(col(LoginAttempt.id))).where(
                LoginAttempt.email == email,
                col(LoginAttempt.succeeded).is_(False),
                LoginAttempt.at >= since,
            )
        )
        .one()
    )


def has_own_password(staff: StaffUser) -> bool:
    """Whether the person has a password in Tydligt to change: one is set (someone who
    joined through single sign-on has none) and signing in with it is on. Otherwise they
    sign in with their work account, whose password their organisation keeps."""
    return bool(staff.password_hash) and sso.password_sign_in()


@bp.app_context_processor
def _own_password() -> dict:
    """For the staff layout, which the start page outside /admin uses too."""
    return {"has_own_password": has_own_password}


@bp.route("/account/password", methods=["GET", "POST"])
def own_password():
    """Change your own password: the current one first. Other sessions are signed out.
    Someone without a password to change is told where theirs is changed instead."""
    me = current_staff()
    if not has_own_password(me):
        status = 403 if request.method == "POST" else 200
        return render_template("admin/staff/work_account_password.html"), status
    form = Form()
    if request.method == "POST":
        current = form.value("current_password")
        new = form.value("new_password")
        if _recent_wrong_passwords(me.email) >= MAX_FAILURES_PER_EMAIL:
            form.fail("current_password", _("Too many wrong tries. Wait 15 minutes and try again."))
        elif not (me.password_hash and check_password_hash(me.password_hash, current)):
            db = get_session()
            address = (request.remote_addr or "")[:64]
            db.add(LoginAttempt(email=me.email[:200], address=address, succeeded=False))
            db.commit()
            form.fail("current_password", _("This is not your current password."))
        problem = password_problem(new)
        if problem:
            form.fail("new_password", problem)
        elif new != form.value("new_password_again"):
            form.fail("new_password_again", _("The two new passwords are not the same."))
        elif form.ok and check_password_hash(me.password_hash, new):
            form.fail("new_password", _("Choose a new password, not the one you have."))
        if form.ok:
            me.password_hash = hash_password(new)
            db = get_session()
            sign_out_everywhere(db, me, keep_this_browser=True)
            db.add(me)
            record("password_changed", subject_type=SubjectType.STAFF, subject_id=me.id)
            db.commit()
            session["staff_version"] = me.session_version
            flash(_("Your password is changed. You are signed out on other devices."))
            return redirect(url_for("admin.today"))
    return render_template("admin/staff/password.html", form=form), (422 if form.errors else 200)


@bp.route("/staff/<int:staff_id>/two-factor/reset", methods=["GET", "POST"])
@admin_only
def staff_two_factor_reset(staff_id: int):
    """Reset a colleague's second factor (a lost phone): asked first; the authenticator and
    recovery codes go, every session of theirs ends, and the audit log says who reset whose
    (never a code or a secret)."""
    staff = _staff_of_unit_or_404(staff_id)
    if request.method == "GET":
        return render_template("admin/two_factor/reset.html", staff=staff)
    db = get_session()
    second_factors.remove(db, staff.id or 0)
    sign_out_everywhere(db, staff, keep_this_browser=staff.id == current_staff().id)
    record("second_factor_reset", subject_type=SubjectType.STAFF, subject_id=staff.id)
    db.commit()
    flash(
        _(
            "The second factor of %(name)s is reset. They set up a new one at their next sign-in.",
            name=staff.name,
        )
    )
    return redirect(url_for("admin.staff_account_edit", staff_id=staff.id))
