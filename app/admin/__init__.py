"""The staff admin page at /admin/: one blueprint, a small module per area."""

from flask import Blueprint, Flask, Response, abort, g, render_template, request
from werkzeug.exceptions import HTTPException

from app import access as access_rule  # not `access`: app.admin.access takes that name
from app.errors import N_

bp = Blueprint("admin", __name__, url_prefix="/admin")

# Areas in the order the navigation shows them: (endpoint, label msgid, admins only).
NAVIGATION = (
    ("admin.today", N_("Today"), False),
    ("admin.week", N_("Week"), False),
    ("admin.clients", N_("Clients"), False),
    ("admin.inbox", N_("Inbox"), False),
    ("admin.outbox", N_("Outbox"), False),
    ("admin.send_now", N_("Send now"), False),
    ("admin.feedback", N_("Feedback"), False),
    ("admin.outcomes", N_("Outcomes"), False),  # the unit's managers (the access rule)
    ("admin.settings", N_("Settings"), True),
    ("admin.staff_accounts", N_("Staff"), True),
    ("admin.api_keys", N_("API keys"), True),
    ("admin.recordings", N_("Recordings"), True),
    ("admin.simulator", N_("Phone simulator"), False),
    ("admin.my_alerts", N_("My alerts"), False),
)


def _navigation() -> list[dict]:
    from flask import current_app

    staff = g.get("staff")
    if staff is None:
        return []
    items = []
    for endpoint, label, admins_only in NAVIGATION:
        if endpoint not in current_app.view_functions:
            continue
        if endpoint == "admin.simulator" and not simulator_enabled():
            continue
        if endpoint == "admin.outcomes" and not access_rule.may_see_unit_outcomes(
            staff, staff.unit_id
        ):
            continue
        if admins_only and staff.role != "admin":
            continue
        items.append({"endpoint": endpoint, "label": label})
    return items


def simulator_enabled() -> bool:
    """The phone simulator exists only with the console transport, never in production."""
    from flask import current_app

    return current_app.config["SMS_TRANSPORT"] == "console"


# Confidential pages: never cached, never framed by others, no outside resources.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


@bp.after_request
def security_headers(response: Response) -> Response:
    """The headers every staff page sends (the admin pages and the start page)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


@bp.url_value_preprocessor
def _no_impossible_ids(endpoint: str | None, values: dict | None) -> None:
    """An id in the path that no database integer holds (/admin/outbox/99999999999999999999)
    names nothing: 404, before a query fails on it."""
    from app.admin.forms import MAX_ID

    if any(isinstance(v, int) and v > MAX_ID for v in (values or {}).values()):
        abort(404)


# By status too: the app's own 404 and 405 handlers (app/api) would otherwise come first.
@bp.errorhandler(404)
@bp.errorhandler(405)
@bp.errorhandler(HTTPException)
def _error_page(error: HTTPException):
    """Admin errors as pages in the admin's look, with a way back."""
    if error.code in (301, 302, 303, 307, 308) or request.blueprint != "admin":
        return error
    expired = error.code == 400 and error.description == "csrf"
    return render_template("admin/error.html", error=error, expired=expired), error.code


def init_app(app: Flask) -> None:
    """Register the admin page and its staff words."""
    from app.admin import csrf, forms, labels, words

    words.init_app(app)
    labels.init_app(app)
    # Globals, not a context processor: imported macros (components.html) see them too.
    app.jinja_env.globals.update(
        navigation=_navigation, csrf_field=csrf.hidden_field, errors_on_page=forms.errors_on_page
    )
    from app.admin import (  # noqa: F401 - each module adds its routes to bp
        absence_meetings,
        alerts,
        api_keys,
        applications,
        appointments,
        attendance,
        auth,
        checklists,
        clients,
        closing,
        decisions,
        feedback,
        handovers,
        inbox,
        media,
        outbox,
        outcomes,
        recording_uploads,
        recordings,
        register_extract,
        representatives,
        send_now,
        settings,
        sign_language,
        simulator,
        sso,
        staff_accounts,
        support_offers,
        today,
        two_factor,
        webhooks,
        week,
    )

    app.register_blueprint(bp)
    from app.admin import start

    app.register_blueprint(start.bp)
