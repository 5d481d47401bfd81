"""Cross-site request forgery protection for every admin form: a secret per session."""

import hmac
import secrets

from flask import abort, request, session
from markupsafe import Markup, escape

FIELD = "csrf_token"


def token() -> str:
    """This session's form secret, created on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def renew() -> None:
    """A new secret, at sign-in, so a token seen before signing in is worthless after."""
    session["csrf"] = secrets.token_urlsafe(32)


def hidden_field() -> Markup:
    """The hidden input every admin form carries."""
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(token())}">')


def check() -> None:
    """Refuse a state-changing request whose token is missing or wrong (400)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.form.get(FIELD, "") or request.headers.get("X-CSRF-Token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description="csrf")
