"""Clients by the system's own id: create or update, consent, opt-out and opt-in.

PUT creates the client (201) or changes the fields sent (200). A client staff registered
before, with the same phone number and no system id yet, is linked instead of refused.
POST …/close closes a client who is no longer a client (app/casework/closing.py); a closed
client is read as before but no longer changed (409) until POST …/reopen.
"""

from datetime import datetime

from sqlmodel import Session

from app.api import problems, resources
from app.api.auth import Caller, about, caller
from app.api.operations import operation
from app.api.schemas import ClientIn, ClientOut, ClosedClientOut, StillOpen
from app.casework import clients, closing, system_ids
from app.db import get_session
from app.models import Client, SubjectType, utcnow

# The domain's field names that the body calls otherwise.
FIELDS = {"caseworker_id": "/caseworker_email"}
DETAILS = ("first_name", "last_name", "phone", "language", "channel", "privacy",
           "picture_support", "interpreter_language", "communication_aid", "email",
           "email_copies")  # fmt: skip


def client_out(session: Session, client: Client) -> ClientOut:
    """A client as the API shows them."""
    return ClientOut(
        id=client.id,
        source_id=client.source_id,
        first_name=client.first_name,
        last_name=client.last_name,
        phone=client.phone,
        language=client.language,
        channel=client.channel,
        privacy=client.privacy,
        picture_support=client.picture_support,
        interpreter_language=client.interpreter_language,
        communication_aid=client.communication_aid,
        email=client.email,
        email_copies=client.email_copies,
        email_unreachable_at=client.email_unreachable_at,
        caseworker_email=system_ids.email_of(session, client.caseworker_id),
        consent_method=client.consent_method,
        consent_at=client.consent_at,
        opted_out_at=client.opted_out_at,
        unreachable_at=client.unreachable_at,
        closed_at=client.closed_at,
        created_at=client.created_at,
        updated_at=client.updated_at,
    )


def put_client(
    session: Session, who: Caller, source_id: str, body: ClientIn, now: datetime | None = None
) -> tuple[Client, bool]:
    """Create or update the client the system knows by `source_id` (nothing committed).
    Returns the client and whether it is new. Raises InvalidInput or Problem."""
    now = now or utcnow()
    sent = body.model_fields_set
    values = {name: getattr(body, name) for name in DETAILS if name in sent}
    if "caseworker_email" in sent:
        values["caseworker_id"] = resources.staff_id(
            session, who, body.caseworker_email, "/caseworker_email"
        )
    client = resources.find(session, who, Client, source_id)
    if client is not None:
        resources.refuse_closed(client)
    created = False
    if client is None:
        client = clients.unlinked_by_phone(session, who.unit_id, body.phone)
        if client is not None:
            for name, value in resources.source(who, Client, source_id).items():
                setattr(client, name, value)
            session.add(client)
            who.record(session, "client_linked", client_id=client.id, detail=source_id)
    if client is None:
        defaults = {name: getattr(body, name) for name in DETAILS}
        client = clients.enroll(
            session,
            unit_id=who.unit_id,
            caseworker_id=values.get("caseworker_id"),
            now=now,
            **resources.source(who, Client, source_id),
            **defaults,
        )
        who.record(session, "client_created", client_id=client.id)
        created = True
    else:
        changes = clients.update(session, client, now=now, **values)
        for action, detail in changes.audit_events():
            who.record(session, action, client_id=client.id, detail=detail)
    if body.consent_method is not None and client.consent_at is None:
        moment = clients.consent_moment(body.consent_date, now)
        clients.record_consent(session, client, body.consent_method.value, now=moment)
        who.record(session, "consent_recorded", client_id=client.id, detail=body.consent_method)
    return client, created


@operation(
    "PUT",
    "/clients/{source_id}",
    summary="Create or update a client",
    tag="Clients",
    body=ClientIn,
    responses={
        200: (ClientOut, "The client was there; the fields sent are saved"),
        201: (ClientOut, "A new client (with consent, a welcome message is planned)"),
    },
)
def client_put(source_id: str, body: ClientIn):
    """Create the client your system knows by `source_id`, or change the fields you send.
    Giving `consent_method` for a client without consent records it and plans the welcome
    message. A client staff registered with the same phone number (and no id from a
    system yet) is linked to your id instead of refused."""
    session = get_session()
    who = caller()
    with resources.writing(session, FIELDS):
        client, created = put_client(session, who, source_id, body)
        session.commit()
    about(client.id, SubjectType.CLIENT, client.id)
    return client_out(session, client), 201 if created else 200


