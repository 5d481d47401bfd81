"""Applications: each step told to the client when it happens.

Received (what happens next, and roughly when a decision comes), being investigated,
sent for the client's comment (kommunicering: the day to answer by, and how), decided
(the decision's own summary is the message), granted but not yet started (the expected
start; a delay tells the new day and why), and started. Every change of step raises the
version, so what the old step planned is cancelled. Going back a step corrects a mistake:
the client is told nothing new, and nothing the later step planned goes out. Support is
told to start (waiting, started, delayed) only under a decision that grants it. An ended
application (withdrawn, closed) stays ended: a new application is registered instead.
"""

from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.casework import catalog
from app.errors import N_, InvalidInput, StaffMessage
from app.models import (
    Application,
    ApplicationStep,
    Client,
    Decision,
    DecisionOutcome,
    DecisionStatus,
    InboundMessage,
    Intent,
    OutboxMessage,
    SubjectType,
    saved_id,
    utcnow,
)
from app.outbox.facts import staff_name
from app.outbox.planner import add_message, at_local, cancel_pending, local_date

Step = ApplicationStep
# The working steps in order; WITHDRAWN and CLOSED end an application from any of them.
ORDER = (Step.RECEIVED, Step.INVESTIGATING, Step.COMMENT, Step.DECIDED, Step.WAITING, Step.STARTED)
ENDED = (Step.WITHDRAWN, Step.CLOSED)
# What a step tells the client when the application reaches it (deciding: the decision's
# own summary; ending: nothing).
STEP_KINDS = {
    Step.RECEIVED: "application_received",
    Step.INVESTIGATING: "application_investigating",
    Step.COMMENT: "application_comment",
    Step.WAITING: "support_waiting",
    Step.STARTED: "support_started",
}
KINDS = (*STEP_KINDS.values(), "application_comment_reminder", "support_delayed")
# Which step each message is true in.
KIND_STEPS = {kind: step for step, kind in STEP_KINDS.items()} | {
    "application_comment_reminder": Step.COMMENT,
    "support_delayed": Step.WAITING,
}
COMMENT_REMINDER_BEFORE = timedelta(days=3)  # before the answer day, if no answer came
EARLIEST_DAY = date(2000, 1, 1)
AHEAD = timedelta(days=2 * 365)  # the furthest a decision or a start is expected
ANSWER_AHEAD = timedelta(days=90)  # the furthest an answer day for a comment is set
# The nearest answer day: the client needs days to read, think and get help answering.
ANSWER_FIRST = timedelta(days=3)
# Decisions under which support starts (a changed decision is about support already going).
GRANTING = (DecisionOutcome.APPROVED, DecisionOutcome.PARTLY_APPROVED)
DECIDED_SHOWN = timedelta(weeks=8)  # a decided application stays on the overview this long


def rank(step: str) -> int:
    """A step's place in the order; an ended application is past every working step."""
    return ORDER.index(Step(step)) if step in ORDER else len(ORDER)


def _day_error(day: object, first: date, last: date) -> str | None:
    if not isinstance(day, date):
        return N_("Give a date.")
    if first <= day <= last:
        return None
    return StaffMessage(
        N_("Give a date from %(first)s to %(last)s."),
        first=first.isoformat(),
        last=last.isoformat(),
    )


def validate(values: dict, today: date) -> None:
    """Raise InvalidInput naming every field of a new application that is wrong."""
    errors: dict[str, str] = {}
    if values.get("service") not in catalog.entries(catalog.configured_dir(), "services"):
        errors["service"] = N_("Choose one of the options.")
    received_on = values.get("received_on")
    if problem := _day_error(received_on, EARLIEST_DAY, today):
        errors["received_on"] = problem
    expected = values.get("decision_expected_on")
    if expected is not None:
        first = received_on if isinstance(received_on, date) else EARLIEST_DAY
        if problem := _day_error(expected, first, today + AHEAD):
            errors["decision_expected_on"] = problem
    if errors:
        raise InvalidInput(errors)


def _plan(session: Session, application: Application, client: Client, kind: str, due_at: datetime,
          suffix: str) -> None:  # fmt: skip
    add_message(
        session,
        kind=kind,
        client=client,
        dedupe_key=f"application:{application.id}:v{application.version}:{suffix}",
        due_at=due_at,
        subject_type=SubjectType.APPLICATION,
        subject_id=application.id,
        subject_version=application.version,
    )


def _changed(session: Session, application: Application, now: datetime) -> None:
    """A new version: what the old one planned is cancelled."""
    application.version += 1
    application.updated_at = now
    session.add(application)
    session.flush()
    cancel_pending(
        session, SubjectType.APPLICATION, saved_id(application), except_version=application.version
    )


