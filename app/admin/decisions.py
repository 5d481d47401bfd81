"""Decisions: a heads-up before deciding, and a decision recorded with a preview of the
client's plain summary (their language and Swedish side by side) before anything is sent."""

from typing import Any

from babel.numbers import format_decimal
from flask import abort, flash, redirect, render_template, request, url_for

from app.admin import bp
from app.admin.access import client_or_404, current_staff, record, today
from app.admin.client_page import record_messages
from app.admin.decision_preview import summary_preview
from app.admin.forms import Form
from app.admin.labels import catalog_options, options
from app.admin.words import N_, _, staff_language
from app.casework import decisions
from app.casework.deadlines import appeal_deadline
from app.db import get_session
from app.errors import InvalidInput
from app.models import (
    Client,
    Decision,
    DecisionOutcome,
    DecisionStatus,
    SubjectType,
    saved_id,
)

SCOPE_UNIT_LABELS = {
    "hours_per_week": N_("hours per week"),
    "hours_per_month": N_("hours per month"),
    "days_per_month": N_("days and nights per month"),
    "sek_per_month": N_("kronor per month"),
    "sek_once": N_("kronor, once"),
}


def scope_unit_label(unit: str | None) -> str:
    """What a decision's amount counts, in staff words ('hours per week')."""
    return _(SCOPE_UNIT_LABELS[unit]) if unit in SCOPE_UNIT_LABELS else unit or ""


def _keys(name: str) -> list[str]:
    return [key for key, _label in catalog_options(name)]


def _decision_defaults(decision: Decision | None = None) -> dict:
    """What the decision form starts with: today's date, and an announced service."""
    values = {"outcome": DecisionOutcome.APPROVED, "decided_on": today().isoformat()}
    if decision is not None:
        values["service"] = decision.service
    return values


def _decision_values(form: Form) -> dict:
    """The decision fields as decisions.decide() takes them; type errors go on the form."""
    amount = form.number("scope_amount")
    return {
        "service": form.choice("service", _keys("services")),
        "outcome": form.choice("outcome", list(DecisionOutcome)),
        "scope_amount": amount,
        "scope_unit": form.choice("scope_unit", decisions.SCOPE_UNITS, required=False) or None,
        "valid_from": form.day("valid_from", required=False),
        "valid_to": form.day("valid_to", required=False),
        "reasons": form.choices("reasons", _keys("reasons")),
        "decided_on": form.day("decided_on"),
        "received_on": form.day("received_on", required=False),
    }


def _unsaved(client: Client, values: dict, status: str, base: Decision | None = None) -> Decision:
    """A decision as it would be saved, never added to the session (for a preview)."""
    fields: dict[str, Any] = (
        {"service": base.service, "expected_on": base.expected_on} if base else {}
    )
    fields |= dict(values, reasons=",".join(values.get("reasons", [])))
    return Decision(
        client_id=saved_id(client), staff_id=current_staff().id, status=status, **fields
    )


def _reach_problem(client: Client) -> str | None:
    """Why a planned message will not reach the client, in staff words."""
    if client.opted_out_at is not None:
        return _(
            "%(name)s has said no to text messages: nothing will be sent.", name=client.first_name
        )
    if client.consent_at is None:
        return _(
            "No consent is recorded for %(name)s: nothing will be sent.", name=client.first_name
        )
    if client.unreachable_at is not None:
        return _("The phone number could not be reached last time. Check it first.")
    return None


def _sent_flash(client: Client, saved: str, on_its_way: str) -> None:
    """Say the message is on its way, or, when it cannot reach the client, why not."""
    problem = _reach_problem(client)
    if problem:
        flash(saved + " " + problem, "warning")
    else:
        flash(on_its_way)


FIELDS = {"status": "outcome"}


