"""Inbox: what clients and representatives sent; answering, marking handled, and undoing
it right after (or later, from the text itself)."""

import time
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from sqlalchemy import func
from sqlmodel import col, select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from app.admin import answers, bp
from app.admin.access import (
    current_staff,
    is_manager,
    record,
    row_or_404,
    today,
    visible_rows,
)
from app.admin.auth import safe_next
from app.admin.client_page import timeline
from app.admin.forms import Form, page_number, row_id
from app.admin.words import N_, _
from app.casework import applications, staff_messages
from app.casework.contacts import current_contact
from app.db import get_session
from app.errors import InvalidInput
from app.models import (
    Application,
    CallbackRequest,
    Client,
    InboundMessage,
    SubjectType,
    saved_id,
    utcnow,
)
from app.outbox import message_control
from app.outbox.planner import local_date

PAGE_SIZE = 50
STATES = ("waiting", "handled", "all")
MANAGERS = "managers"  # complaints and requests for another case worker, for managers

# "Undo" is offered on the page a person lands on right after marking, for a while.
UNDO_OFFERED_FOR_SECONDS = 10 * 60
UNDO_PAGES = ("admin.today", "admin.inbox", "admin.inbox_message")
UNDO_DONE = {
    "handled": N_("Marked as handled."),
    "called": N_("Marked as called."),
    "answered": N_("Your answer is on its way to %(name)s. The text is marked as handled."),
}
UNDO_URL = {"inbound": "admin.inbox_reopen", "callback": "admin.callback_reopen"}
# After an answer was sent, "Undo" could be read as taking the answer back: say what it does.
UNDO_BUTTON = {"answered": N_("Keep the text waiting")}


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
    manager = is_manager()
    states = STATES + ((MANAGERS,) if manager else ())
    state = request.args.get("state", "waiting")
    state = state if state in states else "waiting"
    page = page_number(request.args.get("page"))
    query = _visible(select(InboundMessage, Client), InboundMessage)
    if state == "waiting":
        query = query.where(
            col(InboundMessage.needs_answer).is_(True), col(InboundMessage.handled_at).is_(None)
        )
    elif state == "handled":
        query = query.where(col(InboundMessage.handled_at).is_not(None))
    elif state == MANAGERS:
        query = query.where(col(InboundMessage.for_managers).is_(True))
    total = get_session().exec(select(func.count()).select_from(query.subquery())).one()
    rows = (
        get_session()
        .exec(
            query.order_by(col(InboundMessage.received_at).desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
        .all()
    )
    return render_template(
        "admin/inbox/list.html",
        undo=undo_offer(),
        rows=rows,
        state=state,
        states=states,
        manager=manager,
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
    now = utcnow()
    reads = staff_messages.reader_language(client, representative) if client else "sv"
    form = Form(
        None
        if request.method == "POST"
        else answers.initial(db, client, reads, now)
        if client
        else {"mark_handled": "1"}
    )
    preview = None
    if request.method == "POST" and client is not None:
        answer, text = answers.read_answer(form, db, client, now)
        if form.ok and request.form.get("action") == "send":
            try:
                staff_messages.send(
                    db, client, text=text, author=current_staff(), in_reply_to=inbound,
                    answer=answer, now=now,
                )  # fmt: skip
            except InvalidInput as exc:
                form.absorb(exc)
            else:
                handled = form.boolean("mark_handled")
                if handled:
                    message_control.mark_handled(db, inbound, saved_id(current_staff()))
                    _record_handled(inbound, client)
                record(
                    "staff_message_sent",
                    client_id=client.id,
                    subject_type=SubjectType.INBOUND_MESSAGE,
                    subject_id=inbound.id,
                    detail=answer.kind if answer else "",
                )
                db.commit()
                back = url_for("admin.inbox")
                if handled:
                    _done(back, "inbound", inbound, "answered", name=recipient)
                else:
                    flash(_("Your answer is on its way to %(name)s.", name=recipient))
                return redirect(back)
        if form.ok:
            preview = answers.preview(
                db, client, answer=answer, text=text, author=current_staff(), now=now,
                in_reply_to=inbound,
            )  # fmt: skip
    return render_template(
        "admin/inbox/message.html",
        undo=undo_offer(),
        inbound=inbound,
        client=client,
        representative=representative,
        form=form,
        preview=preview,
        conversation=timeline(db, client, current_staff())[:12] if client else [],
        max_length=staff_messages.MAX_LENGTH,
        reads=reads,
        answer_form=answers.form_options(db, client, now) if client else None,
        # The client's own words may be their comment on an application sent for it:
        # staff who read them say so (the words themselves are never read by the system).
        awaiting_comment=applications.awaiting_comment(db, saved_id(client))
        if client and not inbound.for_managers
        else [],
    )


@bp.route("/inbox/<int:message_id>/handled", methods=["POST"])
def inbox_handled(message_id: int):
    """Mark a text as dealt with; the page after offers to undo it."""
    inbound, client = _inbound_or_404(message_id)
    message_control.mark_handled(get_session(), inbound, saved_id(current_staff()))
    _record_handled(inbound, client)
    get_session().commit()
    back = safe_next(request.form.get("back"))
    _done(back, "inbound", inbound, "handled")
    return redirect(back)


@bp.route("/inbox/<int:message_id>/comment", methods=["POST"])
def inbox_comment(message_id: int):
    """Record the text as the client's comment on an application sent for their comment,
    as the application page's button does: no reminder to comment goes out."""
    inbound, client = _inbound_or_404(message_id)
    db = get_session()
    found = db.get(Application, row_id(request.form.get("application_id")) or 0)
    # A text for the managers is a complaint or a request, not a comment on the case.
    if client is None or inbound.for_managers or found is None or found.client_id != client.id:
        abort(404)
    back = url_for("admin.inbox_message", message_id=inbound.id)
    if not applications.comment_received(db, found, on=local_date(inbound.received_at)):
        flash(_("Nothing changed: the application is not waiting for a comment."))
        return redirect(back)
    record("application_commented", client_id=client.id, subject_type=SubjectType.APPLICATION,
           subject_id=found.id, detail=f"inbound:{inbound.id}")  # fmt: skip
    db.commit()
    flash(_("Saved as the client's comment. No reminder to comment is sent."))
    return redirect(back)


@bp.route("/inbox/<int:message_id>/reopen", methods=["POST"])
def inbox_reopen(message_id: int):
    """Undo "handled": the text waits for an answer again (whoever may mark it may undo
    it: the same access rule)."""
    inbound, client = _inbound_or_404(message_id)
    _reopen(inbound, client, "inbound_reopened", SubjectType.INBOUND_MESSAGE)
    return redirect(safe_next(request.form.get("back")))


@bp.route("/inbox/<int:message_id>/pass-on", methods=["POST"])
def inbox_pass_on(message_id: int):
    """A manager passes a complaint or request on to the client's case worker: it leaves
    the managers' list and shows in the case worker's inbox like any text."""
    inbound, client = _inbound_or_404(message_id)
    if not inbound.for_managers or client is None:
        abort(404)  # only the managers' texts are passed on, and only managers see them
    staff = current_contact(get_session(), client, today()).staff
    inbound.for_managers = False
    inbound.assigned_staff_id = staff.id if staff else None
    get_session().add(inbound)
    record(
        "complaint_passed_on",
        client_id=client.id,
        subject_type=SubjectType.INBOUND_MESSAGE,
        subject_id=inbound.id,
        detail=f"to staff {staff.id}" if staff else "to no one",
    )
    get_session().commit()
    flash(_("Passed on to %(name)s.", name=staff.name) if staff else _("Passed on."))
    return redirect(url_for("admin.today"))


@bp.route("/callbacks/<int:request_id>/handled", methods=["POST"])
def callback_handled(request_id: int):
    """Mark a callback request as called; Today then offers to undo it."""
    callback, client = row_or_404(CallbackRequest, request_id)
    message_control.mark_handled(get_session(), callback, saved_id(current_staff()))
    record("callback_handled", client_id=client.id if client else None,
           subject_type=SubjectType.CALLBACK, subject_id=callback.id)  # fmt: skip
    get_session().commit()
    back = url_for("admin.today")
    _done(back, "callback", callback, "called")
    return redirect(back)


@bp.route("/callbacks/<int:request_id>/reopen", methods=["POST"])
def callback_reopen(request_id: int):
    """Undo "called": the request waits on Today again."""
    callback, client = row_or_404(CallbackRequest, request_id)
    _reopen(callback, client, "callback_reopened", SubjectType.CALLBACK)
    return redirect(safe_next(request.form.get("back")))


def _record_handled(inbound: InboundMessage, client: Client | None) -> None:
    record("inbound_handled", client_id=client.id if client else None,
           subject_type=SubjectType.INBOUND_MESSAGE, subject_id=inbound.id)  # fmt: skip


def _reopen(
    item: InboundMessage | CallbackRequest, client: Client | None, action: str, subject: str
) -> None:
    """Undo handled, audited like marking it; nothing to undo for a row still waiting."""
    if item.handled_at is None:
        flash(_("It is already waiting."))
        return
    message_control.reopen(get_session(), item)
    record(action, client_id=client.id if client else None, subject_type=subject,
           subject_id=item.id)  # fmt: skip
    get_session().commit()
    flash(_("Waiting again."))


def _lands_on_undo_page(target: str) -> bool:
    """Whether the page at `target` shows the offer to undo (see undo_offer)."""
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(urlsplit(target).path, method="GET")
    except (HTTPException, RoutingException):
        return False
    return endpoint in UNDO_PAGES


def _done(
    back: str, what: str, item: InboundMessage | CallbackRequest, done: str, **values: str
) -> None:
    """Say what was done on the next page, with a way to undo it where that page shows one
    (Today and the inbox), else as a plain notice."""
    if not _lands_on_undo_page(back):
        flash(_(UNDO_DONE[done], **values))
        return
    session["undo"] = {
        "what": what,
        "id": item.id,
        "done": done,
        "values": values,
        "at": time.time(),
    }


def undo_offer() -> dict | None:
    """The offer to undo what this person marked just before, once: the notice's words and
    the address the undo form posts to (the undo itself asks the access rule again)."""
    offer = session.pop("undo", None)
    if not offer or time.time() - offer.get("at", 0) > UNDO_OFFERED_FOR_SECONDS:
        return None
    if offer.get("what") not in UNDO_URL or offer.get("done") not in UNDO_DONE:
        return None
    id_key = "message_id" if offer["what"] == "inbound" else "request_id"
    done = UNDO_DONE[offer["done"]]
    button = UNDO_BUTTON.get(offer["done"], N_("Undo"))
    return {
        "text": _(done, **offer.get("values", {})),
        "button": _(button),
        "url": url_for(UNDO_URL[offer["what"]], **{id_key: offer["id"]}),
    }
