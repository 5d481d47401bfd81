"""Decisions: a heads-up before, a plain summary after, and a notice before support ends.

The summary says what was decided, what it means, from when to when, how to appeal and
by which date, and that the decision letter is the formal decision. A refusal or an
ending should not come out of the blue: staff are asked to send a heads-up first
(HEADS_UP_FIRST), and the bad news itself waits for the contact's phone hours
(app/outbox/phone_hours.py). Before support ends, the client is told in time to apply
again: each service's lead times are in messages/catalog/services.toml.
"""

import math
from datetime import date, datetime, timedelta
from typing import Any, Literal, get_args

from sqlmodel import Session

from app.casework import applications, catalog
from app.casework.deadlines import appeal_deadline
from app.casework.reads import reads_for
from app.casework.support_ending import apply_by, assessed_again, ending_notice_days
from app.errors import N_, InvalidInput, StaffMessage
from app.models import (
    Client,
    Decision,
    DecisionOutcome,
    DecisionStatus,
    OutboxMessage,
    OutboxStatus,
    SubjectType,
    saved_id,
    utcnow,
)
from app.outbox.facts import staff_name
from app.outbox.planner import (
    SENT_STATUSES,
    add_message,
    at_local,
    cancel_pending,
    has_message,
    local_date,
)

ScopeUnit = Literal[
    "hours_per_week", "hours_per_month", "days_per_month", "sek_per_month", "sek_once"
]
SCOPE_UNITS: tuple[ScopeUnit, ...] = get_args(ScopeUnit)
CONTINUING = (DecisionOutcome.APPROVED, DecisionOutcome.PARTLY_APPROVED, DecisionOutcome.CHANGED)

# What a decision can sensibly say; anything beyond is a typing mistake that would be sent
# to the client as it is (and a date near year 9999 overflows the appeal date).
# The most of each unit: a week has 168 hours, a month at most 744 hours and 31 days;
# money is capped far above any decision on support.
SCOPE_MAXIMUM: dict[str, tuple[float, str]] = {
    "hours_per_week": (168, N_("A week has 168 hours: give at most 168.")),
    "hours_per_month": (744, N_("A month has at most 744 hours: give at most 744.")),
    "days_per_month": (31, N_("A month has at most 31 days: give at most 31.")),
    "sek_per_month": (1_000_000, N_("Give at most 1,000,000 kronor.")),
    "sek_once": (1_000_000, N_("Give at most 1,000,000 kronor.")),
}
EARLIEST_DAY = date(2000, 1, 1)  # no decision still told about is older
PERIOD_YEARS_AHEAD = 10  # the furthest a decision's period may start or end, from today
LETTER_AHEAD = timedelta(weeks=4)  # a letter expected to arrive, at most this far ahead
HEADS_UP_AHEAD = timedelta(days=365)  # a decision expected at most a year from today
# Outcomes staff are asked to give a heads-up before: the client loses all or part of
# what they asked for, or support they have.
HEADS_UP_FIRST = (
    DecisionOutcome.REFUSED,
    DecisionOutcome.PARTLY_APPROVED,
    DecisionOutcome.ENDED,
)


def heads_up_sent(session: Session, decision: Decision) -> bool:
    """Whether a heads-up about this decision has gone out to the client."""
    if decision.id is None:
        return False
    return has_message(
        session, SubjectType.DECISION, decision.id, ("decision_heads_up",), SENT_STATUSES
    )


def wants_heads_up(outcome: str | None) -> bool:
    """Whether staff are asked to send a heads-up before a decision with this outcome."""
    return outcome in HEADS_UP_FIRST


def _reason_keys(reasons: str | list[str]) -> list[str]:
    items = reasons.split(",") if isinstance(reasons, str) else reasons
    return [k.strip() for k in items if k and k.strip()]


def _outcome_errors(outcome: str | None) -> dict[str, str]:
    """What is wrong with a decision's outcome. Never a default: a silent "approved"
    would tell a refused client yes."""
    if outcome is None:
        return {"outcome": N_("Choose what was decided.")}
    if outcome not in set(DecisionOutcome):
        return {"outcome": N_("Choose approved, partly_approved, refused, ended or changed.")}
    return {}


def _years_ahead(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)


