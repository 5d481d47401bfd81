"""The second factor's pages: entering a code after the password, setting up an
authenticator (at sign-in when one is required, or by choice later), recovery codes, and
turning the second factor off where it is not required. The rules are in
app/admin/second_factors.py; wrong codes, at sign-in and on the pages that change the
second factor, count toward the sign-in lockout and the day's limit of wrong codes."""

from flask import flash, redirect, render_template, request, session, url_for
from sqlmodel import Session

from app import audit
from app.admin import bp, second_factors
from app.admin.access import current_staff, record
from app.admin.auth import (
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_EMAIL,
    pending_staff,
    recent_failures,
    safe_next,
    start_session,
)
from app.admin.forms import Form
from app.admin.second_factors import Check, SetUp
from app.admin.words import _, ngettext
from app.db import get_session
from app.models import LoginAttempt, StaffUser, SubjectType, utcnow

LOW_ON_RECOVERY_CODES = 3
SETUP_KEY = "two_factor_setup"


def _address() -> str:
    return (request.remote_addr or "")[:64]


def _locked(email: str) -> bool:
    return (
        recent_failures(LoginAttempt.email, email) >= MAX_FAILURES_PER_EMAIL
        or recent_failures(LoginAttempt.address, _address()) >= MAX_FAILURES_PER_ADDRESS
    )


def _codes_closed(db: Session, staff: StaffUser) -> str | None:
    """Why no code may be tried for `staff` now (the sign-in lockout, or too many wrong
    codes today), in staff words, or None."""
    if _locked(staff.email):
        return _("Too many wrong tries. Wait 15 minutes and try again.")
    if second_factors.wrong_codes_today(db, staff.id or 0, utcnow()) >= (
        second_factors.MAX_WRONG_CODES_PER_DAY
    ):
        return _(
            "Too many wrong codes today. Try again tomorrow, or ask an administrator "
            "to reset your second factor."
        )
    return None


def _attempt(db: Session, staff: StaffUser, succeeded: bool) -> None:
    db.add(LoginAttempt(email=staff.email[:200], address=_address(), succeeded=succeeded))


def _back_to_sign_in():
    flash(_("The time to enter the code ran out, or you have not signed in. Sign in again."))
    return redirect(url_for("admin.login"))


def _setup_secret(staff: StaffUser) -> str:
    """This browser's secret for setting up an authenticator: kept in its signed session
    until a code confirms it, so no other browser ever sees or confirms it (a new sign-in
    forgets it)."""
    kept = session.get(SETUP_KEY)
    if isinstance(kept, dict) and kept.get("staff") == staff.id and kept.get("secret"):
        return str(kept["secret"])
    secret = second_factors.new_secret()
    session[SETUP_KEY] = {"staff": staff.id, "secret": secret}
    return secret


def _setup_page(form: Form, secret: str, staff: StaffUser, action: str, status: int = 200):
    address = second_factors.setup_address(secret, staff.email)
    return render_template(
        "admin/two_factor/set_up.html",
        form=form,
        qr_code=second_factors.qr_code(address),
        secret=second_factors.grouped(secret),
        issuer=second_factors.ISSUER,
        account=staff.email,
        action=action,
    ), status


def _codes_page(codes: list[str], next_page: str):
    return render_template("admin/two_factor/recovery_codes.html", codes=codes, next_page=next_page)


@bp.route("/login/code", methods=["GET", "POST"])
def two_factor_code():
    """After a right password: the code from the authenticator app, or a recovery code.
    Only a right one signs in; until then no staff page opens."""
    db = get_session()
    staff = pending_staff(db)
    if staff is None:
        return _back_to_sign_in()
    if not second_factors.in_use(db, staff.id or 0):
        return redirect(url_for("admin.two_factor_enrol"))
    form = Form()
    status = 200
    if request.method == "POST":
        closed = _codes_closed(db, staff)
        if closed:
            form.fail("code", closed)
            return render_template("admin/two_factor/code.html", form=form), 429
        result = second_factors.check(db, staff, form.value("code"), utcnow())
        if result in (Check.CODE, Check.RECOVERY):
            _attempt(db, staff, True)
            next_page = safe_next(session.get("pending_next"))
            method = "password+code" if result == Check.CODE else "password+recovery code"
            start_session(db, staff, method)
            db.commit()
            if result == Check.RECOVERY:
                _tell_codes_left(db, staff)
            return redirect(next_page)
        _attempt(db, staff, False)
        if result == Check.WRONG:
            second_factors.note_wrong_code(db, staff, "sign-in")
        db.commit()
        if result == Check.USED:
            form.fail("code", _("This code was used already. Wait for the next code in the app."))
        else:
            form.fail(
                "code",
                _("The code is wrong. Type the 6 digits the app shows now, or a recovery code."),
            )
        status = 401
    return render_template("admin/two_factor/code.html", form=form), status


def _tell_codes_left(db: Session, staff: StaffUser) -> None:
    left = len(second_factors.unused_recovery_codes(db, staff.id or 0))
    flash(
        ngettext(
            "You used a recovery code. You have %(num)d left.",
            "You used a recovery code. You have %(num)d left.",
            left,
        ),
        "warning" if left <= LOW_ON_RECOVERY_CODES else "info",
    )
    if left <= LOW_ON_RECOVERY_CODES:
        flash(_("Make new recovery codes on the page Second factor."), "warning")


