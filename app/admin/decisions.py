"""Decisions: a heads-up before deciding, and a decision sent in two steps.

The form has no outcome chosen and no Send button: Preview saves the decision as a draft
and shows exactly what each recipient gets; only that preview sends, and only what it
showed (it carries the decision's version and the fingerprint of every text, and sending
refuses a decision or recipients changed since). A draft can be kept, changed or
discarded. An announced decision is decided the same way, from a preview of the values
typed on its page.

A heads-up is also sent from its own preview. Before a refusal or an ending that no
heads-up went ahead of, the preview asks for one first (the draft stays a draft), or for a
short reason to send without one (audited).
"""

from datetime import timedelta

from babel.numbers import format_decimal
from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from app.admin import bp, decision_form, decision_preview
from app.admin.access import client_or_404, current_staff, record, today
from app.admin.client_page import record_messages
from app.admin.decision_preview import same_fingerprint, summary_preview
from app.admin.forms import Form, staff_text
from app.admin.words import N_, _, staff_language
from app.casework import decisions
from app.casework.deadlines import appeal_deadline
from app.db import get_session
from app.errors import InvalidInput
from app.models import (
    Client,
    Decision,
    DecisionStatus,
    OutboxStatus,
    SubjectType,
    saved_id,
    utcnow,
)
from app.outbox.kinds import get_kind

# Why a Send from a preview sent nothing; the new preview is shown instead.
CHANGED = N_("The decision changed after your preview. Check the new preview before you send.")
RECIPIENTS_CHANGED = N_(
    "What would be sent has changed since your preview. Check the new preview before you send."
)
CHECK_FIRST = N_("Check the heads-up below, then send it from here.")
HEADS_UP_DAYS = 7  # the day a heads-up first offers for the decision, from today


def _sent_flash(client: Client, saved: str, on_its_way: str) -> None:
    """Say the message is on its way, or, when it cannot reach the client, why not."""
    problem = decision_preview.reach_problem(client)
    if problem:
        flash(saved + " " + problem, "warning")
    else:
        flash(on_its_way)


def _save_draft(client: Client, form: Form, draft: Decision | None):
    """Save the form as a draft (nothing is sent): Preview goes on to the draft's preview,
    Save as draft back to the client. None when the form has errors."""
    session = get_session()
    values = decision_form.read(form)
    if not form.ok:
        return None
    try:
        decisions.validate(values)
    except InvalidInput as exc:
        form.absorb(exc, decision_form.FIELDS)
        return None
    if draft is None:
        draft = Decision(
            client_id=saved_id(client), staff_id=current_staff().id, service=values["service"]
        )
    else:
        draft.version += 1  # a preview shown before this change can no longer send
    for name, value in (values | {"reasons": ",".join(values["reasons"])}).items():
        setattr(draft, name, value)
    draft.status = DecisionStatus.DRAFT
    draft.updated_at = utcnow()
    session.add(draft)
    session.flush()
    keep = request.form.get("action") == "draft"
    record(
        "decision_draft_saved" if keep else "decision_previewed",
        client_id=client.id,
        subject_type=SubjectType.DECISION,
        subject_id=draft.id,
        detail=f"decision_{draft.outcome}",
    )
    session.commit()
    if keep:
        flash(_("The draft is saved. Nothing is sent."))
        return redirect(url_for("admin.client", client_id=client.id))
    return redirect(url_for("admin.decision", decision_id=draft.id, _anchor="preview"))


def _announce_or_preview(client: Client, form: Form):
    """Handle the heads-up form: Send plans it (a redirect), Preview returns a preview."""
    session = get_session()
    service = form.choice("heads_up_service", decision_form.catalog_keys("services"))
    expected_on = form.day("expected_on")
    if not form.ok or expected_on is None:  # a required day is there once the form is ok
        return None
    try:
        decisions.check_heads_up(service, expected_on)
    except InvalidInput as exc:
        form.absorb(exc, {"service": "heads_up_service"})
        return None
    values = {"service": service, "expected_on": expected_on}
    preview = summary_preview(
        session,
        client,
        "decision_heads_up",
        decision_form.unsaved(client, values, DecisionStatus.ANNOUNCED),
    )
    # Sent only from its preview, and only what that preview showed.
    sending = request.form.get("action") == "send"
    if sending and same_fingerprint(preview, request.form.get("fingerprint", "")):
        try:
            decision = decisions.announce(
                session,
                client,
                service=service,
                expected_on=expected_on,
                staff_id=current_staff().id,
            )
        except InvalidInput as exc:
            session.rollback()
            form.absorb(exc, {"service": "heads_up_service"})
            return None
        record(
            "decision_announced",
            client_id=client.id,
            subject_type=SubjectType.DECISION,
            subject_id=decision.id,
            detail="decision_heads_up",
        )
        session.commit()
        _sent_flash(
            client,
            _("The heads-up is saved."),
            _("The heads-up is on its way to %(name)s.", name=client.first_name),
        )
        return redirect(url_for("admin.client", client_id=client.id))
    preview["notice"] = _(CHECK_FIRST) if sending else None
    preview["confirm"] = [
        ("form", "heads_up"),
        ("action", "send"),
        ("heads_up_service", service),
        ("expected_on", expected_on.isoformat()),
        ("fingerprint", preview["fingerprint"]),
    ]
    record(
        "decision_previewed",
        client_id=client.id,
        subject_type=SubjectType.DECISION,
        detail="decision_heads_up",
    )
    session.commit()
    return preview


