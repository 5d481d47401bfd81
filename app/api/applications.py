"""Applications by the system's own id: register one, move it step by step, tell a delay,
and read them (one, or a client's all).

Every write goes through app/casework/applications.py, as on the admin page: a step
forward tells the client, going back tells nothing, and sending the same again changes
nothing.
"""

from datetime import datetime

from sqlmodel import Session

from app.api import resources
from app.api.auth import Caller, about, caller
from app.api.operations import operation
from app.api.problems import field_error, invalid
from app.api.schemas import (
    ApplicationDelayIn,
    ApplicationIn,
    ApplicationList,
    ApplicationOut,
    ApplicationStepIn,
)
from app.casework import applications, system_ids
from app.db import get_session
from app.errors import InvalidInput
from app.models import Application, Client, Decision, SubjectType, saved_id, utcnow
from app.outbox.planner import local_date

FIELDS = {
    "staff_id": "/staff_email",
    "client_id": "/client_source_id",
    "decision_id": "/decision_source_id",
    "delay_reason": "/reason",
}
FIXED = ("service", "received_on")  # what an application keeps once made


def application_out(session: Session, application: Application) -> ApplicationOut:
    """An application as the API shows it, with the messages planned about it."""
    return ApplicationOut(
        id=saved_id(application),
        source_id=application.source_id,
        client_source_id=resources.source_id_of(session, Client, application.client_id),
        service=application.service,
        step=application.step,
        received_on=application.received_on,
        decision_expected_on=application.decision_expected_on,
        answer_by=application.answer_by,
        comment_received_on=application.comment_received_on,
        decision_source_id=resources.source_id_of(session, Decision, application.decision_id),
        start_expected_on=application.start_expected_on,
        delay_reason=application.delay_reason,
        started_on=application.started_on,
        staff_email=system_ids.email_of(session, application.staff_id),
        version=application.version,
        created_at=application.created_at,
        updated_at=application.updated_at,
        messages=resources.messages_about(session, SubjectType.APPLICATION, saved_id(application)),
    )


def put_application(
    session: Session, who: Caller, source_id: str, body: ApplicationIn, now: datetime | None = None
) -> tuple[Application, bool]:
    """Register the application, or keep the one there (nothing committed); returns it and
    whether it is new."""
    now = now or utcnow()
    client = resources.client_named(session, who, body.client_source_id)
    existing = resources.find(session, who, Application, source_id)
    staff_id = resources.staff_id(session, who, body.staff_email, "/staff_email")
    if existing is None:
        application = applications.receive(
            session, client, service=body.service, received_on=body.received_on,
            decision_expected_on=body.decision_expected_on, staff_id=staff_id, now=now,
            **resources.source(who, Application, source_id),
        )  # fmt: skip
        who.record(session, "application_received", client_id=client.id,
                   subject_type=SubjectType.APPLICATION, subject_id=application.id)  # fmt: skip
        return application, True
    if existing.client_id != client.id:
        raise InvalidInput({"client_id": "An application cannot move to another client."})
    differing = [name for name in FIXED if getattr(existing, name) != getattr(body, name)]
    if differing:
        raise resources.unchangeable(differing, "application's service or received date")
    # Left out of a repeat, the day given before stands (sending it again changes nothing).
    given = "decision_expected_on" in body.model_fields_set
    if given and body.decision_expected_on != existing.decision_expected_on:
        applications.validate(
            {"service": existing.service, "received_on": existing.received_on,
             "decision_expected_on": body.decision_expected_on},
            local_date(now),
        )  # fmt: skip
        existing.decision_expected_on = body.decision_expected_on
        existing.updated_at = now
    if staff_id is not None:
        existing.staff_id = staff_id
    session.add(existing)
    return existing, False


@operation(
    "PUT",
    "/applications/{source_id}",
    summary="Register an application",
    tag="Applications",
    body=ApplicationIn,
    responses={
        200: (ApplicationOut, "The application was there: kept as it is"),
        201: (ApplicationOut, "A new application: the client is told it came"),
    },
)
def application_put(source_id: str, body: ApplicationIn):
    """A new application tells the client it came (on `received_on`), what happens next
    and, with `decision_expected_on`, roughly when a decision comes. Sending it again
    changes nothing; a new `decision_expected_on` is kept without a message."""
    session = get_session()
    with resources.writing(session, FIELDS):
        application, created = put_application(session, caller(), source_id, body)
        session.commit()
    about(application.client_id, SubjectType.APPLICATION, application.id)
    return application_out(session, application), 201 if created else 200


