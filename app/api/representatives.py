"""Representatives (god man, förvaltare, relative) by the system's own id.

A representative who texted STOP, or was removed, gets no copies until a new phone number
is given: a system's update cannot switch copies back on behind their back.
"""

from datetime import datetime

from sqlmodel import Session

from app.api import resources
from app.api.auth import Caller, about, caller
from app.api.feeds import _outbox_item as outbox_item  # the outbox feed's own item shape
from app.api.operations import operation
from app.api.schemas import OutboxItem, RepresentativeIn, RepresentativeOut
from app.casework import representatives
from app.db import get_session
from app.errors import InvalidInput
from app.models import Client, Representative, SubjectType, utcnow

DETAILS = ("name", "role", "phone", "language", "copy_appointments", "copy_documents",
           "copy_decisions", "copy_handovers")  # fmt: skip


def representative_out(session: Session, representative: Representative) -> RepresentativeOut:
    """A representative as the API shows them."""
    return RepresentativeOut(
        id=representative.id,
        source_id=representative.source_id,
        client_source_id=resources.source_id_of(session, Client, representative.client_id),
        name=representative.name,
        role=representative.role,
        phone=representative.phone,
        language=representative.language,
        copy_appointments=representative.copy_appointments,
        copy_documents=representative.copy_documents,
        copy_decisions=representative.copy_decisions,
        copy_handovers=representative.copy_handovers,
        opted_out_at=representative.opted_out_at,
        created_at=representative.created_at,
    )


def put_representative(
    session: Session,
    who: Caller,
    source_id: str,
    body: RepresentativeIn,
    now: datetime | None = None,
) -> tuple[Representative, bool]:
    """Create or update a representative (nothing committed); returns it and whether new."""
    client = resources.client_named(session, who, body.client_source_id)
    existing = resources.find(session, who, Representative, source_id)
    if existing is None:
        values = {name: getattr(body, name) for name in DETAILS}
        added = representatives.add(session, client, **values)
        for name, value in resources.source(who, Representative, source_id).items():
            setattr(added, name, value)
        session.add(added)
        session.flush()
        who.record(session, "representative_added", client_id=client.id,
                   subject_type=SubjectType.REPRESENTATIVE, subject_id=added.id)  # fmt: skip
        return added, True
    if existing.client_id != client.id:
        raise InvalidInput({"client_id": "A representative cannot move to another client."})
    sent = {name: getattr(body, name) for name in DETAILS if name in body.model_fields_set}
    cleaned = representatives.validate(sent)
    changes = {k: v for k, v in cleaned.items() if getattr(existing, k) != v}
    if changes:
        representatives.update(session, existing, **changes)
        who.record(session, "representative_changed", client_id=client.id,
                   subject_type=SubjectType.REPRESENTATIVE, subject_id=existing.id,
                   detail=", ".join(changes))  # fmt: skip
    return existing, False


@operation(
    "PUT",
    "/representatives/{source_id}",
    summary="Create or update a representative",
    tag="Representatives",
    body=RepresentativeIn,
    responses={
        200: (RepresentativeOut, "The representative was there; the fields sent are saved"),
        201: (RepresentativeOut, "A new representative"),
    },
)
def representative_put(source_id: str, body: RepresentativeIn):
    """Add a representative to the client named by `client_source_id`, or change the fields
    you send. The copy_* fields say which messages the client allows them to get a copy of."""
    session = get_session()
    with resources.writing(session, {"client_id": "/client_source_id"}):
        representative, created = put_representative(session, caller(), source_id, body)
        session.commit()
    about(representative.client_id, SubjectType.REPRESENTATIVE, representative.id)
    return representative_out(session, representative), 201 if created else 200


@operation(
    "GET",
    "/representatives/{source_id}",
    summary="A representative",
    tag="Representatives",
    responses={200: (RepresentativeOut, "The representative")},
)
def representative_get(source_id: str):
    """The representative your system knows by `source_id`."""
    session = get_session()
    representative = resources.find_or_404(session, caller(), Representative, source_id)
    about(representative.client_id, SubjectType.REPRESENTATIVE, representative.id)
    return representative_out(session, representative), 200


@operation(
    "POST",
    "/representatives/{source_id}/remove",
    summary="Stop every copy to a representative",
    tag="Representatives",
    responses={200: (RepresentativeOut, "No more copies go to the representative")},
)
def representative_remove(source_id: str):
    """Stop every copy to the representative. The record stays, for the history."""
    session = get_session()
    who = caller()
    representative = resources.find_or_404(session, who, Representative, source_id)
    if representative.opted_out_at is None:
        representatives.remove(session, representative, utcnow())
        who.record(
            session,
            "representative_removed",
            client_id=representative.client_id,
            subject_type=SubjectType.REPRESENTATIVE,
            subject_id=representative.id,
        )
        resources.commit(session)
    about(representative.client_id, SubjectType.REPRESENTATIVE, representative.id)
    return representative_out(session, representative), 200


@operation(
    "POST",
    "/representatives/{source_id}/overview-link",
    summary="Text a representative their own overview link",
    tag="Representatives",
    responses={202: (OutboxItem, "The text with the link is planned; it goes out soon")},
)
def representative_overview_link(source_id: str):
    """Plan a text to the representative with a link to their own overview page: what
    they may see about the client (only the kinds of record their copy_* fields allow:
    meetings, documents, decisions, and the history of those), in their language. The link
    stops working at once when the representative is removed or texts STOP. Each call
    plans a new text. 422 when it cannot go: the representative was removed or opted out,
    gets no copies at all, or the client has not agreed to messages."""
    session = get_session()
    who = caller()
    representative = resources.find_or_404(session, who, Representative, source_id)
    with resources.writing(session, {"representative": ""}):
        message = representatives.send_overview(session, representative, now=utcnow())
        session.flush()
        who.record(session, "representative_overview_sent", client_id=representative.client_id,
                   subject_type=SubjectType.REPRESENTATIVE, subject_id=representative.id,
                   detail=f"outbox {message.id}")  # fmt: skip
        session.commit()
    about(representative.client_id, SubjectType.REPRESENTATIVE, representative.id)
    client_source = resources.source_id_of(session, Client, representative.client_id)
    subject_ids = {(SubjectType.REPRESENTATIVE, representative.id): representative.source_id}
    return outbox_item(message, client_source, subject_ids), 202