def _decide_or_preview(client: Client, form: Form, decision: Decision | None = None):
    """Handle the decision form: Send records it (a redirect), Preview returns a preview
    (or None when the form has errors)."""
    session = get_session()
    values = _decision_values(form)
    if not form.ok:
        return None
    subject_id = decision.id if decision else None
    if request.form.get("action") == "send":
        try:
            saved = decisions.decide(
                session, client, decision, staff_id=current_staff().id, **values
            )
        except InvalidInput as exc:
            session.rollback()
            form.absorb(exc, FIELDS)
            return None
        record(
            "decision_sent",
            client_id=client.id,
            subject_type=SubjectType.DECISION,
            subject_id=saved.id,
            detail=f"decision_{saved.outcome}",
        )
        session.commit()
        _sent_flash(
            client,
            _("The decision is saved."),
            _("The decision summary is on its way to %(name)s.", name=client.first_name),
        )
        return redirect(url_for("admin.client", client_id=client.id))
    try:
        # The domain's own checks, without saving (Send runs them again in decide()).
        decisions.validate(values)
    except InvalidInput as exc:
        form.absorb(exc, FIELDS)
        return None
    kind = f"decision_{values['outcome']}"
    preview = summary_preview(
        session, client, kind, _unsaved(client, values, DecisionStatus.DECIDED, decision)
    )
    record(
        "decision_previewed",
        client_id=client.id,
        subject_type=SubjectType.DECISION,
        subject_id=subject_id,
        detail=kind,
    )
    session.commit()
    return preview


def _announce_or_preview(client: Client, form: Form):
    """Handle the heads-up form: Send plans it (a redirect), Preview returns a preview."""
    session = get_session()
    service = form.choice("heads_up_service", _keys("services"))
    expected_on = form.day("expected_on")
    if not form.ok or expected_on is None:  # a required day is there once the form is ok
        return None
    if request.form.get("action") == "send":
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
    values = {"service": service, "expected_on": expected_on}
    preview = summary_preview(
        session,
        client,
        "decision_heads_up",
        _unsaved(client, values, DecisionStatus.ANNOUNCED),
    )
    record(
        "decision_previewed",
        client_id=client.id,
        subject_type=SubjectType.DECISION,
        detail="decision_heads_up",
    )
    session.commit()
    return preview


def _page_values(client: Client) -> dict:
    return {
        "client": client,
        "reach_problem": _reach_problem(client),
        "services": catalog_options("services"),
        "reasons": catalog_options("reasons"),
        "outcomes": options(*DecisionOutcome),
        "scope_units": [(unit, scope_unit_label(unit)) for unit in decisions.SCOPE_UNITS],
    }


@bp.route("/clients/<int:client_id>/decisions/new", methods=["GET", "POST"])
def decision_new(client_id: int):
    """Record a decision (preview first, then send), or send a heads-up that one is coming."""
    client = client_or_404(client_id)
    which = request.form.get("form") if request.method == "POST" else None
    form = Form() if which == "decision" else Form(_decision_defaults())
    heads_up = Form() if which == "heads_up" else Form({})
    result = None
    if which == "decision":
        result = _decide_or_preview(client, form)
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
        **_page_values(client),
    )


def _decision_or_404(decision_id: int) -> tuple[Decision, Client]:
    """A decision about a client the signed-in person may see (the view is audited)."""
    decision = get_session().get(Decision, decision_id)
    if decision is None:
        abort(404)
    return decision, client_or_404(decision.client_id)


def _show(decision: Decision, client: Client, form: Form, preview: dict | None = None):
    return render_template(
        "admin/decisions/decision.html",
        decision=decision,
        messages=record_messages(SubjectType.DECISION, saved_id(decision)),
        form=form,
        preview=preview,
        scope_unit_label=scope_unit_label(decision.scope_unit),
        scope_amount=format_decimal(decision.scope_amount or 0, locale=staff_language()),
        appeal_by=appeal_deadline(decision.received_on or decision.decided_on)
        if decision.status == DecisionStatus.DECIDED and decision.decided_on
        else None,
        **_page_values(client),
    )


@bp.route("/decisions/<int:decision_id>")
def decision(decision_id: int):
    """A decision as recorded, the messages about it, and what can still be done."""
    found, client = _decision_or_404(decision_id)
    return _show(found, client, Form(_decision_defaults(found)))


@bp.route("/decisions/<int:decision_id>/decide", methods=["POST"])
def decision_decide(decision_id: int):
    """Record the decision a heads-up announced: preview, or send its summary."""
    found, client = _decision_or_404(decision_id)
    if found.status != DecisionStatus.ANNOUNCED:
        flash(_("This decision can no longer be changed here; record a new one."), "error")
        return redirect(url_for("admin.decision", decision_id=found.id))
    form = Form()
    result = _decide_or_preview(client, form, found)
    if result is not None and not isinstance(result, dict):
        return result
    return _show(found, client, form, result)


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
