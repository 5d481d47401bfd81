"""Send now: any message kind to one client or a chosen group, after a preview that shows
the text each recipient gets (the client, by each channel, and every representative's copy),
in their language with the Swedish beside it for staff."""

import hashlib
import hmac
import json
import re
import secrets
from datetime import datetime
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.admin import bp
from app.admin.access import client_or_404, current_staff, record, today, visible_clients
from app.admin.forms import Form
from app.admin.words import N_, _, ngettext
from app.casework import staff_messages
from app.db import get_session
from app.errors import InvalidInput
from app.models import (
    Appointment,
    AppointmentStatus,
    Checklist,
    ChecklistStatus,
    Client,
    Representative,
    StaffUser,
    utcnow,
)
from app.outbox import send_now as sending_now
from app.outbox import subjects
from app.outbox.facts import base_facts
from app.outbox.planner import reminder_channels, representatives_for
from app.pages import links
from app.words.compose import compose
from app.words.languages import SOURCE_LANGUAGE, get_language

# Why a Send sent nothing: the form no longer says what its preview showed.
CHANGED = N_(
    "What would be sent has changed since your preview. Check the new preview before you send."
)
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
    """Choose what and to whom, preview the text each recipient gets, then send exactly
    that: a Send whose preview no longer matches the form shows the new preview instead."""
    preset = request.args.get("client_id", type=int)
    chosen = client_or_404(preset) if preset else None
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
    previews: list[dict] = []
    notice = None
    batch = _batch_token(form)
    if request.method == "POST":
        planned, text = _planned(form, own)
        if form.ok:
            previews = _what_each_gets(planned, text, utcnow())
        if form.ok and request.form.get("action") == "send":
            seen = request.form.get("previewed", "")
            if hmac.compare_digest(seen, _fingerprint(previews)):
                done = _send_and_say(form, planned, batch, text)
                if done is not None:
                    return done
            elif seen:  # without a preview, the preview is simply shown first
                notice = _(CHANGED)
    return render_template(
        "admin/send_now/form.html",
        form=form,
        groups=[(k, _(v)) for k, v in GROUPS.items()],
        choices=[(k, _(v)) for k, v in CHOICE_LABELS.items()],
        own=[(str(c.id), f"{c.first_name} {c.last_name}".strip()) for c in own],
        planned=planned,
        previews=previews,
        previewed=_fingerprint(previews) if previews else "",
        notice=notice,
        batch=batch,
        max_length=staff_messages.MAX_LENGTH,
        chosen=chosen,
    )


def _batch_token(form: Form) -> str:
    """The form's own token (it keeps a resubmitted form from sending twice), or a new one;
    a token this page did not make is an error on the form."""
    batch = request.form.get("batch", "")
    if batch and not FORM_TOKEN.match(batch):  # not a token this page made
        form.fail("batch", _("This form is out of date. Check it and send again."))
    return batch if FORM_TOKEN.match(batch) else new_form_token()


def _planned(form: Form, own: list[Client]) -> tuple[list[sending_now.Planned], str]:
    """What the form asks to send, to whom: (the planned messages, the typed words)."""
    db = get_session()
    group = _required_choice(form, "group", GROUPS, _("Choose who gets it."))
    choice = _required_choice(form, "choice", sending_now.SENDABLE, _("Choose what to send."))
    client_id = None
    if group == "one":
        ids = [str(c.id) for c in own]
        picked = _required_choice(form, "client_id", ids, _("Choose the client."))
        client_id = int(picked) if picked and form.ok else None
    text = ""
    if choice == "staff_message":
        text = form.value("text").strip()
        if not text:
            form.fail("text", _("Write what you want to send."))
        elif len(text) > staff_messages.MAX_LENGTH:
            most = staff_messages.MAX_LENGTH
            form.fail("text", _("This is too long: at most %(count)d characters.", count=most))
    planned: list[sending_now.Planned] = []
    if form.ok:
        now = utcnow()
        planned = [sending_now.resolve(db, c, choice, now) for c in _group(group, client_id)]
        if not planned:
            form.fail("group", _("Nobody in this group can get messages now."))
    return planned, text


def _required_choice(form: Form, name: str, choices, missing: str) -> str:
    """A choice the form needs: `missing` says what to do when none is made."""
    if not form.value(name):
        form.fail(name, missing)
        return ""
    return form.choice(name, choices)


def _held(client: Client, representative: Representative | None) -> str | None:
    """Why the sweep would not send this recipient's message, in staff words (consent and
    opt-out are asked when the group is chosen), or None when it goes."""
    if representative is None and client.unreachable_at is not None:
        return _("Not sent: the phone number could not be reached last time. Check it first.")
    return None


def _record_facts(
    db: Session, item: sending_now.Planned, text: str, author: StaffUser, now: datetime
) -> dict:
    """What the message says about its record (for own words: the words and who wrote them)."""
    if item.kind == "staff_message":
        return {"text": staff_messages.clean(text), "author": author.name}
    subject = subjects.SUBJECTS[subjects.type_of(item.subject)]
    return subject.facts(db, item.subject, item.client, now)


def _as_sent(
    db: Session,
    item: sending_now.Planned,
    representative: Representative | None,
    record_facts: dict,
    channel: str,
    now: datetime,
) -> dict[str, Any]:
    """One recipient's message as it will be sent, and in Swedish for staff beside it."""
    kind = item.kind or ""  # only planned kinds are shown
    facts = base_facts(db, item.client, representative, now=now) | record_facts
    if channel == "sms":  # a real link has 22 characters, so the size is the real one
        facts["link"] = links.url("x" * 22)
    code = get_language(representative.language if representative else item.client.language).code
    said = compose(kind, facts, code, channel)
    written = get_language(SOURCE_LANGUAGE if said.fallback else code)
    swedish = None
    if written.code != SOURCE_LANGUAGE:
        swedish = compose(kind, facts, SOURCE_LANGUAGE, channel)
    return {
        "representative": representative,
        "channel": channel,
        "language": code,
        "parts": list(said.parts or (said.text,)) if channel == "sms" else [said.text],
        "segments": said.segments if channel == "sms" else None,
        "written": written.code,  # Swedish when the language has no translation yet
        "swedish": swedish.text if swedish else None,
        "held": _held(item.client, representative),
    }


def _what_each_gets(planned: list[sending_now.Planned], text: str, now: datetime) -> list[dict]:
    """For each client: what they get by each channel, and each representative's copy
    (own words go to the client only), composed as the sweep composes them."""
    db = get_session()
    author = current_staff()
    shown = []
    for item in planned:
        recipients: list[dict] = []
        if item.kind is not None:
            facts = _record_facts(db, item, text, author, now)
            channels = (
                reminder_channels(item.client) if item.kind == "appointment_reminder" else ["sms"]
            )
            recipients = [_as_sent(db, item, None, facts, channel, now) for channel in channels]
            if item.kind != "staff_message":
                copies = representatives_for(db, item.client, item.kind)
                recipients += [_as_sent(db, item, r, facts, "sms", now) for r in copies]
        shown.append({"client": item.client, "kind": item.kind, "recipients": recipients})
    return shown


def _fingerprint(previews: list[dict]) -> str:
    """A keyed hash of every text each recipient would get, kept by the preview's form."""
    content = [
        [item["client"].id, item["kind"]]
        + [
            [
                r["representative"].id if r["representative"] else None,
                r["channel"],
                r["written"],
                r["parts"],
                r["held"] is not None,
            ]  # fmt: skip
            for r in item["recipients"]
        ]
        for item in previews
    ]
    canonical = json.dumps(content, ensure_ascii=False).encode()
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


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
