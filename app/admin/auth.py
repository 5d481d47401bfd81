"""Signing in and out, the rule that every admin page needs a signed-in person,
and the slowing down of password guessing."""

from datetime import timedelta
from functools import lru_cache, wraps
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from sqlmodel import Session, col, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app import audit
from app.admin import bp, csrf
from app.admin.forms import Form
from app.admin.words import STAFF_LANGUAGES, _
from app.db import get_session
from app.models import LoginAttempt, StaffRole, StaffUser, utcnow
from app.security import hash_secret

PUBLIC_ENDPOINTS = {"admin.login", "admin.choose_language"}
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


def load_staff() -> StaffUser | None:
    """The signed-in person (g.staff), or None: a session of a deactivated account, or one
    from before a password change, signs out."""
    g.staff = None
    staff_id = session.get("staff_id")
    if staff_id is not None:
        staff = get_session().get(StaffUser, staff_id)
        if staff and staff.active and staff.session_version == session.get("staff_version"):
            g.staff = staff
        else:
            session.pop("staff_id", None)
    return g.staff


@bp.before_request
def require_sign_in():
    """Every admin request: load the person, refuse the anonymous, check the form secret."""
    load_staff()
    if g.staff is None and request.endpoint not in PUBLIC_ENDPOINTS:
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    csrf.check()
    return None


def start_session(db: Session, staff: StaffUser, method: str) -> None:
    """Sign `staff` in in this browser, however they proved who they are (`method`:
    "password" or "sso"): every sign-in path ends here. A fresh session (the staff language
    chosen before stays), a new form secret, and an audit row; the caller commits."""
    language = session.get("staff_language")
    session.clear()
    session.permanent = True
    session["staff_id"] = staff.id
    session["staff_version"] = staff.session_version
    if language in STAFF_LANGUAGES:
        session["staff_language"] = language
    csrf.renew()
    audit.record(
        db,
        "signed_in",
        actor_type="staff",
        actor_id=staff.id,
        actor_name=staff.name,
        detail=method,
    )


def safe_next(target: str | None) -> str:
    """Only a path inside the admin page (or the start page), never another site."""
    if target:
        parts = urlsplit(target)
        inside = parts.path.startswith("/admin/") or parts.path == "/"
        if not parts.scheme and not parts.netloc and inside:
            return target
    return url_for("admin.today")


def _recent_failures(column, value: str) -> int:
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
            _recent_failures(LoginAttempt.email, email) >= MAX_FAILURES_PER_EMAIL
            or _recent_failures(LoginAttempt.address, address) >= MAX_FAILURES_PER_ADDRESS
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
                start_session(db, staff, "password")
                db.commit()
                return redirect(safe_next(request.args.get("next")))
            db.commit()
            form.fail("password", _("The e-mail address or the password is wrong."))
            status = 401
    return render_template("admin/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out: the session is emptied (the language choice stays)."""
    language = session.get("staff_language")
    session.clear()
    if language:
        session["staff_language"] = language
    return redirect(url_for("admin.login"))


@bp.route("/language", methods=["POST"])
def choose_language():
    """Switch the staff interface between Swedish and English."""
    language = request.form.get("language")
    if language in STAFF_LANGUAGES:
        session["staff_language"] = language
    return redirect(safe_next(request.form.get("next")))
