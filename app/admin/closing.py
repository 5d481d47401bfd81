"""Closing a client who is no longer a client, from their page: their case worker (or a
stand-in) or an administrator, after saying they mean it (app/casework/closing.py)."""

from flask import current_app, flash, redirect, request, url_for

from app import access
from app.admin import bp
from app.admin.access import client_or_404, current_staff
from app.admin.words import _
from app.casework import closing
from app.db import get_session
from app.models import Client, utcnow


def _number(value: str | None) -> int:
    """A whole number from the form; 0 when missing or not a number."""
    return int(value) if value and value.isdigit() and len(value) < 6 else 0


def closing_view(client: Client) -> dict:
    """What the client page shows about closing: whether the signed-in person may take a
    register extract (the access rule), and when a closed client's data is deleted."""
    still_open = None
    if client.closed_at is None:
        still_open = closing.open_requests(get_session(), client, utcnow())
    return {
        "may_take_register_extract": access.may_take_register_extract(current_staff(), client),
        "deletion": closing.deletion_dates(client, current_app.config),
        "still_open": still_open,
    }


@bp.route("/clients/<int:client_id>/close", methods=["POST"])
def client_close(client_id: int):
    """Close the client: nothing more is sent, their links stop, and their records are
    deleted when the retention periods have run from today."""
    found = client_or_404(client_id, closed=True)
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to say the person is no longer a client."), "error")
        return redirect(url_for("admin.client", client_id=found.id) + "#closing")
    staff = current_staff()
    session = get_session()
    # The staff close knowing what the client still waits for: the page lists it and asks
    # for a second tick; something new since the page was shown sends them back to look.
    still_open = closing.open_requests(session, found, utcnow()).count
    if still_open and request.form.get("confirm_open") != "yes":
        flash(_("Tick that you have seen what is still open."), "error")
        return redirect(url_for("admin.client", client_id=found.id) + "#closing")
    if still_open > _number(request.form.get("open_seen")):
        flash(_("Something more came in since the page was shown: look at it again."), "error")
        return redirect(url_for("admin.client", client_id=found.id) + "#closing")
    if closing.close(session, found, actor_type="staff", actor_id=staff.id, actor_name=staff.name):
        session.commit()
        flash(_("The client is closed. Nothing more is sent to them or their representatives."))
    return redirect(url_for("admin.client", client_id=found.id))


@bp.route("/clients/<int:client_id>/reopen", methods=["POST"])
def client_reopen(client_id: int):
    """Make a closed client a client again (closed by mistake, or back before deletion)."""
    found = client_or_404(client_id, closed=True)
    staff = current_staff()
    session = get_session()
    try:
        reopened = closing.reopen(
            session, found, actor_type="staff", actor_id=staff.id, actor_name=staff.name
        )
    except closing.NumberTaken:
        session.rollback()
        flash(
            _(
                "Another client now has this phone number (numbers are recycled). "
                "Give one of them another number before reopening."
            ),
            "error",
        )
        return redirect(url_for("admin.client", client_id=found.id) + "#closing")
    if reopened:
        session.commit()
        flash(_("The client is a client again. Reminders for meetings ahead are planned anew."))
    return redirect(url_for("admin.client", client_id=found.id))
