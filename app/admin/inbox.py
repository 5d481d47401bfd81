"""Inbox: what clients and representatives sent; answering, and marking handled."""

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func
from sqlmodel import select

from app import message_control, staff_messages
from app.admin import bp
from app.admin.access import current_staff, record, row_or_404, today, visible_rows
from app.admin.auth import safe_next
from app.admin.client_page import timeline
from app.admin.forms import Form
from app.admin.words import _
from app.db import get_session
from app.errors import InvalidInput
from app.models import CallbackRequest, Client, InboundMessage, utcnow

PAGE_SIZE = 50
STATES = ("waiting", "handled", "all")


def _visible(query, model):
    """Rows about clients the person handles, and rows from unknown numbers that reached
    the person's unit."""
    return query.outerjoin(Client, Client.id == model.client_id).where(
        visible_rows(model, current_staff(), today())
    )


def _inbound_or_404(message_id: int) -> tuple[InboundMessage, Client | None]:
    return row_or_404(InboundMessage, message_id)


@bp.route("/inbox")
def inbox():
    """Texts received, newest first; by default only those waiting for an answer."""
    state = request.args.get("state", "waiting")
    state = state if state in STATES else "waiting"
    page = max(1, request.args.get("page", 1, type=int) or 1)
    query = _visible(select(InboundMessage, Client), InboundMessage)
    if state == "waiting":
        query = query.where(
            InboundMessage.needs_answer.is_(True), InboundMessage.handled_at.is_(None)
        )
    elif state == "handled":
        query = query.where(InboundMessage.handled_at.is_not(None))
    total = get_session().exec(select(func.count()).select_from(query.subquery())).one()
    rows = (
        get_session()
        .exec(
            query.order_by(InboundMessage.received_at.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
        .all()
    )
    return render_template(
        "admin/inbox/list.html",
        rows=rows,
        state=state,
        states=STATES,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        total=total,
    )


@bp.route("/inbox/<int:message_id>", methods=["GET", "POST"])
def inbox_message(message_id: int):
    """One text, the conversation around it, and the answer form (Preview, then Send)."""
    inbound, client = _inbound_or_404(message_id)
    db = get_session()
    # An answer goes to whoever wrote: the client, or their representative.
    representative = staff_messages.recipient_representative(db, inbound)
    recipient = representative.name if representative else (client.first_name if client else "")
    form = Form(None if request.method == "POST" else {"mark_handled": "1"})
    preview = None
    if request.method == "POST" and client is not None:
        text = form.text("text", required=True, max_length=staff_messages.MAX_LENGTH)
        if form.ok and request.form.get("action") == "send":
            try:
                staff_messages.send(
                    db, client, text=text, author=current_staff(), in_reply_to=inbound
                )
            except InvalidInput as exc:
                form.absorb(exc)
            else:
                if form.boolean("mark_handled"):
                    message_control.mark_handled(db, inbound, current_staff().id)
                record("staff_message_sent", client_id=client.id, subject_type="inbound_message",
                       subject_id=inbound.id)  # fmt: skip
                db.commit()
                flash(_("Your answer is on its way to %(name)s.", name=recipient))
                return redirect(url_for("admin.inbox"))
        if form.ok:
            preview = staff_messages.preview(
                db, client, text=text, author=current_staff(), now=utcnow(), in_reply_to=inbound
            )
    return render_template(
        "admin/inbox/message.html",
        inbound=inbound,
        client=client,
        representative=representative,
        form=form,
        preview=preview,
        conversation=timeline(db, client)[:12] if client else [],
        max_length=staff_messages.MAX_LENGTH,
    )


@bp.route("/inbox/<int:message_id>/handled", methods=["POST"])
def inbox_handled(message_id: int):
    """Mark a text as dealt with (or, with undo, as waiting again)."""
    inbound, client = _inbound_or_404(message_id)
    if request.form.get("undo"):
        message_control.reopen(get_session(), inbound)
    else:
        message_control.mark_handled(get_session(), inbound, current_staff().id)
    record("inbound_handled", client_id=client.id if client else None,
           subject_type="inbound_message", subject_id=inbound.id)  # fmt: skip
    get_session().commit()
    flash(_("Marked as handled.") if not request.form.get("undo") else _("Waiting again."))
    return redirect(safe_next(request.form.get("back")))


@bp.route("/callbacks/<int:request_id>/handled", methods=["POST"])
def callback_handled(request_id: int):
    """Mark a callback request as called."""
    callback, client = row_or_404(CallbackRequest, request_id)
    message_control.mark_handled(get_session(), callback, current_staff().id)
    record("callback_handled", client_id=client.id if client else None,
           subject_type="callback_request", subject_id=callback.id)  # fmt: skip
    get_session().commit()
    flash(_("Marked as called."))
    return redirect(url_for("admin.today"))
