"""GET /: the start page. What Tydligt is, the way in for staff (in Swedish or English),
and, where messages are only written to a file (the console transport), the phone
simulator that shows what a client would get."""

from flask import Blueprint, Response, render_template

from app.admin import SECURITY_HEADERS, simulator_enabled
from app.admin.auth import load_staff

bp = Blueprint("start", __name__)


@bp.after_request
def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


@bp.get("/")
def start() -> str:
    """The start page; a signed-in person is offered Today instead of the sign-in."""
    return render_template(
        "admin/start.html", signed_in=load_staff() is not None, simulator=simulator_enabled()
    )
