"""Signing in and out, the rule that every admin page needs a signed-in person,
and the slowing down of password guessing.

A signed-in browser has a session row on the server (app/admin/staff_sessions.py), checked
on every request. A right password from someone with a second factor (or who must have one)
is only half a sign-in: the browser may then enter a code (app/admin/two_factor.py) for
PENDING_MINUTES, and no staff page opens before."""

from datetime import datetime, timedelta
from functools import lru_cache, wraps
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlmodel import Session, col, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app import audit
from app.admin import bp, csrf, second_factors, staff_sessions
from app.admin.forms import Form
from app.admin.staff_sessions import Ended
from app.admin.words import N_, STAFF_LANGUAGES, _
from app.db import get_session
from app.models import LoginAttempt, StaffRole, StaffSession, StaffUser, utcnow
from app.security import hash_secret

PUBLIC_ENDPOINTS = {
    "admin.login",
    "admin.choose_language",
    "admin.two_factor_code",
    "admin.two_factor_enrol",
}
PENDING_MINUTES = 5
# What the sign-in page says to someone whose session ended by itself or elsewhere (a
# sign-out of their own needs no words).
ENDED_NOTICES = {
    Ended.IDLE: N_("You were signed out because Tydligt was not used for a while. Sign in again."),
    Ended.EXPIRED: N_(
        "You were signed out because a sign-in lasts at most %(hours)d hours. Sign in again."
    ),
    Ended.EVERYWHERE: N_(
        "You were signed out because your account, password or second factor changed. "
        "Sign in again."
    ),
}
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_ADDRESS = 20
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12


@lru_cache(maxsize=4)
def _unknown_user_hash(method: str) -> str:
    """Checked when the e-mail is unknown, so a wrong e-mail takes as long as a wrong
    password (hashed as passwords are)."""
    return generate_password_hash("no such staff member", method=method)


def hash_password(password: str) -> str:
    """A salted hash, as app/security.hash_secret makes them (scrypt)."""
    return hash_secret(password)


def password_problem(password: str) -> str | None:
    """What is wrong with a new password, in staff words, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH)
    if len(set(password)) < 5:
        return _("Use more different characters.")
    return None


def admin_only(view):
    """Only administrators may use this page; others get 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.staff.role != StaffRole.ADMIN:
            abort(403)
        return view(*args, **kwargs)

    # A mark on the view for tests/admin/test_auth.py; functions take attributes, types not.
    wrapped.admin_only = True  # type: ignore[attr-defined]
    return wrapped


def _sign_in_keys_cleared() -> None:
    """Forget who signed in or half signed in here; the staff language chosen stays."""
    language = session.get("staff_language")
    session.clear()
    if language in STAFF_LANGUAGES:
        session["staff_language"] = language


def _lifetimes() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return (
        timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]),
    )


def _why_not(row: StaffSession | None, staff: StaffUser | None, now: datetime) -> Ended | None:
    """Why this browser's session may not be used, or None while it may."""
    if row is None or staff is None or row.staff_id != staff.id:
        return Ended.SIGNED_OUT
    if not staff.active or staff.session_version != session.get("staff_version"):
        return Ended.EVERYWHERE
    return staff_sessions.ending(row, now, *_lifetimes())


def load_staff() -> StaffUser | None:
    """The signed-in person (g.staff), or None. A session signed out, past its lifetime or
    unused too long, of a closed account, or from before a password change signs out, and
    its row on the server ends (g.signed_out says why)."""
    g.staff = None
    g.staff_session = None
    staff_id = session.get("staff_id")
    if staff_id is None:
        return None
    db = get_session()
    now = utcnow()
    row = staff_sessions.find(db, session.get("staff_session"))
    staff = db.get(StaffUser, staff_id)
    reason = _why_not(row, staff, now)
    if reason is None and row is not None:
        g.staff, g.staff_session = staff, row
        if staff_sessions.touch(db, row, now):
            db.commit()
        return staff
    if row is not None and row.ended_at is None:
        staff_sessions.end(db, row, reason or Ended.SIGNED_OUT, now)
        db.commit()
    # Only who signed in is forgotten: the form secret stays, so a sign-in form opened
    # before still works.
    for key in ("staff_id", "staff_version", "staff_session"):
        session.pop(key, None)
    g.signed_out = reason
    return None


@bp.before_request
def require_sign_in():
    """Every admin request: load the person, refuse the anonymous, check the form secret."""
    load_staff()
    if g.staff is None and request.endpoint not in PUBLIC_ENDPOINTS:
        notice = ENDED_NOTICES.get(g.get("signed_out"))
        if notice:
            flash(_(notice, hours=current_app.config["SESSION_ABSOLUTE_HOURS"]), "warning")
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    csrf.check()
    return None


def start_session(db: Session, staff: StaffUser, method: str) -> None:
    """Sign `staff` in in this browser, however they proved who they are (`method`:
    "password", "sso", or a password with a second factor): every sign-in path ends here. A
    fresh session row on the server and cookie (the staff language chosen before stays), a
    new form secret, and an audit row; the caller commits."""
    now = utcnow()
    earlier = staff_sessions.find(db, session.get("staff_session"))
    if earlier is not None:
        staff_sessions.end(db, earlier, Ended.REPLACED, now)
    _sign_in_keys_cleared()
    session.permanent = True
    session["staff_id"] = staff.id
    session["staff_version"] = staff.session_version
    session["staff_session"] = staff_sessions.start(db, staff, method, now)
    csrf.renew()
    audit.record(
        db,
        "signed_in",
        actor_type="staff",
        actor_id=staff.id,
        actor_name=staff.name,
        detail=method,
    )


