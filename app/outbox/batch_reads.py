"""What a sweep batch reads, in a fixed number of queries for the whole batch.

Composing one message reads its client, the record it is about, the client's handovers,
a checklist's items and so on. The sweep reads all of that for a batch of messages at once
(`reading()`), and the domain functions that would query ask `active(session)` first: they
read the database themselves only for what the batch did not cover. The admin page, the
phone menu and the API compose one message at a time and never see a batch.

Everything read is held (strongly) while the batch is composed, so `session.get()` by id
is answered from the session without a query. The reads are as fresh as the batch: the
sweep keeps a batch short (app/outbox/sweep.py, FRESH_FOR).
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from flask import current_app
from sqlmodel import Session, func, select

from app.models import (
    ChecklistItem,
    Client,
    Handover,
    OutboxMessage,
    Representative,
    StaffUser,
    Unit,
)
from app.outbox.planner import SENT_STATUSES, local_date

_KEY = "tydligt.batch_reads"


class BatchReads:
    """The records a batch of outbox messages is composed from."""

    def __init__(
        self,
        session: Session,
        messages: list[OutboxMessage],
        now: datetime,
        subject_models: dict[str, type],
    ) -> None:
        self.now = now
        self.today: date = local_date(now)
        client_ids = {m.client_id for m in messages}
        self._held: list = []
        clients = self._load(session, Client, client_ids)
        unit_ids = {c.unit_id for c in clients}
        units = self._load(session, Unit, unit_ids)
        staff = session.exec(
            select(StaffUser)
            .where(StaffUser.unit_id.in_(unit_ids))
            .execution_options(populate_existing=True)
        ).all()
        self._held += [*units, *staff]
        self._load(session, Representative, {m.representative_id for m in messages})
        by_type: dict[str, set[int]] = defaultdict(set)
        for message in messages:
            if message.subject_type in subject_models and message.subject_id is not None:
                by_type[message.subject_type].add(message.subject_id)
        for subject_type, ids in sorted(by_type.items()):
            self._load(session, subject_models[subject_type], ids)
        self._handovers = self._read_handovers(session, client_ids)
        checklist_ids = by_type.get("checklist", set())
        self._items = self._read_items(session, checklist_ids)
        self._last_thanks = self._read_last_thanks(session, checklist_ids)
        feedback_clients = {m.client_id for m in messages if m.kind == "feedback_request"}
        self._feedback_since = now - timedelta(
            days=current_app.config["FEEDBACK_MIN_INTERVAL_DAYS"]
        )
        self._feedback_asked = self._read_feedback_asked(session, feedback_clients)
        self._client_ids = client_ids

    def _load(self, session: Session, model: type, ids: Iterable[int | None]) -> list:
        wanted = {i for i in ids if i is not None}
        if not wanted:
            return []
        found = session.exec(
            select(model)
            .where(model.id.in_(wanted))
            .execution_options(populate_existing=True)  # fresh, even if the session had it
        ).all()
        self._held += found
        return found

    def _read_handovers(self, session: Session, client_ids: set[int]) -> dict[int, list]:
        handovers = session.exec(
            select(Handover)
            .where(
                Handover.client_id.in_(client_ids),
                Handover.cancelled_at.is_(None),
                Handover.starts_on <= self.today,
            )
            .order_by(Handover.starts_on, Handover.id)
            .execution_options(populate_existing=True)
        ).all()
        self._held += handovers
        grouped: dict[int, list] = defaultdict(list)
        for handover in handovers:
            grouped[handover.client_id].append(handover)
        return grouped

    def _read_items(self, session: Session, checklist_ids: set[int]) -> dict[int, list]:
        grouped: dict[int, list] = {checklist_id: [] for checklist_id in checklist_ids}
        if not checklist_ids:
            return grouped
        items = session.exec(
            select(ChecklistItem)
            .where(ChecklistItem.checklist_id.in_(checklist_ids))
            .order_by(ChecklistItem.position, ChecklistItem.id)
            .execution_options(populate_existing=True)
        ).all()
        self._held += items
        for item in items:
            grouped[item.checklist_id].append(item)
        return grouped

    def _read_last_thanks(self, session: Session, checklist_ids: set[int]) -> dict:
        if not checklist_ids:
            return {}
        thanked = dict.fromkeys(checklist_ids)
        rows = session.exec(
            select(OutboxMessage.subject_id, func.max(OutboxMessage.sent_at))
            .where(
                OutboxMessage.subject_type == "checklist",
                OutboxMessage.subject_id.in_(checklist_ids),
                OutboxMessage.kind == "documents_received",
                OutboxMessage.status.in_(SENT_STATUSES),
                OutboxMessage.representative_id.is_(None),
            )
            .group_by(OutboxMessage.subject_id)
        ).all()
        thanked.update(dict(rows))
        return thanked

    def _read_feedback_asked(self, session: Session, client_ids: set[int]) -> set[int]:
        if not client_ids:
            return set()
        return set(
            session.exec(
                select(OutboxMessage.client_id)
                .where(
                    OutboxMessage.client_id.in_(client_ids),
                    OutboxMessage.kind == "feedback_request",
                    OutboxMessage.status.in_(SENT_STATUSES),
                    OutboxMessage.sent_at >= self._feedback_since,
                )
                .distinct()
            ).all()
        )

    # What the domain functions ask. None: not covered, read it yourself. -----------------

    def handovers(self, client_id: int, today: date) -> list[Handover] | None:
        """The client's handovers started by `today` and not cancelled, oldest first."""
        if today != self.today or client_id not in self._client_ids:
            return None
        return list(self._handovers.get(client_id, ()))

    def checklist_items(self, checklist_id: int) -> list[ChecklistItem] | None:
        """A checklist's items in their order."""
        items = self._items.get(checklist_id)
        return None if items is None else list(items)

    def last_thanks(self, checklist_id: int) -> tuple[bool, datetime | None]:
        """(covered, when the client was last thanked for documents on this checklist)."""
        if checklist_id not in self._last_thanks:
            return False, None
        return True, self._last_thanks[checklist_id]

    def feedback_asked(self, client_id: int, since: datetime) -> bool | None:
        """Whether the client was asked for feedback since `since`."""
        if since != self._feedback_since or client_id not in self._client_ids:
            return None
        return client_id in self._feedback_asked

    def going_out(self, message: OutboxMessage) -> None:
        """A message of the batch will be sent: later messages in the batch see it as sent
        (a second feedback request is not wanted, a second thanks says only what is new)."""
        if message.kind == "feedback_request":
            self._feedback_asked.add(message.client_id)
        elif message.kind == "documents_received" and message.representative_id is None:
            if message.subject_id in self._last_thanks:
                self._last_thanks[message.subject_id] = self.now


def active(session: Session) -> BatchReads | None:
    """The batch being composed in this session, if any."""
    return session.info.get(_KEY)


@contextmanager
def reading(
    session: Session, messages: list[OutboxMessage], now: datetime, subject_models: dict
) -> Iterator[BatchReads]:
    """Read what `messages` need and let the domain functions use it until the block ends."""
    reads = BatchReads(session, messages, now, subject_models)
    session.info[_KEY] = reads
    try:
        yield reads
    finally:
        session.info.pop(_KEY, None)
