"""Handovers and absences by the system's own id: the client handed to another case worker
for good, or during an absence; and cancelling one.

A handover cannot change once made: sending it again as it is changes nothing, otherwise it
is refused. Cancel it and send a new one (with a new id) instead.
"""

from datetime import datetime

from sqlmodel import Session

from app.api import resources
from app.api.auth import Caller, about, caller
from app.api.operations import operation
from app.api.schemas import HandoverIn, HandoverOut
from app.casework import handovers, system_ids
from app.db import get_session
from app.models import Client, Handover, StaffUser, SubjectType, saved_id, utcnow

FIELDS = {"to_staff_id": "/to_staff_email"}


def handover_out(session: Session, handover: Handover) -> HandoverOut:
    """A handover as the API shows it, with the notices planned about it."""
    return HandoverOut(
        id=handover.id,
        source_id=handover.source_id,
        client_source_id=resources.source_id_of(session, Client, handover.client_id),
        kind=handover.kind,
        to_staff_email=system_ids.email_of(session, handover.to_staff_id),
        from_staff_email=system_ids.email_of(session, handover.from_staff_id),
        starts_on=handover.starts_on,
        ends_on=handover.ends_on,
        next_step=handover.next_step,
        file_passed_on=handover.file_passed_on,
        cancelled_at=handover.cancelled_at,
        created_at=handover.created_at,
        messages=resources.messages_about(session, SubjectType.HANDOVER, saved_id(handover)),
    )


def _differences(handover: Handover, client: Client, body: HandoverIn, to_id, from_id):
    wanted = {
        "client_source_id": (handover.client_id, client.id),
        "to_staff_email": (handover.to_staff_id, to_id),
        "kind": (handover.kind, body.kind),
        "starts_on": (handover.starts_on, body.starts_on),
        "ends_on": (handover.ends_on, body.ends_on),
        "next_step": (handover.next_step, body.next_step),
        "file_passed_on": (handover.file_passed_on, body.file_passed_on),
    }
    if from_id is not None:
        wanted["from_staff_email"] = (handover.from_staff_id, from_id)
    return [name for name, (current, sent) in wanted.items() if current != sent]


def put_handover(
    session: Session, who: Caller, source_id: str, body: HandoverIn, now: datetime | None = None
) -> tuple[Handover, bool]:
    """Record the handover (nothing committed); returns it and whether it is new."""
    client = resources.client_named(session, who, body.client_source_id)
    to_id = resources.staff_id(session, who, body.to_staff_email, "/to_staff_email")
    from_id = resources.staff_id(session, who, body.from_staff_email, "/from_staff_email")
    existing = resources.find(session, who, Handover, source_id)
    if existing is not None:
        differing = _differences(existing, client, body, to_id, from_id)
        if differing:
            raise resources.unchangeable(differing, "handover")
        return existing, False
    handover = handovers.hand_over(
        session,
        client,
        session.get_one(StaffUser, to_id),
        kind=body.kind,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        next_step=body.next_step,
        file_passed_on=body.file_passed_on,
        from_staff=session.get(StaffUser, from_id) if from_id else None,
        now=now or utcnow(),
    )
    for name, value in resources.source(who, Handover, source_id).items():
        setattr(handover, name, value)
    session.add(handover)
    session.flush()
    who.record(session, "handover_made", client_id=client.id, subject_type=SubjectType.HANDOVER,
               subject_id=handover.id,
               detail=f"{handover.kind} to staff {handover.to_staff_id}")  # fmt: skip
    return handover, True


@operation(
    "PUT",
    "/handovers/{source_id}",
    summary="Hand a client to another case worker",
    tag="Handovers",
    body=HandoverIn,
    responses={
        200: (HandoverOut, "The handover was there, as sent"),
        201: (HandoverOut, "A new handover; the client is told ahead of its first day"),
    },
)
def handover_put(source_id: str, body: HandoverIn):
    """Hand the client named by `client_source_id` to `to_staff_email`: for good
    (`permanent`, the new case worker from `starts_on`) or during an absence (`absence`,
    from `starts_on` to `ends_on`, with a message the day after it ends). The client is
    told the unit's notice days (default 7) before `starts_on`, within the sending window: at
    once when that time has passed, and for an absence that starts within a day. The notice
    says the new contact has the client's papers only with `file_passed_on`."""
    session = get_session()
    with resources.writing(session, FIELDS):
        handover, created = put_handover(session, caller(), source_id, body)
        session.commit()
    about(handover.client_id, SubjectType.HANDOVER, handover.id)
    return handover_out(session, handover), 201 if created else 200


@operation(
    "GET",
    "/handovers/{source_id}",
    summary="A handover",
    tag="Handovers",
    responses={200: (HandoverOut, "The handover")},
)
def handover_get(source_id: str):
    """The handover your system knows by `source_id`."""
    session = get_session()
    handover = resources.find_or_404(session, caller(), Handover, source_id)
    about(handover.client_id, SubjectType.HANDOVER, handover.id)
    return handover_out(session, handover), 200


@operation(
    "POST",
    "/handovers/{source_id}/cancel",
    summary="Cancel a handover",
    tag="Handovers",
    responses={200: (HandoverOut, "Cancelled: notices not yet sent are cancelled")},
)
def handover_cancel(source_id: str):
    """Cancel a handover that has not begun, or an absence before it is over. A permanent
    handover that has begun cannot be cancelled (422): hand the client back instead.
    Cancelling twice changes nothing."""
    session = get_session()
    who = caller()
    handover = resources.find_or_404(session, who, Handover, source_id)
    with resources.writing(session):
        if handover.cancelled_at is None:
            handovers.cancel(session, handover)
            who.record(session, "handover_cancelled", client_id=handover.client_id,
                       subject_type=SubjectType.HANDOVER, subject_id=handover.id)  # fmt: skip
        session.commit()
    about(handover.client_id, SubjectType.HANDOVER, handover.id)
    return handover_out(session, handover), 200