def receive(
    session: Session,
    client: Client,
    *,
    service: str,
    received_on: date,
    decision_expected_on: date | None = None,
    staff_id: int | None = None,
    now: datetime | None = None,
    **source: Any,
) -> Application:
    """Record a new application and tell the client it came, what happens next and roughly
    when a decision comes."""
    now = now or utcnow()
    values = dict(
        service=service, received_on=received_on, decision_expected_on=decision_expected_on
    )
    validate(values, local_date(now))
    application = Application(
        client_id=saved_id(client),
        staff_id=staff_id or client.caseworker_id,
        service=service,
        received_on=received_on,
        decision_expected_on=decision_expected_on,
        step=Step.RECEIVED,
        step_changed_at=now,
        source_system=source.get("source_system"),
        source_id=source.get("source_id"),
        source_unit_id=source.get("source_unit_id"),
    )
    session.add(application)
    session.flush()
    _plan(session, application, client, "application_received", now, "received")
    return application


def _day_value(name: str, day: date | None, first: date, last: date, missing: str) -> dict:
    """{name: day}, or InvalidInput when the day is missing or out of first..last."""
    if day is None:
        raise InvalidInput({name: missing})
    if problem := _day_error(day, first, last):
        raise InvalidInput({name: problem})
    return {name: day}


def _decision_value(session: Session, application: Application, decision: Decision | None) -> dict:
    """{decision_id: …} for a decision made about the application's client, or InvalidInput."""
    if decision is None and application.decision_id:
        decision = session.get(Decision, application.decision_id)
    if decision is None:
        problem = N_("Choose the decision it led to.")
    elif decision.client_id != application.client_id:
        problem = N_("The decision is about another client.")
    elif decision.status != DecisionStatus.DECIDED:
        problem = N_("Send the decision's summary first; then it can be linked.")
    else:
        return {"decision_id": decision.id}
    raise InvalidInput({"decision_id": problem})


def _grant_value(session: Session, application: Application, decision: Decision | None) -> dict:
    """{decision_id: …} for a decision made that grants the support, or InvalidInput: only
    then may the client be told that support starts."""
    if decision is None and application.decision_id:
        decision = session.get(Decision, application.decision_id)
    if (
        decision is not None
        and decision.client_id == application.client_id
        and decision.status == DecisionStatus.DECIDED
        and decision.outcome in GRANTING
    ):
        return {"decision_id": decision.id}
    raise InvalidInput({"decision_id": N_(
        "Support can be told to start only when a decision grants it. "
        "Link an approved or partly approved decision first."
    )})  # fmt: skip


def _answer_by_value(answer_by: date | None, today: date) -> dict:
    """{answer_by: day} at least ANSWER_FIRST ahead, or InvalidInput saying so."""
    first, last = today + ANSWER_FIRST, today + ANSWER_AHEAD
    if answer_by is None:
        raise InvalidInput({"answer_by": N_("Give the day to answer by.")})
    if isinstance(answer_by, date) and not first <= answer_by <= last:
        raise InvalidInput({"answer_by": StaffMessage(
            N_("Give a day from %(first)s to %(last)s: the client needs at least "
               "3 days to answer."),
            first=first.isoformat(), last=last.isoformat(),
        )})  # fmt: skip
    return _day_value("answer_by", answer_by, first, last, N_("Give the day to answer by."))


def _kept(application: Application, step: Step, name: str, given: dict) -> bool:
    """The same step again without a new day: the day it has stands (unchecked, as days
    may have passed since), so the repeat changes nothing."""
    return application.step == step and given.get(name) in (None, getattr(application, name))


def _step_values(
    session: Session, application: Application, step: Step, given: dict, today: date
) -> dict:
    """What moving to `step` sets, from what was given (or kept before), or InvalidInput."""
    if step == Step.COMMENT:
        if _kept(application, step, "answer_by", given):
            return {"answer_by": application.answer_by}
        return _answer_by_value(given.get("answer_by") or application.answer_by, today)
    if step == Step.DECIDED:
        return _decision_value(session, application, given.get("decision"))
    if step == Step.WAITING:
        granted = _grant_value(session, application, given.get("decision"))
        if _kept(application, step, "start_expected_on", given):
            return granted | {"start_expected_on": application.start_expected_on}
        start = given.get("start_expected_on") or application.start_expected_on
        missing = N_("Give the day the support is expected to start.")
        return granted | _day_value("start_expected_on", start, today, today + AHEAD, missing)
    if step == Step.STARTED:
        granted = _grant_value(session, application, given.get("decision"))
        if _kept(application, step, "started_on", given):
            return granted | {"started_on": application.started_on}
        started = given.get("started_on") or today
        first = application.received_on
        return granted | _day_value("started_on", started, first, today, N_("Give a date."))
    return {}


