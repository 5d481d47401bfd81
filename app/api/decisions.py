"""Decisions by the system's own id: a heads-up that one is coming, the decision with its
plain summary, and withdrawal.

PUT with status `announced` sends the heads-up; with status `decided` the summary (for a
new decision, or for the one announced with the same id). A decision once made cannot be
changed: sending it again as it is changes nothing, otherwise it is refused.
"""

from datetime import datetime

from sqlmodel import Session

from app.api import resources
from app.api.auth import Caller, about, caller
from app.api.operations import operation
from app.api.schemas import DecisionIn, DecisionOut
from app.casework import decisions, system_ids
from app.db import get_session
from app.errors import InvalidInput
from app.models import Client, Decision, DecisionStatus, SubjectType, saved_id, utcnow

FIELDS = {"staff_id": "/staff_email", "client_id": "/client_source_id"}
DECIDED = ("service", "outcome", "scope_amount", "scope_unit", "valid_from", "valid_to",
           "reasons", "decided_on", "received_on")  # fmt: skip


def _reasons(decision: Decision) -> list[str]:
    return [k.strip() for k in decision.reasons.split(",") if k.strip()]


def decision_out(session: Session, decision: Decision) -> DecisionOut:
    """A decision as the API shows it, with the messages planned about it."""
    return DecisionOut(
        id=decision.id,
        source_id=decision.source_id,
        client_source_id=resources.source_id_of(session, Client, decision.client_id),
        status=decision.status,
        service=decision.service,
        outcome=decision.outcome,
        expected_on=decision.expected_on,
        scope_amount=decision.scope_amount,
        scope_unit=decision.scope_unit,
        valid_from=decision.valid_from,
        valid_to=decision.valid_to,
        reasons=_reasons(decision),
        decided_on=decision.decided_on,
        received_on=decision.received_on,
        staff_email=system_ids.email_of(session, decision.staff_id),
        version=decision.version,
        created_at=decision.created_at,
        updated_at=decision.updated_at,
        heads_up_sent=decisions.heads_up_sent(session, decision),
        messages=resources.messages_about(session, SubjectType.DECISION, saved_id(decision)),
    )


def _announce(session, who, source_id, body, client, existing, staff_id, now):
    if existing is None:
        decision = decisions.announce(
            session, client, service=body.service, expected_on=body.expected_on,
            staff_id=staff_id, now=now, **resources.source(who, Decision, source_id),
        )  # fmt: skip
        who.record(session, "decision_announced", client_id=client.id,
                   subject_type=SubjectType.DECISION, subject_id=decision.id)  # fmt: skip
        return decision, True
    if existing.status != DecisionStatus.ANNOUNCED:
        raise InvalidInput({"status": "This decision is made already; no heads-up can follow."})
    differing = [
        name
        for name in ("service", "expected_on")
        if getattr(existing, name) != getattr(body, name)
    ]
    if differing:
        raise resources.unchangeable(differing, "heads-up")
    return existing, False


def _same_decision(existing: Decision, values: dict) -> bool:
    current = {name: getattr(existing, name) for name in DECIDED} | {"reasons": _reasons(existing)}
    return all(current[name] == value for name, value in values.items())


def put_decision(
    session: Session, who: Caller, source_id: str, body: DecisionIn, now: datetime | None = None
) -> tuple[Decision, bool]:
    """Announce or record the decision (nothing committed); returns it and whether new."""
    now = now or utcnow()
    client = resources.client_named(session, who, body.client_source_id)
    existing = resources.find(session, who, Decision, source_id)
    if existing is not None and existing.client_id != client.id:
        raise InvalidInput({"client_id": "A decision cannot move to another client."})
    staff_id = resources.staff_id(session, who, body.staff_email, "/staff_email")
    staff_id = staff_id or (existing.staff_id if existing else None) or client.caseworker_id
    if body.status == "announced":
        return _announce(session, who, source_id, body, client, existing, staff_id, now)
    values = {name: getattr(body, name) for name in DECIDED}
    values = {k: v for k, v in values.items() if v is not None or k in body.model_fields_set}
    if values.get("decided_on") is None:  # the domain's default: today
        values.pop("decided_on", None)
    if existing is not None:
        if existing.status == DecisionStatus.WITHDRAWN:
            raise InvalidInput({"status": "This decision was withdrawn; send a new one."})
        if existing.status == DecisionStatus.DECIDED and _same_decision(existing, values):
            return existing, False
    decision = decisions.decide(
        session,
        client,
        existing,
        now=now,
        staff_id=staff_id,
        **values,
        **({} if existing else resources.source(who, Decision, source_id)),
    )
    who.record(session, "decision_sent", client_id=client.id, subject_type=SubjectType.DECISION,
               subject_id=decision.id, detail=f"decision_{decision.outcome}")  # fmt: skip
    return decision, existing is None


@operation(
    "PUT",
    "/decisions/{source_id}",
    summary="Announce or record a decision",
    tag="Decisions",
    body=DecisionIn,
    responses={
        200: (DecisionOut, "The decision was there; an announced one is now decided"),
        201: (DecisionOut, "A new decision: its heads-up or summary goes out now"),
    },
)
def decision_put(source_id: str, body: DecisionIn):
    """`announced`: tell the client a decision about `service` is expected on
    `expected_on`. `decided`: send the plain summary with the appeal date (three weeks from
    `received_on`, or `decided_on` when that is not known, moved past holidays). The
    letter stays the formal decision."""
    session = get_session()
    with resources.writing(session, FIELDS):
        decision, created = put_decision(session, caller(), source_id, body)
        session.commit()
    about(decision.client_id, SubjectType.DECISION, decision.id)
    return decision_out(session, decision), 201 if created else 200


@operation(
    "GET",
    "/decisions/{source_id}",
    summary="A decision",
    tag="Decisions",
    responses={200: (DecisionOut, "The decision")},
)
def decision_get(source_id: str):
    """The decision your system knows by `source_id`."""
    session = get_session()
    decision = resources.find_or_404(session, caller(), Decision, source_id)
    about(decision.client_id, SubjectType.DECISION, decision.id)
    return decision_out(session, decision), 200


@operation(
    "POST",
    "/decisions/{source_id}/withdraw",
    summary="Withdraw a decision",
    tag="Decisions",
    responses={200: (DecisionOut, "Withdrawn: messages not yet sent are cancelled")},
)
def decision_withdraw(source_id: str):
    """Withdraw the decision: messages about it that have not gone out are cancelled (the
    client is not told). Withdrawing twice changes nothing."""
    session = get_session()
    who = caller()
    decision = resources.find_or_404(session, who, Decision, source_id)
    if decision.status != DecisionStatus.WITHDRAWN:
        decisions.withdraw(session, decision)
        who.record(session, "decision_withdrawn", client_id=decision.client_id,
                   subject_type=SubjectType.DECISION, subject_id=decision.id)  # fmt: skip
        resources.commit(session)
    about(decision.client_id, SubjectType.DECISION, decision.id)
    return decision_out(session, decision), 200