@bp.route("/clients/<int:client_id>/decisions/new", methods=["GET", "POST"])
def decision_new(client_id: int):
    """Write a decision (saved as a draft to preview, or to finish later), or send a
    heads-up that one is coming."""
    client = client_or_404(client_id)
    which = request.form.get("form") if request.method == "POST" else None
    form = Form() if which == "decision" else Form(decision_form.defaults())
    heads_up = Form() if which == "heads_up" else Form({})
    result = None
    if which == "decision":
        result = _save_draft(client, form, None)
    elif which == "heads_up":
        result = _announce_or_preview(client, heads_up)
    if result is not None and not isinstance(result, dict):
        return result
    return render_template(
        "admin/decisions/new.html",
        form=form,
        heads_up=heads_up,
        which=which,
        preview=result,
        **decision_form.page_values(client, decision_preview.reach_problem(client)),
    )


def _decision_or_404(decision_id: int) -> tuple[Decision, Client]:
    """A decision about a client the signed-in person may see (the view is audited)."""
    decision = get_session().get(Decision, decision_id)
    if decision is None:
        abort(404)
    return decision, client_or_404(decision.client_id)


def _show(
    decision: Decision,
    client: Client,
    form: Form,
    preview: dict | None = None,
    *,
    notice: str | None = None,
    status: int = 200,
    prompt: Form | None = None,
    heads_up: dict | None = None,
):
    messages = record_messages(SubjectType.DECISION, saved_id(decision))
    return render_template(
        "admin/decisions/decision.html",
        decision=decision,
        prompt=prompt or _prompt(),
        heads_up=heads_up,
        messages=messages,
        draft_heads_up=decision.status == DecisionStatus.DRAFT
        and decisions.heads_up_planned(get_session(), decision),
        held_to_phone_hours=any(
            message.status == OutboxStatus.PENDING and get_kind(message.kind).phone_hours
            for message, _name in messages
        ),
        form=form,
        preview=preview,
        confirm=decision_form.confirm_fields(decision, preview, form) if preview else None,
        notice=notice,
        scope_unit_label=decision_form.scope_unit_label(decision.scope_unit),
        scope_amount=format_decimal(decision.scope_amount or 0, locale=staff_language()),
        appeal_by=appeal_deadline(decision.received_on or decision.decided_on)
        if decision.status == DecisionStatus.DECIDED and decision.decided_on
        else None,
        **decision_form.page_values(client, decision_preview.reach_problem(client)),
    ), status


def _prompt(**values: str) -> Form:
    """The heads-up prompt's fields: the day the heads-up names (a week ahead unless
    given) and the reason to send without one."""
    default = (today() + timedelta(days=HEADS_UP_DAYS)).isoformat()
    return Form({"heads_up_on": default} | values)


def _skip_reason(client: Client, preview: dict) -> tuple[str, Form]:
    """The reason given to send a refusal or an ending without a heads-up ("" when none
    is asked for), and the prompt with what is wrong with it."""
    prompt = _prompt(skip_reason=request.form.get("skip_reason", ""))
    if not preview["heads_up"]:  # not bad news, or a heads-up went ahead of it
        return "", prompt
    if not prompt.value("skip_reason").strip():
        prompt.fail(
            "skip_reason",
            _("Say briefly why %(name)s gets no heads-up first.", name=client.first_name),
        )
        return "", prompt
    return prompt.text("skip_reason", max_length=200), prompt


def _draft_preview(decision: Decision, client: Client) -> dict:
    return summary_preview(get_session(), client, f"decision_{decision.outcome}", decision)


@bp.route("/decisions/<int:decision_id>")
def decision(decision_id: int):
    """A decision as recorded, the messages about it, and what can still be done; a
    draft with the preview of what each recipient gets, and its Send button."""
    found, client = _decision_or_404(decision_id)
    preview = _draft_preview(found, client) if found.status == DecisionStatus.DRAFT else None
    return _show(found, client, Form(decision_form.defaults(found)), preview)


