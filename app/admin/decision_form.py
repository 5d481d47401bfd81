"""The decision form: what it starts with (never an outcome), what it reads, a decision
as it would be saved (for a preview), and the hidden fields of the preview's Send form."""

from typing import Any

from babel.numbers import format_decimal

from app.admin.access import current_staff, today
from app.admin.forms import Form
from app.admin.labels import catalog_options, options
from app.admin.words import N_, _, staff_language
from app.casework import decisions
from app.models import Client, Decision, DecisionOutcome, DecisionStatus, saved_id

SCOPE_UNIT_LABELS = {
    "hours_per_week": N_("hours per week"),
    "hours_per_month": N_("hours per month"),
    "days_per_month": N_("days and nights per month"),
    "sek_per_month": N_("kronor per month"),
    "sek_once": N_("kronor, once"),
}
# The fields of a decision, as decisions.decide() takes them.
DECIDED = ("service", "outcome", "scope_amount", "scope_unit", "valid_from", "valid_to",
           "reasons", "decided_on", "received_on")  # fmt: skip
FIELDS = {"status": "outcome"}


def scope_unit_label(unit: str | None) -> str:
    """What a decision's amount counts, in staff words ('hours per week')."""
    return _(SCOPE_UNIT_LABELS[unit]) if unit in SCOPE_UNIT_LABELS else unit or ""


def catalog_keys(name: str) -> list[str]:
    """The keys of a domain catalog (services, reasons), for checking a choice."""
    return [key for key, _label in catalog_options(name)]


def form_values(decision: Decision) -> dict:
    """A saved decision's fields as the form shows them."""
    amount = decision.scope_amount
    return {
        "service": decision.service,
        "outcome": decision.outcome,
        "scope_amount": format_decimal(amount, locale=staff_language()) if amount else "",
        "scope_unit": decision.scope_unit or "",
        "valid_from": decision.valid_from.isoformat() if decision.valid_from else "",
        "valid_to": decision.valid_to.isoformat() if decision.valid_to else "",
        "reasons": [k for k in decision.reasons.split(",") if k],
        "decided_on": decision.decided_on.isoformat() if decision.decided_on else "",
        "received_on": decision.received_on.isoformat() if decision.received_on else "",
    }


def defaults(decision: Decision | None = None) -> dict:
    """What the decision form starts with: no outcome (the case worker chooses it) and
    today's date; an announced decision's service; a draft's own values."""
    if decision is not None and decision.status == DecisionStatus.DRAFT:
        return form_values(decision)
    values = {"decided_on": today().isoformat()}
    if decision is not None:
        values["service"] = decision.service
    return values


def read(form: Form) -> dict:
    """The decision fields as decisions.decide() takes them; type errors go on the form."""
    amount = form.number("scope_amount")
    service = form.choice("service", catalog_keys("services"))
    if form.value("outcome"):
        outcome = form.choice("outcome", list(DecisionOutcome))
    else:  # never a default: the summary says what was decided
        outcome = ""
        form.fail("outcome", _("Choose what was decided."))
    return {
        "service": service,
        "outcome": outcome,
        "scope_amount": amount,
        "scope_unit": form.choice("scope_unit", decisions.SCOPE_UNITS, required=False) or None,
        "valid_from": form.day("valid_from", required=False),
        "valid_to": form.day("valid_to", required=False),
        "reasons": form.choices("reasons", catalog_keys("reasons")),
        "decided_on": form.day("decided_on"),
        "received_on": form.day("received_on", required=False),
    }


def unsaved(client: Client, values: dict, status: str, base: Decision | None = None) -> Decision:
    """A decision as it would be saved, never added to the session (for a preview). With
    `base` (an announced decision) it has that decision's id and version."""
    fields: dict[str, Any] = (
        {"id": base.id, "version": base.version, "expected_on": base.expected_on} if base else {}
    )
    fields |= dict(values, reasons=",".join(values.get("reasons", [])))
    return Decision(
        client_id=saved_id(client), staff_id=current_staff().id, status=status, **fields
    )


def confirm_fields(decision: Decision, preview: dict, form: Form) -> list[tuple[str, str]]:
    """The hidden fields of the preview's Send form: the version and fingerprint, and for
    an announced decision the values previewed (a draft sends what it has saved)."""
    fields = [("version", str(decision.version)), ("fingerprint", preview["fingerprint"])]
    if decision.status == DecisionStatus.ANNOUNCED:
        fields += [(name, value) for name in DECIDED for value in form.data.getlist(name)]
    return fields


def stored_values(decision: Decision) -> dict:
    """A draft's fields as decisions.decide() takes them."""
    values = {name: getattr(decision, name) for name in DECIDED}
    return values | {"reasons": [k for k in decision.reasons.split(",") if k]}


def page_values(client: Client, reach_problem: str | None) -> dict:
    """What the decision pages show beside the form: the client, why nothing would reach
    them, and the form's options."""
    return {
        "client": client,
        "reach_problem": reach_problem,
        "services": catalog_options("services"),
        "reasons": catalog_options("reasons"),
        "outcomes": options(*DecisionOutcome),
        "scope_units": [(unit, scope_unit_label(unit)) for unit in decisions.SCOPE_UNITS],
    }