def _out_of_range(day: date, first: date, last: date) -> str | None:
    """What is wrong with a day outside first..last, or None."""
    if first <= day <= last:
        return None
    return StaffMessage(
        N_("Give a date from %(first)s to %(last)s."),
        first=first.isoformat(),
        last=last.isoformat(),
    )


def _amount_errors(amount: float | None, unit: str | None) -> dict[str, str]:
    """What is wrong with a decision's extent: a finite number above zero, at most what
    its unit can hold."""
    if amount is None:
        return {}
    if not isinstance(amount, (int, float)) or not math.isfinite(amount):
        return {"scope_amount": N_("Give a number, like 12 or 7,5.")}
    if amount <= 0:
        return {"scope_amount": N_("The amount must be more than zero.")}
    maximum, message = SCOPE_MAXIMUM.get(unit or "", SCOPE_MAXIMUM["sek_once"])  # the largest
    return {"scope_amount": message} if amount > maximum else {}


def _date_errors(values: dict, today: date) -> dict[str, str]:
    """What is wrong with a decision's dates: made by today, a letter not arriving before
    the decision nor weeks ahead, a period within ten years from today, nothing before 2000."""
    errors: dict[str, str] = {}
    latest = _years_ahead(today, PERIOD_YEARS_AHEAD)
    for name in ("valid_from", "valid_to"):
        day = values.get(name)
        if isinstance(day, date) and (problem := _out_of_range(day, EARLIEST_DAY, latest)):
            errors[name] = problem
    valid_from, valid_to = values.get("valid_from"), values.get("valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        errors.setdefault("valid_to", N_("The end cannot be before the start."))
    decided_on, received_on = values.get("decided_on"), values.get("received_on")
    if isinstance(decided_on, date):
        if decided_on > today:
            errors["decided_on"] = N_("A decision cannot be dated after today.")
        elif problem := _out_of_range(decided_on, EARLIEST_DAY, today):
            errors["decided_on"] = problem
    if isinstance(received_on, date):
        if decided_on and received_on < decided_on:
            errors["received_on"] = N_("The letter cannot arrive before the decision was made.")
        elif received_on > today + LETTER_AHEAD:
            errors["received_on"] = N_("The letter date can be at most four weeks from today.")
        elif problem := _out_of_range(received_on, EARLIEST_DAY, today + LETTER_AHEAD):
            errors["received_on"] = problem
    return errors


def validate(values: dict, *, deciding: bool = True, today: date | None = None) -> None:
    """Raise InvalidInput naming every field of a decision that is wrong (nothing saved);
    an announcement (deciding=False) has no outcome yet. `today` is the unit's date
    (default: now, in the unit's time zone)."""
    today = today or local_date(utcnow())
    errors = {}
    services = catalog.entries(catalog.configured_dir(), "services")
    if values.get("service") not in services:
        errors["service"] = N_("Choose one of the options.")
    outcome = values.get("outcome")
    if outcome is not None or deciding:
        errors |= _outcome_errors(outcome)
    unit = values.get("scope_unit")
    amount = values.get("scope_amount")
    if unit is not None and unit not in SCOPE_UNITS:
        errors["scope_unit"] = N_("Choose one of the options.")
    if (unit is None) != (amount is None):
        errors["scope_amount"] = N_("Give both an amount and what it counts.")
    else:
        errors |= _amount_errors(amount, unit)
    errors |= _date_errors(values, today)
    valid_to = values.get("valid_to")
    reasons = catalog.entries(catalog.configured_dir(), "reasons")
    unknown = [r for r in _reason_keys(values.get("reasons", "")) if r not in reasons]
    if unknown:
        errors["reasons"] = N_("Unknown reason: choose from the list.")
    if outcome in (DecisionOutcome.REFUSED, DecisionOutcome.PARTLY_APPROVED) and not _reason_keys(
        values.get("reasons", "")
    ):
        errors["reasons"] = N_("Choose at least one reason for a refusal.")
    if outcome == DecisionOutcome.ENDED and not (valid_to or values.get("decided_on")):
        errors["valid_to"] = N_("Give the day the support ends.")
    if errors:
        raise InvalidInput(errors)


def announce(
    session: Session,
    client: Client,
    *,
    service: str,
    expected_on: date,
    staff_id: int | None = None,
    now: datetime | None = None,
    **source,
) -> Decision:
    """Tell the client a decision is coming, and how to talk to the case worker first."""
    now = now or utcnow()
    today = local_date(now)
    validate({"service": service}, deciding=False, today=today)
    _check_expected_on(expected_on, today)
    decision = Decision(
        client_id=saved_id(client),
        staff_id=staff_id,
        service=service,
        status=DecisionStatus.ANNOUNCED,
        expected_on=expected_on,
        **source,
    )
    session.add(decision)
    session.flush()
    _plan_heads_up(session, client, decision, now)
    return decision


def check_heads_up(service: str, expected_on: date | None, *, now: datetime | None = None) -> None:
    """Raise InvalidInput when a heads-up with this service and expected day could not be
    sent (as announce() would refuse it), so a preview is never shown for one."""
    today = local_date(now or utcnow())
    validate({"service": service}, deciding=False, today=today)
    _check_expected_on(expected_on, today)


def _check_expected_on(expected_on: date | None, today: date) -> None:
    if not isinstance(expected_on, date) or expected_on < today:
        raise InvalidInput(
            {"expected_on": N_("Give the day the decision is expected, today or later.")}
        )
    if problem := _out_of_range(expected_on, today, today + HEADS_UP_AHEAD):
        raise InvalidInput({"expected_on": problem})


def _plan_heads_up(session: Session, client: Client, decision: Decision, now: datetime) -> None:
    add_message(
        session,
        kind="decision_heads_up",
        client=client,
        dedupe_key=f"decision:{decision.id}:v{decision.version}:heads-up",
        due_at=now,
        subject_type=SubjectType.DECISION,
        subject_id=decision.id,
        subject_version=decision.version,
    )


def heads_up_planned(session: Session, decision: Decision) -> bool:
    """Whether a heads-up about this decision is waiting to go out or has gone out."""
    if decision.id is None:
        return False
    return has_message(
        session,
        SubjectType.DECISION,
        decision.id,
        ("decision_heads_up",),
        (OutboxStatus.PENDING, *SENT_STATUSES),
    )


def heads_up_first(
    session: Session,
    client: Client,
    draft: Decision,
    *,
    expected_on: date,
    now: datetime | None = None,
) -> Decision:
    """Send the heads-up before a drafted decision (a refusal or an ending) is sent: what
    is being looked at, when the decision comes, and an offer to meet. The draft stays a
    draft, to be sent later."""
    now = now or utcnow()
    if draft.status != DecisionStatus.DRAFT:
        raise InvalidInput({"status": N_("Only a draft can get a heads-up first.")})
    _check_expected_on(expected_on, local_date(now))
    if heads_up_planned(session, draft):
        raise InvalidInput({"status": N_("A heads-up about this decision is already on its way.")})
    draft.expected_on = expected_on
    draft.updated_at = now
    session.add(draft)
    session.flush()
    _plan_heads_up(session, client, draft, now)
    return draft


def decide(
    session: Session,
    client: Client,
    decision: Decision | None = None,
    *,
    now: datetime | None = None,
    **values,
) -> Decision:
    """Record a decision (new, or one announced before) and send its plain summary."""
    now = now or utcnow()
    values.setdefault("decided_on", local_date(now))
    values["reasons"] = ",".join(_reason_keys(values.get("reasons", "")))
    if decision is not None:
        values.setdefault("service", decision.service)
    validate(values, today=local_date(now))
    if decision is None:
        decision = Decision(client_id=saved_id(client), service=values["service"])
    elif decision.status == DecisionStatus.DECIDED:
        raise InvalidInput({"status": N_("This decision is already made; record a new one.")})
    for field, value in values.items():
        setattr(decision, field, value)
    decision.status = DecisionStatus.DECIDED
    decision.version += 1
    decision.updated_at = now
    session.add(decision)
    session.flush()
    cancel_pending(
        session, SubjectType.DECISION, saved_id(decision), except_version=decision.version
    )
    applications.decision_made(session, client, decision, now)  # its summary is the message
    key = f"decision:{decision.id}:v{decision.version}"
    common: dict[str, Any] = dict(
        client=client,
        subject_type=SubjectType.DECISION,
        subject_id=decision.id,
        subject_version=decision.version,
    )
    add_message(
        session,
        kind=f"decision_{decision.outcome}",
        dedupe_key=f"{key}:summary",
        due_at=now,
        **common,
    )
    if decision.outcome in CONTINUING and decision.valid_to:
        _plan_ending(session, decision, key, now, common)
    return decision


def _plan_ending(
    session: Session, decision: Decision, key: str, now: datetime, common: dict[str, Any]
) -> None:
    """The notices before the support ends, at each lead time still ahead; when every one
    has passed but the support has not ended, one at once (the planner holds it to the
    sending window and phone hours): the client must still hear it in time to apply."""
    if decision.valid_to is None:
        return
    ahead = [
        (f"{days}d", at)
        for days in ending_notice_days(decision.service)
        if (at := at_local(decision.valid_to - timedelta(days=days))) > now
    ]
    if not ahead and decision.valid_to >= local_date(now):
        ahead = [("now", now)]
    for lead, at in ahead:
        add_message(
            session,
            kind="support_ending",
            dedupe_key=f"{key}:ending:{lead}",
            due_at=at,
            **common,
        )


def withdraw(session: Session, decision: Decision, *, now: datetime | None = None) -> Decision:
    """Withdraw a decision: nothing more is sent about it, and an application it decided is
    back at the step before. Withdrawing twice changes nothing."""
    if decision.status == DecisionStatus.WITHDRAWN:
        return decision
    now = now or utcnow()
    decision.status = DecisionStatus.WITHDRAWN
    decision.version += 1
    decision.updated_at = now
    session.add(decision)
    cancel_pending(session, SubjectType.DECISION, saved_id(decision), reason="decision withdrawn")
    applications.decision_withdrawn(session, decision, now)  # back to before the decision
    return decision


def superseded(session: Session, decision: Decision) -> bool:
    """Whether a decision made later on the same service continued or ended the support
    (a refusal of more help leaves it as it was): the older one's end is no longer true."""
    made = (decision.decided_on or EARLIEST_DAY, decision.id or 0)
    return any(
        other.service == decision.service
        and other.outcome in (*CONTINUING, DecisionOutcome.ENDED)
        and (other.decided_on or EARLIEST_DAY, other.id or 0) > made
        for other in reads_for(session).decided(decision.client_id)
    )


def still_wanted(
    session: Session, message: OutboxMessage, decision: Decision, now: datetime
) -> bool:
    """A message about a decision is current while the decision is unchanged. A heads-up
    sent before a draft is decided stays current while the draft is being changed. A
    notice before the support ends is current until a newer decision continues or ends
    the support (superseded)."""
    if message.kind == "decision_heads_up" and decision.status == DecisionStatus.DRAFT:
        return True
    if decision.version != message.subject_version:
        return False
    if message.kind == "decision_heads_up":
        return decision.status == DecisionStatus.ANNOUNCED
    if decision.status != DecisionStatus.DECIDED:
        return False
    return message.kind != "support_ending" or not superseded(session, decision)


def facts(session: Session, decision: Decision, client: Client, now: datetime) -> dict:
    """A decision as messages describe it, with the appeal deadline worked out."""
    received_on = decision.received_on or decision.decided_on
    appeal_by = appeal_deadline(received_on) if received_on else None
    apply = apply_by(decision.service, decision.valid_to) if decision.valid_to else None
    return {
        "decision": {
            "service": decision.service,
            "outcome": decision.outcome,
            "scope_amount": decision.scope_amount,
            "scope_unit": decision.scope_unit,
            "valid_from": decision.valid_from,
            "valid_to": decision.valid_to,
            "reasons": _reason_keys(decision.reasons),
            "decided_on": decision.decided_on,
            "expected_on": decision.expected_on,
            "appeal_by": appeal_by if appeal_by and appeal_by >= local_date(now) else None,
            "staff_name": staff_name(session, decision.staff_id),
            # Before support ends: the last day to apply again (None once it has passed:
            # then "apply now") and whether a new application is assessed anew.
            "apply_by": apply if apply and apply > local_date(now) else None,
            "assessed_again": assessed_again(decision.service),
        }
    }