@bp.route("/login/set-up", methods=["GET", "POST"])
def two_factor_enrol():
    """After a right password, for someone who must have a second factor and has none: set
    up the authenticator now, prove it with one code, get the recovery codes once."""
    db = get_session()
    staff = pending_staff(db)
    if staff is None:
        return _back_to_sign_in()
    if second_factors.in_use(db, staff.id or 0):
        return redirect(url_for("admin.two_factor_code"))
    secret = _setup_secret(staff)
    form = Form()
    action = url_for("admin.two_factor_enrol")
    if request.method == "POST":
        if _locked(staff.email):
            form.fail("code", _("Too many wrong tries. Wait 15 minutes and try again."))
            return _setup_page(form, secret, staff, action, 429)
        result = second_factors.confirm(db, staff.id or 0, secret, form.value("code"), utcnow())
        if result == SetUp.TAKEN:
            session.pop(SETUP_KEY, None)
            return redirect(url_for("admin.two_factor_code"))
        if result == SetUp.DONE:
            _attempt(db, staff, True)
            codes = second_factors.new_recovery_codes(db, staff.id or 0, utcnow())
            next_page = safe_next(session.get("pending_next"))
            start_session(db, staff, "password+code")
            audit.record(
                db,
                "second_factor_set_up",
                actor_type="staff",
                actor_id=staff.id,
                actor_name=staff.name,
                subject_type=SubjectType.STAFF,
                subject_id=staff.id,
            )
            db.commit()
            return _codes_page(codes, next_page)
        _attempt(db, staff, False)
        db.commit()
        form.fail("code", _("The code is wrong. Type the 6 digits the app shows now."))
        return _setup_page(form, secret, staff, action, 401)
    return _setup_page(form, secret, staff, action)


def _account_page(db: Session, me: StaffUser, form: Form, status: int = 200):
    return render_template(
        "admin/two_factor/account.html",
        in_use=second_factors.in_use(db, me.id or 0),
        required=second_factors.required_for(db, me),
        codes_left=len(second_factors.unused_recovery_codes(db, me.id or 0)),
        form=form,
    ), status


@bp.route("/account/two-factor")
def two_factor_account():
    """Your second factor: on or off, recovery codes left, make new ones, turn it off."""
    return _account_page(get_session(), current_staff(), Form())


@bp.route("/account/two-factor/set-up", methods=["GET", "POST"])
def two_factor_set_up():
    """Turn on a second factor for yourself while signed in."""
    db = get_session()
    me = current_staff()
    if second_factors.in_use(db, me.id or 0):
        session.pop(SETUP_KEY, None)
        return redirect(url_for("admin.two_factor_account"))
    secret = _setup_secret(me)
    form = Form()
    action = url_for("admin.two_factor_set_up")
    if request.method == "POST":
        result = second_factors.confirm(db, me.id or 0, secret, form.value("code"), utcnow())
        if result == SetUp.TAKEN:
            session.pop(SETUP_KEY, None)
            return redirect(url_for("admin.two_factor_account"))
        if result == SetUp.DONE:
            session.pop(SETUP_KEY, None)
            codes = second_factors.new_recovery_codes(db, me.id or 0, utcnow())
            record("second_factor_set_up", subject_type=SubjectType.STAFF, subject_id=me.id)
            db.commit()
            return _codes_page(codes, url_for("admin.two_factor_account"))
        form.fail("code", _("The code is wrong. Type the 6 digits the app shows now."))
        return _setup_page(form, secret, me, action, 422)
    return _setup_page(form, secret, me, action)


def _proved(db: Session, me: StaffUser, form: Form, field: str) -> int | None:
    """Whether the person signed in here typed a right code from their app (or an unused
    recovery code, now used) into `field`: None if so, else the status to answer with.
    Wrong codes count toward the sign-in lockout, as at sign-in: a session alone (a
    browser left signed in) must not guess its way to changing the second factor."""
    closed = _codes_closed(db, me)
    if closed:
        form.fail(field, closed)
        return 429
    result = second_factors.check(db, me, form.value(field), utcnow())
    right = result in (Check.CODE, Check.RECOVERY)
    _attempt(db, me, right)
    if right:
        return None
    if result == Check.WRONG:
        second_factors.note_wrong_code(db, me, "account")
    db.commit()
    if result == Check.USED:
        form.fail(field, _("This code was used already. Wait for the next code in the app."))
    else:
        form.fail(
            field,
            _("The code is wrong. Type the 6 digits the app shows now, or a recovery code."),
        )
    return 422


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
def two_factor_new_codes():
    """Ten new recovery codes, shown once, for a code from the app (or a recovery code);
    the old ones stop working."""
    db = get_session()
    me = current_staff()
    if not second_factors.in_use(db, me.id or 0):
        return redirect(url_for("admin.two_factor_account"))
    form = Form()
    refused = _proved(db, me, form, "renew_code")
    if refused:
        return _account_page(db, me, form, refused)
    codes = second_factors.new_recovery_codes(db, me.id or 0, utcnow())
    record("recovery_codes_renewed", subject_type=SubjectType.STAFF, subject_id=me.id)
    db.commit()
    return _codes_page(codes, url_for("admin.two_factor_account"))


@bp.route("/account/two-factor/off", methods=["POST"])
def two_factor_off():
    """Turn your second factor off, with a code to show it is you; not where required."""
    db = get_session()
    me = current_staff()
    form = Form()
    if second_factors.required_for(db, me):
        flash(_("You must have a second factor, so it cannot be turned off."), "warning")
        return redirect(url_for("admin.two_factor_account"))
    if not second_factors.in_use(db, me.id or 0):
        return redirect(url_for("admin.two_factor_account"))
    refused = _proved(db, me, form, "code")
    if refused:
        return _account_page(db, me, form, refused)
    second_factors.remove(db, me.id or 0)
    record("second_factor_removed", subject_type=SubjectType.STAFF, subject_id=me.id)
    db.commit()
    flash(_("Your second factor is off. You sign in with your password only."))
    return redirect(url_for("admin.two_factor_account"))
