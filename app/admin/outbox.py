"""Outbox: every planned and sent message, searched by client, kind, state, channel and
dates; one message with its text; send a failed one again or stop one."""

from datetime import date, datetime, time, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func
from sqlmodel import col, select

from app import access
from app.admin import bp
from app.admin.access import client_or_404, current_staff, record, today, visible_clients
from app.admin.auth import safe_next
from app.admin.clients import _search as client_search  # the clients page's search, not a copy
from app.admin.forms import Form, page_number, row_id
from app.admin.labels import kind_label, options
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
    UTCDateTime,
)
from app.outbox import message_control
from app.outbox.kinds import KINDS
from app.outbox.planner import local_zone

PAGE_SIZE = 50
FILTERS = ("q", "status", "kind", "channel", "from", "to", "client_id")


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=local_zone())


def _search(form: Form):
    """The outbox query for the search in `form` (errors recorded in it, their filter left
    out): messages of the clients the person may see, never the managers' answers to
    complaints about a client they handle (the access rule)."""
    staff = current_staff()
    query = (
        select(OutboxMessage, Client)
        .join(Client, col(Client.id) == OutboxMessage.client_id)
        .where(
            visible_clients(staff, today()),
            access.staff_client_outbox(staff, today()),
        )
    )
    words = form.text("q", max_length=100)
    if words:
        query = query.where(client_search(words))
    status = form.choice("status", list(OutboxStatus), required=False)
    if status and "status" not in form.errors:
        query = query.where(OutboxMessage.status == status)
    kind = form.choice("kind", list(KINDS), required=False)
    if kind and "kind" not in form.errors:
        query = query.where(OutboxMessage.kind == kind)
    channel = form.choice("channel", list(OutboxChannel), required=False)
    if channel and "channel" not in form.errors:
        query = query.where(OutboxMessage.channel == channel)
    if form.value("client_id"):  # a link from a client's page; an odd one matches nobody
        query = query.where(OutboxMessage.client_id == (row_id(form.value("client_id")) or 0))
    # A message's day: when it went out, or (not yet sent) when it is due, in the unit's zone.
    moment = func.coalesce(OutboxMessage.sent_at, OutboxMessage.due_at, type_=UTCDateTime)
    first, last = form.day("from", required=False), form.day("to", required=False)
    if first and last and last < first:
        form.fail("to", _("The last day is before the first."))
        last = None
    if first:
        query = query.where(moment >= _local_midnight(first))
    if last:
        query = query.where(moment < _local_midnight(last + timedelta(days=1)))
    return query


@bp.route("/outbox")
def outbox():
    """Messages of the clients the person handles, newest due time first, searched."""
    form = Form(request.args)
    query = _search(form)
    page = page_number(request.args.get("page"))
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
    filters = {name: form.value(name) for name in FILTERS if form.value(name)}
    return render_template(
        "admin/outbox/list.html",
        form=form,
        rows=rows,
        representatives=_representatives([m.representative_id for m, _c in rows]),
        filters=filters,
        status_options=options(*OutboxStatus),
        kind_options=[(k, kind_label(k)) for k in KINDS if not KINDS[k].reply],
        channel_options=options(*OutboxChannel),
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


def _representatives(ids: list[int | None]) -> dict[int, Representative]:
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    found = select(Representative).where(col(Representative.id).in_(wanted))
    return {saved: r for r in get_session().exec(found) if (saved := r.id) is not None}


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


@bp.route("/outbox/<int:message_id>")
def outbox_message(message_id: int):
    """One message and its text, for staff who may see the client's messages (the view
    of the client is audited, as on the client page)."""
    message = _message_or_404(message_id)
    session = get_session()
    client = session.get_one(Client, message.client_id)
    representative = (
        session.get(Representative, message.representative_id)
        if message.representative_id
        else None
    )
    parts = list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.first_part_id == message.id)
            .order_by(col(OutboxMessage.part))
        )
    )
    return render_template(
        "admin/outbox/message.html",
        message=message,
        client=client,
        representative=representative,
        parts=parts,
    )


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