@bp.route("/decisions/<int:decision_id>/decide", methods=["POST"])
def decision_decide(decision_id: int):
    """Change a draft (saved again, then previewed), or preview the decision a heads-up
    announced; neither sends anything."""
    found, client = _decision_or_404(decision_id)
    if found.status not in (DecisionStatus.ANNOUNCED, DecisionStatus.DRAFT):
        flash(_("This decision can no longer be changed here; record a new one."), "error")
        return redirect(url_for("admin.decision", decision_id=found.id))
    form = Form()
    if found.status == DecisionStatus.DRAFT:
        return _save_draft(client, form, found) or _show(found, client, form)
    values = decision_form.read(form)
    if form.ok:
        try:
            decisions.validate(values)
        except InvalidInput as exc:
            form.absorb(exc, decision_form.FIELDS)
    if not form.ok:
        return _show(found, client, form)
    session = get_session()
    kind = f"decision_{values['outcome']}"
    unsaved = decision_form.unsaved(client, values, DecisionStatus.DECIDED, found)
    preview = summary_preview(session, client, kind, unsaved)
    record("decision_previewed", client_id=client.id, subject_type=SubjectType.DECISION,
           subject_id=found.id, detail=kind)  # fmt: skip
    session.commit()
    return _show(found, client, form, preview)


