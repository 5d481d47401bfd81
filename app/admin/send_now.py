"""Send now: any message kind to one client or a chosen group, after a preview."""

import re
import secrets

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from app.admin import bp
from app.admin.access import client_or_404, current_staff, record, today, visible_clients
from app.admin.forms import Form
from app.admin.words import N_, _, ngettext
from app.casework import staff_messages
from app.db import get_session
from app.errors import InvalidInput
from app.models import Appointment, AppointmentStatus, Checklist, ChecklistStatus, Client, utcnow
from app.outbox import send_now as sending_now

# The form's one-time token (batch): a new one for each form shown, kept through the
# preview; everything the form sends carries it in its dedupe key (app/outbox/send_now.py).
FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,40}\Z")


def new_form_token() -> str:
    """A fresh token for a Send now form."""
    return secrets.token_hex(8)


CHOICE_LABELS = {
    "staff_message": N_("Your own words"),
    "appointment_reminder": N_("Reminder of the next meeting"),
    "checklist_reminder": N_("Reminder of missing documents"),
    "decision": N_("Summary of the latest decision"),
    "support_ending": N_("Notice that support is ending"),
    "handover": N_("Who the contact is now (handover notice)"),
    "welcome": N_("Welcome message"),
}
GROUPS = {
    "one": N_("One client"),
    "meeting_next_week": N_("My clients with a meeting next week"),
    "open_checklists": N_("My clients with documents missing"),
    "all": N_("All my clients"),
}


def _group(name: str, client_id: int | None) -> list[Client]:
    """The clients a group means, among those the person handles (consent given)."""
    staff = current_staff()
    query = select(Client).where(
        visible_clients(staff, today()),
        col(Client.consent_at).is_not(None),
        col(Client.opted_out_at).is_(None),
    )
    if name == "one":
        query = query.where(Client.id == client_id)
    elif name == "meeting_next_week":
        start, end = sending_now.next_week(today())
        query = query.where(
            col(Client.id).in_(
                select(Appointment.client_id).where(
                    Appointment.status == AppointmentStatus.PLANNED,
                    Appointment.starts_at >= start,
                    Appointment.starts_at < end,
                )
            )
        )
    elif name == "open_checklists":
        query = query.where(
            col(Client.id).in_(
                select(Checklist.client_id).where(Checklist.status == ChecklistStatus.OPEN)
            )
        )
    return list(get_session().exec(query.order_by(Client.first_name, Client.last_name)))


@bp.route("/send", methods=["GET", "POST"])
def send_now():
    """Choose what and to whom, preview who gets what, then send."""
    preset = request.args.get("client_id", type=int)
    if preset:
        client_or_404(preset)
    form = Form(
        None
        if request.method == "POST"
        else {
            "group": "one" if preset else "meeting_next_week",
            "client_id": preset or "",
            "choice": "staff_message" if preset else "appointment_reminder",
        }  # fmt: skip
    )
    own = _group("all", None)
    planned: list[sending_now.Planned] = []
    example: object = None
    batch = _batch_token(form)
    if request.method == "POST":
        planned, example, text = _planned(form, own)
        if form.ok and request.form.get("action") == "send":
            done = _send_and_say(form, planned, batch, text)
            if done is not None:
                return done
    return render_template(
        "admin/send_now/form.html",
        form=form,
        groups=[(k, _(v)) for k, v in GROUPS.items()],
        choices=[(k, _(v)) for k, v in CHOICE_LABELS.items()],
        own=[(str(c.id), f"{c.first_name} {c.last_name}".strip()) for c in own],
        planned=planned,
        example=example,
        batch=batch,
        max_length=staff_messages.MAX_LENGTH,
    )


def _batch_token(form: Form) -> str:
    """The form's own token (it keeps a resubmitted form from sending twice), or a new one;
    a token this page did not make is an error on the form."""
    batch = request.form.get("batch", "")
    if batch and not FORM_TOKEN.match(batch):  # not a token this page made
        form.fail("batch", _("This form is out of date. Check it and send again."))
    return batch if FORM_TOKEN.match(batch) else new_form_token()


def _planned(form: Form, own: list[Client]) -> tuple[list[sending_now.Planned], object, str]:
    """What the form asks to send, to whom: (the planned messages, an example of the typed
    words as the first client gets them, the typed words)."""
    db = get_session()
    group = form.choice("group", GROUPS)
    choice = form.choice("choice", sending_now.SENDABLE)
    client_id = None
    if group == "one":
        picked = form.choice("client_id", [str(c.id) for c in own])
        client_id = int(picked) if picked else None
    text = ""
    if choice == "staff_message":
        text = form.text("text", required=True, max_length=staff_messages.MAX_LENGTH)
    planned, example = [], None
    if form.ok:
        now = utcnow()
        planned = [sending_now.resolve(db, c, choice, now) for c in _group(group, client_id)]
        if not planned:
            form.fail("group", _("Nobody in this group can get messages now."))
        elif choice == "staff_message":
            example = staff_messages.preview(
                db, planned[0].client, text=text, author=current_staff(), now=now
            )
    return planned, example, text


def _send_and_say(form: Form, planned: list[sending_now.Planned], batch: str, text: str):
    """Send what was previewed and go to the outbox, or put what is wrong on the form
    (None: show the form again)."""
    db = get_session()
    try:
        sent = _send(planned, batch, text)
    except InvalidInput as exc:
        db.rollback()
        form.absorb(exc)
        return None
    except (sending_now.AlreadySent, IntegrityError):
        # A double click, a resubmit, or both at once: the first one sent it.
        db.rollback()
        flash(_("This was already sent. It was not sent again."))
        return redirect(url_for("admin.outbox"))
    flash(ngettext("%(num)d message is on its way.", "%(num)d messages are on their way.", sent))
    return redirect(url_for("admin.outbox"))


def _send(planned: list, batch: str, text: str) -> int:
    db = get_session()
    staff = current_staff()
    now = utcnow()
    count = 0
    for item in planned:
        if item.kind is None:
            continue
        sending_now.send(db, item, batch=batch, author=staff, text=text, now=now)
        record("sent_now", client_id=item.client.id, detail=item.kind)
        count += 1
    db.commit()
    return count