def move(
    session: Session,
    client: Client,
    application: Application,
    step: str,
    *,
    now: datetime | None = None,
    **given: Any,
) -> bool:
    """Move the application to `step` with what that step needs (answer_by, decision,
    start_expected_on, started_on). Forward, or the same step with new facts, tells the
    client; back (a correction) or ending tells nothing. Returns whether anything changed:
    the same step with the same facts changes nothing."""
    now = now or utcnow()
    if step not in set(Step):
        raise InvalidInput({"step": N_("Choose one of the options.")})
    target = Step(step)
    if application.step in ENDED and target not in ENDED:
        raise InvalidInput({"step": N_(
            "This application has ended (withdrawn or closed) and cannot move on. "
            "If the client applies again, register a new application."
        )})  # fmt: skip
    values = _step_values(session, application, target, given, local_date(now))
    if target == application.step and all(
        getattr(application, name) == value for name, value in values.items()
    ):
        return False
    forward = rank(target) >= rank(application.step) and target not in ENDED
    if target == Step.WAITING and application.step == Step.WAITING:
        forward = True  # a new start day while waiting: the client is told the new day
    for name, value in values.items():
        setattr(application, name, value)
    if rank(target) < rank(Step.DECIDED):
        application.decision_id = None  # back before the decision: it no longer applies
    if target != Step.WAITING or application.step != Step.WAITING:
        application.delay_reason = None
    if target == Step.COMMENT and application.step != Step.COMMENT:
        application.comment_received_on = None
    application.step = target
    application.step_changed_at = now
    _changed(session, application, now)
    kind = STEP_KINDS.get(target)
    if forward and kind:
        _plan(session, application, client, kind, now, target.value)
        if target == Step.COMMENT:
            _plan_comment_reminder(session, application, client, now)
    return True


def _plan_comment_reminder(session: Session, application: Application, client: Client,
                           now: datetime) -> None:  # fmt: skip
    """A reminder a few days before the answer day, sent only if no answer came by then."""
    if application.answer_by is None:
        return
    at = at_local(application.answer_by - COMMENT_REMINDER_BEFORE)
    if at > now + timedelta(days=1):  # not right after the request itself
        _plan(session, application, client, "application_comment_reminder", at, "comment-reminder")


def delay(
    session: Session,
    client: Client,
    application: Application,
    *,
    start_expected_on: date,
    reason: str,
    now: datetime | None = None,
) -> Application:
    """Granted support starts later than the client was told: tell the new day and why."""
    now = now or utcnow()
    today = local_date(now)
    errors: dict[str, str] = {}
    if application.step != Step.WAITING:
        errors["step"] = N_("Only support that is waiting to start can be delayed.")
    else:
        try:
            _grant_value(session, application, None)
        except InvalidInput as exc:
            errors |= exc.errors
    if reason not in catalog.entries(catalog.configured_dir(), "delays"):
        errors["delay_reason"] = N_("Choose one of the options.")
    if problem := _day_error(start_expected_on, today, today + AHEAD):
        errors["start_expected_on"] = problem
    elif application.start_expected_on and start_expected_on <= application.start_expected_on:
        errors["start_expected_on"] = N_("A delay moves the start later than the day given before.")
    if errors:
        raise InvalidInput(errors)
    application.start_expected_on = start_expected_on
    application.delay_reason = reason
    _changed(session, application, now)
    _plan(session, application, client, "support_delayed", now, "delayed")
    return application


def comment_received(
    session: Session, application: Application, *, on: date | None = None,
    now: datetime | None = None,
) -> bool:  # fmt: skip
    """The client has given their comment: no reminder about it goes out. Returns whether
    anything changed: only an application at the comment step with no comment yet does
    (a second report keeps the first day)."""
    if application.step != Step.COMMENT or application.comment_received_on is not None:
        return False
    now = now or utcnow()
    application.comment_received_on = on or local_date(now)
    application.updated_at = now
    session.add(application)
    cancel_pending(
        session, SubjectType.APPLICATION, saved_id(application),
        kinds=("application_comment_reminder",), reason="comment received",
    )  # fmt: skip
    return True


def decision_made(session: Session, client: Client, decision: Decision, now: datetime) -> None:
    """A decision was made: the client's oldest open application for the same service (or
    the one linked to it) moves to decided, silently: the decision's summary is the message."""
    query = (
        select(Application)
        .where(
            Application.client_id == client.id,
            col(Application.step).in_([s.value for s in ORDER[: ORDER.index(Step.DECIDED)]]),
            Application.service == decision.service,
        )
        .order_by(col(Application.received_on), col(Application.id))
    )
    application = session.exec(query).first()
    if application is not None:
        application.decision_id = decision.id
        application.step = Step.DECIDED
        application.step_changed_at = now
        _changed(session, application, now)