def _claim(decision: Decision) -> bool:
    """Take the decision for this Send: true only while it still has the version and status
    it was previewed with. One statement, so of two Sends at once one waits for the other
    and then finds the version changed (planning alone would not tell: it is idempotent)."""
    claimed = get_session().exec(
        update(Decision)
        .where(
            col(Decision.id) == decision.id,
            col(Decision.version) == decision.version,
            col(Decision.status) == decision.status,
        )
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


@bp.route("/decisions/<int:decision_id>/send", methods=["POST"])
def decision_send(decision_id: int):
    """Send what the preview showed: refused (the new preview shown instead) when the
    decision or what its recipients would get changed since; sent once only."""
    found, client = _decision_or_404(decision_id)
    session = get_session()
    if found.status not in (DecisionStatus.ANNOUNCED, DecisionStatus.DRAFT):
        flash(_("This decision was sent already. Nothing more was sent."), "warning")
        return redirect(url_for("admin.decision", decision_id=found.id))
    if found.status == DecisionStatus.DRAFT:
        form, values = Form(decision_form.form_values(found)), decision_form.stored_values(found)
        subject = found
    else:
        form = Form()
        values = decision_form.read(form)
        try:
            decisions.validate(values)
        except InvalidInput as exc:
            form.absorb(exc, decision_form.FIELDS)
        if not form.ok:
            return _show(found, client, form, status=409)
        subject = decision_form.unsaved(client, values, DecisionStatus.DECIDED, found)
    preview = summary_preview(session, client, f"decision_{values['outcome']}", subject)
    if request.form.get("version") != str(found.version):
        notice = _(CHANGED)
        return _show(found, client, form, preview, notice=notice, status=409)
    if not same_fingerprint(preview, request.form.get("fingerprint", "")):
        notice = _(RECIPIENTS_CHANGED)
        return _show(found, client, form, preview, notice=notice, status=409)
    reason, prompt = _skip_reason(client, preview)
    if not prompt.ok:
        return _show(found, client, form, preview, prompt=prompt, status=422)
    if not _claim(found):  # another Send of this preview got there first
        session.rollback()
        flash(_("This decision was sent already. Nothing more was sent."), "warning")
        return redirect(url_for("admin.decision", decision_id=decision_id))
    try:
        saved = decisions.decide(session, client, found, staff_id=current_staff().id, **values)
        record("decision_sent", client_id=client.id, subject_type=SubjectType.DECISION,
               subject_id=saved.id, detail=f"decision_{saved.outcome}")  # fmt: skip
        if reason:
            record("decision_sent_without_heads_up", client_id=client.id, detail=reason,
                   subject_type=SubjectType.DECISION, subject_id=saved.id)  # fmt: skip
        session.commit()
    except InvalidInput as exc:  # a draft the catalog no longer allows (a reason removed)
        session.rollback()
        form.absorb(exc, decision_form.FIELDS)
        return _show(found, client, form, status=409)
    except IntegrityError:  # the same confirm at the same moment: the other one sent it
        session.rollback()
        flash(_("This decision was sent already. Nothing more was sent."), "warning")
        return redirect(url_for("admin.decision", decision_id=decision_id))
    _sent_flash(
        client,
        _("The decision is saved."),
        _("The decision summary is on its way to %(name)s.", name=client.first_name),
    )
    return redirect(url_for("admin.client", client_id=client.id))


@bp.route("/decisions/<int:decision_id>/heads-up", methods=["POST"])
def decision_heads_up(decision_id: int):
    """Send a heads-up before a drafted refusal or ending: Preview shows it, Send (from
    that preview, only what it showed) plans it. The decision stays a draft."""
    found, client = _decision_or_404(decision_id)
    if found.status != DecisionStatus.DRAFT:
        flash(_("Only a draft can get a heads-up first."), "error")
        return redirect(url_for("admin.decision", decision_id=found.id))
    session = get_session()
    prompt = Form()
    day = prompt.day("heads_up_on")
    if prompt.ok:
        try:
            decisions.check_heads_up(found.service, day)
        except InvalidInput as exc:
            prompt.absorb(exc, {"expected_on": "heads_up_on", "service": "heads_up_on"})
    draft_form = Form(decision_form.defaults(found))
    if not prompt.ok or day is None:
        return _show(found, client, draft_form, _draft_preview(found, client), prompt=prompt,
                     status=422)  # fmt: skip
    values = decision_form.stored_values(found) | {"expected_on": day}
    subject = decision_form.unsaved(client, values, DecisionStatus.DRAFT, found)
    heads_up = summary_preview(session, client, "decision_heads_up", subject)
    sending = request.form.get("action") == "send"
    if sending and same_fingerprint(heads_up, request.form.get("fingerprint", "")):
        try:
            decisions.heads_up_first(session, client, found, expected_on=day)
        except InvalidInput as exc:  # one is on its way already (another tab)
            session.rollback()
            flash(staff_text(next(iter(exc.errors.values()))), "warning")
            return redirect(url_for("admin.decision", decision_id=found.id))
        record("decision_announced", client_id=client.id, subject_type=SubjectType.DECISION,
               subject_id=found.id, detail="decision_heads_up")  # fmt: skip
        session.commit()
        _sent_flash(
            client,
            _("The heads-up is saved."),
            _(
                "The heads-up is on its way to %(name)s. The decision is still a draft: send"
                " it when you have talked.",
                name=client.first_name,
            ),
        )
        return redirect(url_for("admin.decision", decision_id=found.id))
    heads_up["confirm"] = [
        ("action", "send"),
        ("heads_up_on", day.isoformat()),
        ("fingerprint", heads_up["fingerprint"]),
    ]
    record("decision_previewed", client_id=client.id, subject_type=SubjectType.DECISION,
           subject_id=found.id, detail="decision_heads_up")  # fmt: skip
    session.commit()
    notice = _(RECIPIENTS_CHANGED) if sending else None
    return _show(found, client, draft_form, None, notice=notice, prompt=prompt, heads_up=heads_up)


@bp.route("/decisions/<int:decision_id>/discard", methods=["POST"])
def decision_discard(decision_id: int):
    """Throw a draft away (nothing about it was ever sent). A draft a heads-up went ahead
    of is withdrawn instead, so the heads-up stays on record."""
    found, client = _decision_or_404(decision_id)
    if found.status != DecisionStatus.DRAFT:
        flash(_("Only a draft can be discarded; withdraw a decision instead."), "error")
        return redirect(url_for("admin.decision", decision_id=found.id))
    session = get_session()
    if decisions.heads_up_planned(session, found):
        decisions.withdraw(session, found)
        record("decision_withdrawn", client_id=client.id, subject_type=SubjectType.DECISION,
               subject_id=found.id)  # fmt: skip
        session.commit()
        flash(
            _(
                "The draft is withdrawn. A heads-up about it was sent or planned: tell"
                " %(name)s if they need to know.",
                name=client.first_name,
            )
        )
        return redirect(url_for("admin.client", client_id=client.id))
    session.delete(found)
    record("decision_draft_discarded", client_id=client.id, subject_type=SubjectType.DECISION,
           subject_id=decision_id)  # fmt: skip
    session.commit()
    flash(_("The draft is discarded."))
    return redirect(url_for("admin.client", client_id=client.id))


@bp.route("/decisions/<int:decision_id>/withdraw", methods=["POST"])
def decision_withdraw(decision_id: int):
    """Withdraw a decision: messages not yet sent are cancelled (the client is not told)."""
    found, client = _decision_or_404(decision_id)
    session = get_session()
    if found.status == DecisionStatus.WITHDRAWN:
        flash(_("This decision was already withdrawn."), "warning")
        return redirect(url_for("admin.decision", decision_id=found.id))
    decisions.withdraw(session, found)
    record(
        "decision_withdrawn",
        client_id=client.id,
        subject_type=SubjectType.DECISION,
        subject_id=found.id,
    )
    session.commit()
    flash(_("The decision is withdrawn. Messages about it that were not sent are cancelled."))
    return redirect(url_for("admin.client", client_id=client.id))
