"""Decisions: a heads-up before deciding, and a decision recorded with a preview of the
client's plain summary (their language and Swedish side by side) before anything is sent."""

from babel.numbers import format_decimal
from flask import abort, flash, redirect, render_template, request, url_for
from sqlmodel import Session

from app.admin import bp
from app.admin.access import client_or_404, current_staff, record, today
from app.admin.client_page import record_messages
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
    utcnow,
)
from app.outbox.facts import base_facts
from app.outbox.planner import representatives_for
from app.pages import links, views
from app.words.compose import compose
from app.words.languages import SOURCE_LANGUAGE, get_language
from app.words.plain_language import lix
from app.words.preview import sms_costs

SCOPE_UNIT_LABELS = {
    "hours_per_week": N_("hours per week"),
    "hours_per_month": N_("hours per month"),
    "days_per_month": N_("days and nights per month"),
    "sek_per_month": N_("kronor per month"),
    "sek_once": N_("kronor, once"),
}
# A real page link is a 16-byte token: 22 URL-safe characters. The preview's stand-in has
# the same length, so the segment count is what the client's message will cost.
PREVIEW_TOKEN = "x" * 22
# What an SMS over its budget may leave out, by the row's pictogram (messages/_decision.j2).
DROPPED_LABELS = {
    "scope": N_("the extent"),
    "calendar": N_("the dates"),
    "reason": N_("the reasons"),
    "letter": N_("that the letter is the formal decision"),
    "help": N_("who can help"),
    "clock": N_("when to call"),
}
LIX_BANDS = ((30, N_("very easy")), (40, N_("easy")), (50, N_("medium")))


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
    fields = {"service": base.service, "expected_on": base.expected_on} if base else {}
    fields |= dict(values, reasons=",".join(values.get("reasons", [])))
    return Decision(client_id=client.id, staff_id=current_staff().id, status=status, **fields)


def _lix_band(value: float) -> str:
    return _(next((band for limit, band in LIX_BANDS if value < limit), N_("hard")))


def summary_preview(session: Session, client: Client, kind: str, decision: Decision) -> dict:
    """The message as the client will get it, in their language and in Swedish: the SMS
    (with its size against the budget), the picture page, and LIX of the Swedish text.
    Facts are gathered as the sweep gathers them; nothing is written."""
    now = utcnow()
    facts = base_facts(session, client, now=now) | decisions.facts(session, decision, client, now)
    client_code = get_language(client.language).code
    versions = []
    for code in dict.fromkeys((client_code, SOURCE_LANGUAGE)):
        sms = compose(kind, facts | {"link": links.url(PREVIEW_TOKEN)}, code, "sms")
        written = get_language(SOURCE_LANGUAGE if sms.fallback else code)
        versions.append(
            {
                "code": code,
                "sms": sms,
                "html_lang": written.babel_locale.replace("_", "-"),
                "direction": written.direction,
                "has_link": PREVIEW_TOKEN in sms.text,
                "dropped": [
                    _(DROPPED_LABELS.get(key, N_("a detail"))) for key in dict.fromkeys(sms.dropped)
                ],
                "page": views.preview_page(session, client, kind, facts, code),
            }
        )
    # A discreet client's SMS holds no details: the summary that must be easy is the page.
    swedish = versions[-1]["sms"].text
    if facts["discreet"]:
        swedish = compose(kind, facts | {"discreet": False}, SOURCE_LANGUAGE, "page").text
    score = lix(swedish)
    return {
        "kind": kind,
        "versions": versions,
        "discreet": facts["discreet"],
        "lix": format_decimal(score, locale=staff_language()),
        "lix_band": _lix_band(score),
        "copies": representatives_for(session, client, kind),
        # The same facts in every language: what the SMS costs in each.
        "costs": sms_costs(kind, facts | {"link": links.url(PREVIEW_TOKEN)}),
        "support_ending": kind != "decision_heads_up"
        and decision.outcome in decisions.CONTINUING
        and decision.valid_to is not None,
    }


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
            subject_type="decision",
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
        subject_type="decision",
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
    if not form.ok:
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
            subject_type="decision",
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
        subject_type="decision",
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
        messages=record_messages("decision", decision.id),
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
    record("decision_withdrawn", client_id=client.id, subject_type="decision", subject_id=found.id)
    session.commit()
    flash(_("The decision is withdrawn. Messages about it that were not sent are cancelled."))
    return redirect(url_for("admin.client", client_id=client.id))