def decision_withdrawn(session: Session, decision: Decision, now: datetime) -> None:
    """A decision was withdrawn: the applications it decided are unlinked and back at the
    step before it (the comment, if there was one, else being investigated), silently: the
    withdrawal is the decision's own matter, and support it granted is no longer due."""
    query = select(Application).where(Application.decision_id == decision.id)
    for application in session.exec(query).all():
        application.decision_id = None
        if application.step in ENDED:
            session.add(application)
            continue
        application.step = Step.COMMENT if application.answer_by else Step.INVESTIGATING
        application.step_changed_at = now
        application.start_expected_on = None
        application.delay_reason = None
        application.started_on = None
        _changed(session, application, now)


def got_in_touch(session: Session, application: Application) -> bool:
    """Whether the client (or a representative of theirs) wrote in their own words since
    the application went for their comment: a person reads it, so no reminder is needed.
    What the words say is not read here (app/sms/keywords.py decides what a text is)."""
    query = select(InboundMessage.id).where(
        InboundMessage.client_id == application.client_id,
        InboundMessage.intent == Intent.FREE_TEXT,
        InboundMessage.received_at >= application.step_changed_at,
    )
    return session.exec(query.limit(1)).first() is not None


def awaiting_comment(session: Session, client_id: int) -> list[Application]:
    """The client's applications sent for their comment with no comment recorded yet."""
    query = (
        select(Application)
        .where(
            Application.client_id == client_id,
            Application.step == Step.COMMENT,
            col(Application.comment_received_on).is_(None),
        )
        .order_by(col(Application.received_on), col(Application.id))
    )
    return list(session.exec(query))


def for_client(session: Session, client_id: int) -> list[Application]:
    """The client's applications, the latest received first."""
    query = (
        select(Application)
        .where(Application.client_id == client_id)
        .order_by(col(Application.received_on).desc(), col(Application.id).desc())
    )
    return list(session.exec(query))


def still_wanted(
    session: Session, message: OutboxMessage, application: Application, now: datetime
) -> bool:
    """A message about an application is current while its version and step are; a
    reminder to comment also needs no comment yet, no text from the client since the
    request, and the answer day still ahead."""
    if application.version != message.subject_version:
        return False
    if application.step != KIND_STEPS.get(message.kind):
        return False
    if message.kind == "application_comment_reminder":
        return (
            application.comment_received_on is None
            and application.answer_by is not None
            and application.answer_by >= local_date(now)
            and not got_in_touch(session, application)
        )
    return True


def _decision(session: Session, application: Application) -> Decision | None:
    return session.get(Decision, application.decision_id) if application.decision_id else None


def facts(session: Session, application: Application, client: Client, now: datetime) -> dict:
    """An application as messages describe it."""
    today = local_date(now)
    expected = application.decision_expected_on
    return {
        "application": {
            "service": application.service,
            "step": application.step,
            "received_on": application.received_on,
            "decision_expected_on": expected if expected and expected >= today else None,
            "answer_by": application.answer_by,
            "start_expected_on": application.start_expected_on,
            "delay_reason": application.delay_reason,
            "started_on": application.started_on,
            "staff_name": staff_name(session, application.staff_id),
        }
    }


def _shown(application: Application, now: datetime) -> bool:
    """On the overview: an application still under way, or decided in the last weeks."""
    if application.step == Step.DECIDED:
        return now - application.step_changed_at <= DECIDED_SHOWN
    return rank(application.step) < rank(Step.STARTED)


def step_line(session: Session, application: Application, now: datetime) -> dict:
    """An application's steps in order, each `done`, `current` or `next`, with its day:
    the comment step only when there was one, the start only when support may follow."""
    from app.casework.decisions import CONTINUING  # decisions tells applications when decided

    decision = _decision(session, application)
    granted = decision is None or decision.outcome in CONTINUING
    steps: list[tuple[Step, date | None]] = [
        (Step.RECEIVED, application.received_on),
        (Step.INVESTIGATING, None),
    ]
    if application.answer_by is not None:
        steps.append((Step.COMMENT, application.answer_by))
    decided_on = decision.decided_on if decision else None
    steps.append((Step.DECIDED, decided_on or application.decision_expected_on))
    if granted:
        steps.append((Step.WAITING, application.start_expected_on))
    here = rank(application.step)
    return {
        "service": application.service,
        "delayed": application.delay_reason is not None,
        "outcome": decision.outcome if decision else None,
        "steps": [
            {
                "key": step.value,
                "day": day,
                "state": "done"
                if rank(step) < here
                else "current"
                if rank(step) == here
                else "next",
            }
            for step, day in steps
        ],
    }


def step_lines(session: Session, client: Client, now: datetime) -> list[dict]:
    """The step line of each of the client's open applications, the oldest first."""
    shown = [a for a in reversed(for_client(session, saved_id(client))) if _shown(a, now)]
    return [step_line(session, a, now) for a in shown]
