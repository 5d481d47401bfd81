"""GET /: the start page. What Tydligt is, the way in for staff (in Swedish or English),
and, where messages are only written to a file (the console transport), the phone
simulator that shows what a client would get."""

from flask import Blueprint, render_template

from app.admin import security_headers, simulator_enabled
from app.admin.auth import load_staff

bp = Blueprint("start", __name__)
bp.after_request(security_headers)


@bp.get("/")
def start() -> str:
    """The start page; a signed-in person is offered Today instead of the sign-in."""
    return render_template(
        "admin/start.html", signed_in=load_staff() is not None, simulator=simulator_enabled()
    )