@operation(
    "GET",
    "/clients/{source_id}",
    summary="A client",
    tag="Clients",
    responses={200: (ClientOut, "The client")},
)
def client_get(source_id: str):
    """The client your system knows by `source_id`."""
    session = get_session()
    client = resources.find_or_404(session, caller(), Client, source_id)
    about(client.id, SubjectType.CLIENT, client.id)
    return client_out(session, client), 200


def _switch(source_id: str, wanted_out: bool):
    session = get_session()
    who = caller()
    client = resources.find_or_404(session, who, Client, source_id)
    resources.refuse_closed(client)
    if (client.opted_out_at is None) == wanted_out:  # asking twice changes nothing
        if wanted_out:
            clients.opt_out(session, client)
        else:
            clients.opt_in(session, client)
        detail = "recorded by " + who.system
        who.record(session, "opted_out" if wanted_out else "opted_in", client_id=client.id,
                   detail=detail)  # fmt: skip
        resources.commit(session)
    about(client.id, SubjectType.CLIENT, client.id)
    return client_out(session, client), 200


@operation(
    "POST",
    "/clients/{source_id}/opt-out",
    summary="The client wants no more messages",
    tag="Clients",
    responses={200: (ClientOut, "No more messages go to the client")},
)
def client_opt_out(source_id: str):
    """Record that the client told staff they want no messages. Copies to representatives
    go on unless they opted out themselves."""
    return _switch(source_id, True)


@operation(
    "POST",
    "/clients/{source_id}/opt-in",
    summary="The client wants messages again",
    tag="Clients",
    responses={200: (ClientOut, "Messages go to the client again")},
)
def client_opt_in(source_id: str):
    """Record that the client wants messages again."""
    return _switch(source_id, False)


NUMBER_TAKEN = (
    "Another client of the unit now has this client's phone number (numbers are recycled). "
    "Give one of them another number before reopening."
)


@operation(
    "POST",
    "/clients/{source_id}/close",
    summary="The person is no longer a client",
    tag="Clients",
    responses={200: (ClosedClientOut, "The client is closed (now, or already before)")},
)
def client_close(source_id: str):
    """Close a client who is no longer a client of the unit. From then nothing is sent to
    them or their representatives (planned messages are cancelled), their page links stop
    working, and their texts and calls are answered as a stranger's. Their records follow
    the retention periods from this moment and are then deleted everywhere; the audit log
    keeps who did what, without their name, number or your id. Closing again changes
    nothing and answers the same (`closed_at` stays the first closing's).
    Closing answers and cancels nothing the client still waits for: `still_open` counts it
    (texts nobody answered, callbacks not made, meetings ahead). Callbacks stay on the case
    worker's Today until made. Cancel meetings that will not happen before closing
    (POST /appointments/{source_id}/cancel tells the client): after it, writes are refused.
    From the closing every write about the client answers 409
    (`urn:tydligt:problem:conflict`) until they are reopened; GET still reads them
    (`closed_at`), and once deleted by retention they answer 404."""
    session = get_session()
    who = caller()
    client = resources.find_or_404(session, who, Client, source_id)
    if closing.close(
        session, client, actor_type=who.actor_type, actor_id=who.actor_id, actor_name=who.system
    ):
        resources.commit(session)
    about(client.id, SubjectType.CLIENT, client.id)
    still = closing.open_requests(session, client, utcnow())
    answer = ClosedClientOut(
        **client_out(session, client).model_dump(),
        still_open=StillOpen(
            unanswered_texts=len(still.texts),
            callbacks=len(still.callbacks),
            meetings_ahead=len(still.meetings),
        ),
    )
    return answer, 200


@operation(
    "POST",
    "/clients/{source_id}/reopen",
    summary="The person is a client again",
    tag="Clients",
    responses={200: (ClientOut, "The client is a client again (now, or already before)")},
)
def client_reopen(source_id: str):
    """Make a closed client a client again, before retention has deleted them (closed by
    mistake, or back). Reminders for meetings and document lists still ahead are planned
    anew; messages closing cancelled are not sent, and old page links stay stopped.
    Reopening a client who is not closed changes nothing. A closed client's number is
    free for someone new (numbers are recycled); while an open client of the unit has it,
    reopening answers 409: give one of them another number first."""
    session = get_session()
    who = caller()
    client = resources.find_or_404(session, who, Client, source_id)
    try:
        reopened = closing.reopen(
            session, client, actor_type=who.actor_type, actor_id=who.actor_id, actor_name=who.system
        )
    except closing.NumberTaken:
        raise problems.Problem(409, NUMBER_TAKEN, type=problems.CONFLICT) from None
    if reopened:
        resources.commit(session)
    about(client.id, SubjectType.CLIENT, client.id)
    return client_out(session, client), 200