@operation(
    "GET",
    "/applications/{source_id}",
    summary="An application",
    tag="Applications",
    responses={200: (ApplicationOut, "The application")},
)
def application_get(source_id: str):
    """The application your system knows by `source_id`, with its step."""
    session = get_session()
    application = resources.find_or_404(session, caller(), Application, source_id)
    about(application.client_id, SubjectType.APPLICATION, application.id)
    return application_out(session, application), 200


@operation(
    "GET",
    "/clients/{source_id}/applications",
    summary="A client's applications",
    tag="Applications",
    responses={200: (ApplicationList, "The client's applications, the latest received first")},
)
def client_applications(source_id: str):
    """Every application of the client your system knows by `source_id`."""
    session = get_session()
    client = resources.find_or_404(session, caller(), Client, source_id)
    about(client.id)
    found = applications.for_client(session, saved_id(client))
    return ApplicationList(items=[application_out(session, a) for a in found]), 200


def _decision(session: Session, who: Caller, source_id: str | None) -> Decision | None:
    if source_id is None:
        return None
    decision = resources.find(session, who, Decision, source_id)
    if decision is None:
        raise invalid([field_error("/decision_source_id", "Your unit has no such decision.")])
    return decision


@operation(
    "POST",
    "/applications/{source_id}/step",
    summary="Move an application to a step",
    tag="Applications",
    body=ApplicationStepIn,
    responses={200: (ApplicationOut, "The application at its step")},
)
def application_step(source_id: str, body: ApplicationStepIn):
    """`investigating`; `comment` with `answer_by`, 3 to 90 days ahead (the client is told
    how to answer, and reminded three days before unless you report the comment or the
    client texted us since); `decided` with `decision_source_id` (a decision about the same
    service sent through /decisions moves the application there by itself, and its summary
    is the message); `waiting` with `start_expected_on` and `started` only under a linked
    decision that grants the support (approved or partly approved; else 422); `withdrawn`
    or `closed`. Back to an earlier step tells the client nothing and cancels what the later
    step planned. The same step again without a new day changes nothing. An ended
    (withdrawn or closed) application cannot move to a working step (422): register a new
    one."""
    session = get_session()
    who = caller()
    application = resources.find_or_404(session, who, Application, source_id)
    client = session.get_one(Client, application.client_id)
    with resources.writing(session, FIELDS):
        decision = _decision(session, who, body.decision_source_id)
        before = application.step
        if applications.move(
            session, client, application, body.step, answer_by=body.answer_by,
            start_expected_on=body.start_expected_on, started_on=body.started_on,
            decision=decision,
        ):  # fmt: skip
            who.record(session, "application_step", client_id=client.id,
                       subject_type=SubjectType.APPLICATION, subject_id=application.id,
                       detail=f"{before}->{body.step}")  # fmt: skip
        session.commit()
    about(application.client_id, SubjectType.APPLICATION, application.id)
    return application_out(session, application), 200


@operation(
    "POST",
    "/applications/{source_id}/delay",
    summary="Tell that granted support starts later",
    tag="Applications",
    body=ApplicationDelayIn,
    responses={200: (ApplicationOut, "The new expected start, told to the client")},
)
def application_delay(source_id: str, body: ApplicationDelayIn):
    """For an application at `waiting`: the client is told the new day (later than the one
    before) and why, from the `delays` catalog. The same delay sent again changes nothing."""
    session = get_session()
    who = caller()
    application = resources.find_or_404(session, who, Application, source_id)
    client = session.get_one(Client, application.client_id)
    same = (application.start_expected_on, application.delay_reason) == (
        body.start_expected_on,
        body.reason,
    )
    if not same:
        with resources.writing(session, FIELDS):
            applications.delay(
                session, client, application, start_expected_on=body.start_expected_on,
                reason=body.reason,
            )  # fmt: skip
            who.record(session, "application_delayed", client_id=client.id,
                       subject_type=SubjectType.APPLICATION, subject_id=application.id)  # fmt: skip
            session.commit()
    about(application.client_id, SubjectType.APPLICATION, application.id)
    return application_out(session, application), 200


@operation(
    "POST",
    "/applications/{source_id}/comment-received",
    summary="The client has given their comment",
    tag="Applications",
    responses={200: (ApplicationOut, "Noted: no reminder to comment is sent")},
)
def application_commented(source_id: str):
    """The client answered the investigation sent for comment: the reminder before the
    answer day is not sent. Reporting it again, or for an application not at `comment`,
    changes nothing."""
    session = get_session()
    who = caller()
    application = resources.find_or_404(session, who, Application, source_id)
    if applications.comment_received(session, application):
        who.record(session, "application_commented", client_id=application.client_id,
                   subject_type=SubjectType.APPLICATION, subject_id=application.id)  # fmt: skip
        resources.commit(session)
    about(application.client_id, SubjectType.APPLICATION, application.id)
    return application_out(session, application), 200
