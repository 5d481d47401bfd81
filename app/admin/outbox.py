"""Outbox: every planned and sent message, filtered; send a failed one again or stop one."""

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func
from sqlmodel import col, select

from app import access
from app.admin import bp
from app.admin.access import client_or_404, current_staff, record, today, visible_clients
from app.admin.auth import safe_next
from app.admin.words import _
from app.db import get_session
from app.errors import InvalidInput
from app.models import (
    Client,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
    Representative,
    SubjectType,
)
from app.outbox import message_control
from app.outbox.kinds import KINDS

PAGE_SIZE = 50


@bp.route("/outbox")
def outbox():
    """Messages of the clients the person handles, newest due time first."""
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")
    channel = request.args.get("channel", "")
    client_id = request.args.get("client_id", type=int)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    query = (
        select(OutboxMessage, Client)
        .join(Client, col(Client.id) == OutboxMessage.client_id)
        .where(
            visible_clients(current_staff(), today()),
            access.staff_client_outbox(current_staff(), today()),
        )
    )
    if status in set(OutboxStatus):
        query = query.where(OutboxMessage.status == status)
    if kind in KINDS:
        query = query.where(OutboxMessage.kind == kind)
    if channel in set(OutboxChannel):
        query = query.where(OutboxMessage.channel == channel)
    if client_id:
        query = query.where(OutboxMessage.client_id == client_id)
    total = get_session().exec(select(func.count()).select_from(query.subquery())).one()
    rows = (
        get_session()
        .exec(
            query.order_by(col(OutboxMessage.due_at).desc(), col(OutboxMessage.id).desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
        .all()
    )
    representatives = {
        r.id: r
        for r in get_session().exec(
            select(Representative).where(
                col(Representative.id).in_(
                    [m.representative_id for m, _c in rows if m.representative_id]
                )
            )
        )
    }
    filters = {"status": status, "kind": kind, "channel": channel, "client_id": client_id or ""}
    return render_template(
        "admin/outbox/list.html",
        rows=rows,
        representatives=representatives,
        filters=filters,
        statuses=list(OutboxStatus),
        kinds=[k for k in KINDS if not KINDS[k].reply],
        channels=list(OutboxChannel),
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


def _message_or_404(message_id: int) -> OutboxMessage:
    message = (
        get_session()
        .exec(
            select(OutboxMessage).where(
                OutboxMessage.id == message_id, access.staff_client_outbox(current_staff(), today())
            )
        )
        .first()
    )
    if message is None:
        abort(404)
    client_or_404(message.client_id)
    return message


def _act(message_id: int, action, audit_action: str, done: str):
    message = _message_or_404(message_id)
    try:
        action(get_session(), message)
    except InvalidInput as exc:
        flash(_(next(iter(exc.errors.values()))), "error")
    else:
        record(audit_action, client_id=message.client_id, subject_type=SubjectType.OUTBOX_MESSAGE,
               subject_id=message.id)  # fmt: skip
        get_session().commit()
        flash(done)
    return redirect(safe_next(request.form.get("back") or url_for("admin.outbox")))


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
def outbox_retry(message_id: int):
    """Send a failed message again; it is composed afresh."""
    return _act(message_id, message_control.send_again, "message_resent",
                _("The message will be sent again within a minute."))  # fmt: skip


@bp.route("/outbox/<int:message_id>/cancel", methods=["POST"])
def outbox_cancel(message_id: int):
    """Stop a message that has not gone out."""
    return _act(message_id, message_control.stop, "message_stopped",
                _("The message will not be sent."))  # fmt: skip


@bp.route("/outbox/<int:message_id>/reviewed", methods=["POST"])
def outbox_reviewed(message_id: int):
    """Take a failed message off the Today list."""
    return _act(message_id, message_control.mark_reviewed, "failure_seen", _("Marked as seen."))
