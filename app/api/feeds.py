"""What a system polls: outbox messages (new or changed, with their delivery status), texts
received, and callback requests, each for the key's unit, with an opaque cursor.

A page holds items in the order of a moment and the id: outbox messages by the time they
last changed, texts by when they came in, callback requests by when they were asked.
`next` is the cursor after the last item; pass it as `after` to get only what came later.
Items show up a few seconds after they happen (SETTLE), so a change committed late by a
slow transaction cannot slip in behind a cursor already handed out.
"""

import base64
import binascii
from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from app import access
from app.api import problems
from app.api.auth import caller
from app.api.operations import operation
from app.api.problems import field_error
from app.api.schemas import (
    CallbackItem,
    CallbackPage,
    InboundItem,
    InboundPage,
    OutboxItem,
    OutboxPage,
    Subject,
)
from app.casework import system_ids
from app.db import get_session
from app.models import (
    Appointment,
    CallbackRequest,
    Checklist,
    Client,
    Decision,
    Handover,
    InboundMessage,
    OutboxMessage,
    utcnow,
)

SETTLE = timedelta(seconds=5)
MAX_ID = 2**31 - 1  # the largest INTEGER, what ids are; a larger one fails in PostgreSQL
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
# The kinds of record a message can be about, each found again by its system's id.
SUBJECTS: dict[
    str, type[Client] | type[Appointment] | type[Checklist] | type[Decision] | type[Handover]
] = {
    "client": Client,
    "appointment": Appointment,
    "checklist": Checklist,
    "decision": Decision,
    "handover": Handover,
}


class FeedQuery(BaseModel):
    """The query of every feed."""

    model_config = ConfigDict(extra="ignore")

    after: Annotated[
        str | None,
        Field(
            max_length=200,
            pattern=r"^[A-Za-z0-9_-]+$",
            description="The `next` of the page before; leave out to start from the oldest",
        ),
    ] = None
    limit: Annotated[int, Field(ge=1, le=200, description="At most this many items")] = 50