def sign_out_everywhere(db: Session, staff: StaffUser, keep_this_browser: bool = False) -> None:
    """End every session of `staff` (a new password, a closed account, a reset second
    factor): the session version goes up and every row on the server ends; with
    `keep_this_browser`, the browser asking stays signed in. The caller commits."""
    staff.session_version += 1
    db.add(staff)
    keep = g.get("staff_session") if keep_this_browser else None
    staff_sessions.end_all(
        db, staff.id or 0, Ended.EVERYWHERE, utcnow(), keep_id=keep.id if keep else None
    )
    if keep is not None:
        session["staff_version"] = staff.session_version


def begin_second_factor(staff: StaffUser, next_page: str) -> None:
    """Half a sign-in: the password was right, a code is still needed. Nothing here signs
    anyone in; two_factor.pending_staff() reads it back for PENDING_MINUTES."""
    _sign_in_keys_cleared()
    session["pending_staff_id"] = staff.id
    session["pending_version"] = staff.session_version
    session["pending_since"] = utcnow().timestamp()
    session["pending_next"] = next_page
    csrf.renew()


def pending_staff(db: Session) -> StaffUser | None:
    """Who half signed in here with a right password and may now enter a code; None when
    no one did, or it was too long ago (then it is forgotten)."""
    staff_id = session.get("pending_staff_id")
    if staff_id is None:
        return None
    since = session.get("pending_since", 0)
    staff = db.get(StaffUser, staff_id)
    fresh = utcnow().timestamp() - since < PENDING_MINUTES * 60
    if staff and staff.active and fresh and staff.session_version == session.get("pending_version"):
        return staff
    _sign_in_keys_cleared()
    return None


def safe_next(target: str | None) -> str:
    """Only a path inside the admin page (or the start page), never another site."""
    if target:
        parts = urlsplit(target)
        inside = parts.path.startswith("/admin/") or parts.path == "/"
        if not parts.scheme and not parts.netloc and inside:
            return target
    return url_for("admin.today")


def recent_failures(column, value: str) -> int:
    """Wrong sign-in tries (passwords and codes) for this e-mail or address lately."""
    since = utcnow() - LOCKOUT
    return (
        get_session()
        .exec(
            select(func.count(col(LoginAttempt.id))).where(
                column == value, col(LoginAttempt.succeeded).is_(False), LoginAttempt.at >= since
            )
        )
        .one()
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form. Five wrong tries for one e-mail (or twenty from one address)
    within 15 minutes close sign-in for it for 15 minutes."""
    if g.staff is not None and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    form = Form()
    status = 200
    if request.method == "POST":
        email = form.text("email", required=True).lower()
        password = form.value("password")
        address = (request.remote_addr or "")[:64]
        if (
            recent_failures(LoginAttempt.email, email) >= MAX_FAILURES_PER_EMAIL
            or recent_failures(LoginAttempt.address, address) >= MAX_FAILURES_PER_ADDRESS
        ):
            form.fail("email", _("Too many wrong tries. Wait 15 minutes and try again."))
            status = 429
        else:
            db = get_session()
            staff = db.exec(select(StaffUser).where(StaffUser.email == email)).first()
            stored = (
                staff.password_hash
                if staff and staff.password_hash
                else _unknown_user_hash(current_app.config["SECRET_HASH_METHOD"])
            )
            matches = check_password_hash(stored, password)
            succeeded = bool(staff and staff.active and staff.password_hash and matches)
            db.add(LoginAttempt(email=email[:200], address=address, succeeded=succeeded))
            if staff is not None and succeeded:
                return _after_password(db, staff, safe_next(request.args.get("next")))
            db.commit()
            form.fail("password", _("The e-mail address or the password is wrong."))
            status = 401
    return render_template("admin/login.html", form=form), status


def _after_password(db: Session, staff: StaffUser, next_page: str):
    """A right password: signed in, or asked for a code (or to set up an authenticator)
    first when the person has a second factor or must have one."""
    earlier = staff_sessions.find(db, session.get("staff_session"))
    if earlier is not None:  # someone else signed in here before: that session ends now
        staff_sessions.end(db, earlier, Ended.REPLACED, utcnow())
    if second_factors.in_use(db, staff.id or 0):
        begin_second_factor(staff, next_page)
        db.commit()
        return redirect(url_for("admin.two_factor_code"))
    if second_factors.required_for(db, staff):
        begin_second_factor(staff, next_page)
        db.commit()
        return redirect(url_for("admin.two_factor_enrol"))
    start_session(db, staff, "password")
    db.commit()
    return redirect(next_page)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out: the session ends on the server, so a copy of the cookie is worthless too,
    and the browser's session is emptied (the language choice stays)."""
    row = g.get("staff_session")
    if row is not None:
        db = get_session()
        staff_sessions.end(db, row, Ended.SIGNED_OUT, utcnow())
        db.commit()
    _sign_in_keys_cleared()
    return redirect(url_for("admin.login"))


@bp.route("/language", methods=["POST"])
def choose_language():
    """Switch the staff interface between Swedish and English."""
    language = request.form.get("language")
    if language in STAFF_LANGUAGES:
        session["staff_language"] = language
    return redirect(safe_next(request.form.get("next")))
