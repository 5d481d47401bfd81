"""What composing a message reads beyond the records themselves, behind one interface.

Each read is one query, written once here, for any number of records (`fresh`: read anew
even what the session holds, as a batch does): a client's handovers and absences, a
checklist's items, when the client was last thanked for documents, whether feedback was
asked lately, the client's permanent handovers and decided decisions (a newer one may make
an older one's notice untrue). The domain asks `reads_for(session)` and gets either the direct
reader (the query for the one record asked about) or, while the sweep composes a batch,
the batch's reader (app/outbox/batch_reads.py), which ran the same queries for the whole
batch at once. The domain never knows which.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Protocol

from sqlmodel import Session, col, func, select

from app.db import among
from app.models import (
    ChecklistItem,
    Decision,
    DecisionStatus,
    Handover,
    HandoverKind,
    OutboxMessage,
    SubjectType,
)
from app.outbox.planner import SENT_STATUSES

_KEY = "tydligt.reads"


def _per_client(
    session: Session, model, client_ids: Iterable[int], *conditions, order, fresh: bool
) -> dict[int, list]:
    """Per client: the rows of `model` that meet `conditions`, in `order` (one query)."""
    grouped: dict[int, list] = {client_id: [] for client_id in client_ids}
    if not grouped:
        return grouped
    query = select(model).where(among(session, col(model.client_id), grouped), *conditions)
    for row in session.exec(
        query.order_by(*order, col(model.id)).execution_options(populate_existing=fresh)
    ):
        grouped[row.client_id].append(row)
    return grouped


def handovers_started(
    session: Session, client_ids: Iterable[int], today: date, *, fresh: bool = False
) -> dict[int, list[Handover]]:
    """Per client: the handovers started by `today` and not cancelled, oldest first."""
    return _per_client(
        session, Handover, client_ids,
        col(Handover.cancelled_at).is_(None), Handover.starts_on <= today,
        order=[col(Handover.starts_on)], fresh=fresh,
    )  # fmt: skip


def absences_ahead(
    session: Session, client_ids: Iterable[int], today: date, *, fresh: bool = False
) -> dict[int, list[Handover]]:
    """Per client: the absences not cancelled that last until `today` or later, oldest
    first."""
    return _per_client(
        session, Handover, client_ids,
        col(Handover.cancelled_at).is_(None), Handover.kind == HandoverKind.ABSENCE,
        col(Handover.ends_on) >= today,
        order=[col(Handover.starts_on)], fresh=fresh,
    )  # fmt: skip


def permanent_handovers(
    session: Session, client_ids: Iterable[int], *, fresh: bool = False
) -> dict[int, list[Handover]]:
    """Per client: the permanent handovers not cancelled, whenever they start, oldest first."""
    return _per_client(
        session, Handover, client_ids,
        col(Handover.cancelled_at).is_(None), Handover.kind == HandoverKind.PERMANENT,
        order=[col(Handover.starts_on)], fresh=fresh,
    )  # fmt: skip


def decided(
    session: Session, client_ids: Iterable[int], *, fresh: bool = False
) -> dict[int, list[Decision]]:
    """Per client: the decisions made (not drafts, not withdrawn), oldest first."""
    return _per_client(
        session, Decision, client_ids, Decision.status == DecisionStatus.DECIDED,
        order=[col(Decision.decided_on)], fresh=fresh,
    )  # fmt: skip


def checklist_items(
    session: Session, checklist_ids: Iterable[int], *, fresh: bool = False
) -> dict[int, list]:
    """Per checklist: its items in their order."""
    grouped: dict[int, list] = {checklist_id: [] for checklist_id in checklist_ids}
    if not grouped:
        return grouped
    for item in session.exec(
        select(ChecklistItem)
        .where(among(session, col(ChecklistItem.checklist_id), grouped))
        .order_by(col(ChecklistItem.position), col(ChecklistItem.id))
        .execution_options(populate_existing=fresh)
    ):
        grouped[item.checklist_id].append(item)
    return grouped


def last_thanks(session: Session, checklist_ids: Iterable[int]) -> dict[int, datetime | None]:
    """Per checklist: when the client (not a representative) was last thanked for
    documents on it, or None."""
    thanked: dict[int, datetime | None] = dict.fromkeys(checklist_ids)
    if not thanked:
        return thanked
    rows = session.exec(
        select(OutboxMessage.subject_id, func.max(OutboxMessage.sent_at))
        .where(
            OutboxMessage.subject_type == SubjectType.CHECKLIST,
            among(session, col(OutboxMessage.subject_id), thanked),
            OutboxMessage.kind == "documents_received",
            col(OutboxMessage.status).in_(SENT_STATUSES),
            col(OutboxMessage.representative_id).is_(None),
        )
        .group_by(col(OutboxMessage.subject_id))
    ).all()
    thanked.update({subject_id: sent_at for subject_id, sent_at in rows if subject_id})
    return thanked


def feedback_asked(session: Session, client_ids: Iterable[int], since: datetime) -> set[int]:
    """The clients among these who were asked for feedback since `since`."""
    wanted = set(client_ids)
    if not wanted:
        return set()
    return set(
        session.exec(
            select(OutboxMessage.client_id)
            .where(
                among(session, col(OutboxMessage.client_id), wanted),
                OutboxMessage.kind == "feedback_request",
                col(OutboxMessage.status).in_(SENT_STATUSES),
                col(OutboxMessage.sent_at) >= since,
            )
            .distinct()
        ).all()
    )


class Reads(Protocol):
    """The reads composing asks for, one record at a time."""

    def handovers(self, client_id: int, today: date) -> list[Handover]: ...

    def absences(self, client_id: int, today: date) -> list[Handover]: ...

    def permanent_handovers(self, client_id: int) -> list[Handover]: ...

    def decided(self, client_id: int) -> list[Decision]: ...

    def checklist_items(self, checklist_id: int) -> list[ChecklistItem]: ...

    def last_thanks(self, checklist_id: int) -> datetime | None: ...

    def feedback_asked(self, client_id: int, since: datetime) -> bool: ...


class DirectReads:
    """Each read as its query for the one record asked about."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def handovers(self, client_id: int, today: date) -> list[Handover]:
        return handovers_started(self.session, [client_id], today)[client_id]

    def absences(self, client_id: int, today: date) -> list[Handover]:
        return absences_ahead(self.session, [client_id], today)[client_id]

    def permanent_handovers(self, client_id: int) -> list[Handover]:
        return permanent_handovers(self.session, [client_id])[client_id]

    def decided(self, client_id: int) -> list[Decision]:
        return decided(self.session, [client_id])[client_id]

    def checklist_items(self, checklist_id: int) -> list[ChecklistItem]:
        return checklist_items(self.session, [checklist_id])[checklist_id]

    def last_thanks(self, checklist_id: int) -> datetime | None:
        return last_thanks(self.session, [checklist_id])[checklist_id]

    def feedback_asked(self, client_id: int, since: datetime) -> bool:
        return client_id in feedback_asked(self.session, [client_id], since)


def reads_for(session: Session) -> Reads:
    """The reader for this session: a batch's while one is being composed, else direct."""
    return session.info.get(_KEY) or DirectReads(session)


@contextmanager
def reading_with(session: Session, reads: Reads) -> Iterator[Reads]:
    """Let the domain read through `reads` in this session until the block ends."""
    session.info[_KEY] = reads
    try:
        yield reads
    finally:
        session.info.pop(_KEY, None)