def encode(moment: datetime, item_id: int) -> str:
    """The cursor after an item: its moment and id, opaque to callers."""
    text = f"{moment.astimezone(UTC).isoformat()}|{item_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, int]:
    """The moment and id in a cursor; a 422 problem if it is not one of ours. Ours hold an
    id a database integer can hold and a moment of an item already stored (never one far
    ahead, nor one a database or a time zone could not hold)."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment_text, id_text = text.split("|")
        moment = datetime.fromisoformat(moment_text)
        if moment.tzinfo is None or not (id_text.isascii() and id_text.isdigit()):
            raise ValueError(text)
        moment, item_id = moment.astimezone(UTC), int(id_text)
        if item_id > MAX_ID or not EARLIEST <= moment <= utcnow() + timedelta(days=1):
            raise ValueError(text)
        return moment, item_id
    except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError):
        raise problems.invalid(
            [field_error("after", "This is not a cursor from this feed.", "query")]
        ) from None


def _page(session: Session, query, moment_column, id_column, feed: FeedQuery):
    """Rows after the cursor, settled, oldest first; returns (rows, whether more follow)."""
    query = query.where(moment_column <= utcnow() - SETTLE)
    if feed.after:
        moment, last_id = decode(feed.after)
        query = query.where(
            or_(moment_column > moment, and_(moment_column == moment, id_column > last_id))
        )
    rows = list(session.exec(query.order_by(moment_column, id_column).limit(feed.limit + 1)))
    has_more = len(rows) > feed.limit
    return rows[: feed.limit], has_more


def _subject_source_ids(session: Session, messages: list[OutboxMessage]) -> dict:
    wanted: dict[str, set[int]] = {}
    for message in messages:
        if message.subject_type in SUBJECTS and message.subject_id is not None:
            wanted.setdefault(message.subject_type, set()).add(message.subject_id)
    found = {}
    for subject_type, ids in wanted.items():
        model = SUBJECTS[subject_type]
        for record_id, source_id in session.exec(
            select(col(model.id), col(model.source_id)).where(col(model.id).in_(ids))
        ):
            found[(subject_type, record_id)] = source_id
    return found


def _outbox_item(message: OutboxMessage, client_source_id, subject_ids: dict) -> OutboxItem:
    subject = None
    if message.subject_type:
        subject = Subject(
            type=message.subject_type,
            id=message.subject_id,
            source_id=subject_ids.get((message.subject_type, message.subject_id)),
        )
    return OutboxItem(
        id=message.id,
        client_id=message.client_id,
        client_source_id=client_source_id,
        recipient="representative" if message.representative_id else "client",
        representative_id=message.representative_id,
        kind=message.kind,
        channel=message.channel,
        status=message.status,
        due_at=message.due_at,
        sent_at=message.sent_at,
        final_at=message.final_at,
        attempts=message.attempts,
        error=message.last_error,
        language=message.language,
        segments=message.segments,
        subject=subject,
        body=message.body,
        part=message.part,
        parts=message.parts,
        first_part_id=message.first_part_id,
        created_at=message.created_at,
        updated_at=message.updated_at,
    )


A_PAGE = "A page of items, oldest first"


@operation(
    "GET",
    "/outbox",
    summary="Messages sent or planned, new or changed",
    tag="Feeds",
    query=FeedQuery,
    responses={200: (OutboxPage, A_PAGE)},
)
def outbox(query: FeedQuery):
    """Every message to the unit's clients (and copies to their representatives), in the
    order they last changed: planned, sent, delivered, failed, cancelled … A message comes
    again each time it changes, so poll with `after` and keep the newest state by `id`.
    `body` is what was sent, null before sending and after retention removes it."""
    session = get_session()
    unit_id = caller().unit_id
    rows, has_more = _page(
        session,
        select(OutboxMessage, Client.source_id)
        .join(Client, col(Client.id) == OutboxMessage.client_id)
        .where(access.key_outbox_rows(unit_id)),
        OutboxMessage.updated_at,
        OutboxMessage.id,
        query,
    )
    subject_ids = _subject_source_ids(session, [message for message, _source in rows])
    items = [_outbox_item(message, source_id, subject_ids) for message, source_id in rows]
    last = rows[-1][0] if rows else None
    cursor = encode(last.updated_at, last.id) if last else query.after
    return OutboxPage(items=items, next=cursor, has_more=has_more), 200


@operation(
    "GET",
    "/inbound",
    summary="Texts received",
    tag="Feeds",
    query=FeedQuery,
    responses={200: (InboundPage, A_PAGE)},
)
def inbound(query: FeedQuery):
    """Texts from the unit's clients and their representatives, in the order they came in.
    Texts from numbers Tydligt does not know stay in the staff inbox, and so do complaints
    and requests for another case worker (only the unit's managers read those). `body` is null after
    retention removes it."""
    session = get_session()
    rows, has_more = _page(
        session,
        select(InboundMessage, Client.source_id)
        .join(Client, col(Client.id) == InboundMessage.client_id)
        .where(access.key_inbound_rows(caller().unit_id)),
        InboundMessage.received_at,
        InboundMessage.id,
        query,
    )
    items = [
        InboundItem(
            id=text.id,
            received_at=text.received_at,
            client_id=text.client_id,
            client_source_id=source_id,
            sender="representative" if text.representative_id else "client",
            representative_id=text.representative_id,
            body=text.body,
            media_count=len([line for line in text.media.splitlines() if line.strip()]),
            intent=text.intent,
            needs_answer=text.needs_answer,
            handled_at=text.handled_at,
        )
        for text, source_id in rows
    ]
    last = rows[-1][0] if rows else None
    cursor = encode(last.received_at, last.id) if last else query.after
    return InboundPage(items=items, next=cursor, has_more=has_more), 200


@operation(
    "GET",
    "/callbacks",
    summary="Callback requests",
    tag="Feeds",
    query=FeedQuery,
    responses={200: (CallbackPage, A_PAGE)},
)
def callbacks(query: FeedQuery):
    """Requests from the unit's clients to be called back, in the order they were made,
    with the language and whether an interpreter is needed."""
    session = get_session()
    rows, has_more = _page(
        session,
        select(CallbackRequest, Client.source_id)
        .join(Client, col(Client.id) == CallbackRequest.client_id)
        .where(access.key_clients(caller().unit_id)),
        CallbackRequest.created_at,
        CallbackRequest.id,
        query,
    )
    items = [
        CallbackItem(
            id=asked.id,
            created_at=asked.created_at,
            client_id=asked.client_id,
            client_source_id=source_id,
            language=asked.language,
            interpreter_needed=asked.interpreter_needed,
            source=asked.source,
            has_recording=bool(asked.recording_url),
            assigned_staff_email=system_ids.email_of(session, asked.assigned_staff_id),
            handled_at=asked.handled_at,
        )
        for asked, source_id in rows
    ]
    last = rows[-1][0] if rows else None
    cursor = encode(last.created_at, last.id) if last else query.after
    return CallbackPage(items=items, next=cursor, has_more=has_more), 200
