"""What a sweep batch reads, in a fixed number of queries for the whole batch.

Composing one message reads its client, the record it is about, the client's handovers,
a checklist's items, the newer decisions or handovers that may make a notice untrue and so
on. The sweep reads all of that for a batch of messages at once
(`reading()`), with the same queries the domain uses for one record (app/casework/reads.py),
and while the batch is composed the domain reads through it without knowing: what the
batch did not cover is read directly. The admin page, the phone menu and the API compose
one message at a time and never see a batch.

Everything read is held (strongly) while the batch is composed, so `session.get()` by id
is answered from the session without a query. The reads are as fresh as the batch: the
sweep keeps a batch short (app/outbox/sweep.py, FRESH_FOR).
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import TypeVar

from flask import current_app
from sqlmodel import Session, col, select

from app.casework import reads
from app.db import among
from app.models import (
    ChecklistItem,
    Client,
    Decision,
    Handover,
    OutboxMessage,
    Representative,
    StaffUser,
    SubjectType,
    Unit,
)
from app.models.base import Row
from app.outbox.planner import local_date

_Model = TypeVar("_Model", bound=Row)


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
            .where(among(session, col(StaffUser.unit_id), unit_ids))
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
        self._handovers = reads.handovers_started(session, client_ids, self.today, fresh=True)
        self._absences = reads.absences_ahead(session, client_ids, self.today, fresh=True)
        checklist_ids = by_type.get(SubjectType.CHECKLIST, set())
        self._items = reads.checklist_items(session, checklist_ids, fresh=True)
        # Only what the batch's kinds ask: a newer record makes an older one's notice untrue.
        self._permanent = reads.permanent_handovers(
            session, {m.client_id for m in messages if m.kind == "handover_permanent"}, fresh=True
        )
        self._decided = reads.decided(
            session, {m.client_id for m in messages if m.kind == "support_ending"}, fresh=True
        )
        self._held += [*(h for hs in self._permanent.values() for h in hs)]
        self._held += [*(d for ds in self._decided.values() for d in ds)]
        self._held += [*(h for hs in self._handovers.values() for h in hs)]
        self._held += [*(h for hs in self._absences.values() for h in hs)]
        self._held += [*(i for items in self._items.values() for i in items)]
        self._last_thanks = reads.last_thanks(session, checklist_ids)
        feedback_clients = {m.client_id for m in messages if m.kind == "feedback_request"}
        self._feedback_since = now - timedelta(
            days=current_app.config["FEEDBACK_MIN_INTERVAL_DAYS"]
        )
        self._feedback_asked = reads.feedback_asked(session, feedback_clients, self._feedback_since)
        self._client_ids = client_ids
        self._direct = reads.DirectReads(session)

    def _load(
        self, session: Session, model: type[_Model], ids: Iterable[int | None]
    ) -> list[_Model]:
        wanted = {i for i in ids if i is not None}
        if not wanted:
            return []
        found = session.exec(
            select(model)
            .where(among(session, col(model.id), wanted))
            .execution_options(populate_existing=True)  # fresh, even if the session had it
        ).all()
        self._held += found
        return list(found)

    # What the domain asks (the Reads interface): from the batch when it covers the
    # record asked about, else read directly. ----------------------------------------------

    def handovers(self, client_id: int, today: date) -> list[Handover]:
        """The client's handovers started by `today` and not cancelled, oldest first."""
        if today != self.today or client_id not in self._client_ids:
            return self._direct.handovers(client_id, today)
        return list(self._handovers.get(client_id, ()))

    def absences(self, client_id: int, today: date) -> list[Handover]:
        """The client's absences not cancelled that last until `today` or later."""
        if today != self.today or client_id not in self._absences:
            return self._direct.absences(client_id, today)
        return list(self._absences[client_id])

    def permanent_handovers(self, client_id: int) -> list[Handover]:
        """The client's permanent handovers not cancelled, oldest first."""
        if client_id not in self._permanent:
            return self._direct.permanent_handovers(client_id)
        return list(self._permanent[client_id])

    def decided(self, client_id: int) -> list[Decision]:
        """The client's decisions made (not drafts, not withdrawn), oldest first."""
        if client_id not in self._decided:
            return self._direct.decided(client_id)
        return list(self._decided[client_id])

    def checklist_items(self, checklist_id: int) -> list[ChecklistItem]:
        """A checklist's items in their order."""
        items = self._items.get(checklist_id)
        return self._direct.checklist_items(checklist_id) if items is None else list(items)

    def last_thanks(self, checklist_id: int) -> datetime | None:
        """When the client was last thanked for documents on this checklist."""
        if checklist_id not in self._last_thanks:
            return self._direct.last_thanks(checklist_id)
        return self._last_thanks[checklist_id]

    def feedback_asked(self, client_id: int, since: datetime) -> bool:
        """Whether the client was asked for feedback since `since`."""
        if since != self._feedback_since or client_id not in self._client_ids:
            return self._direct.feedback_asked(client_id, since)
        return client_id in self._feedback_asked

    def going_out(self, message: OutboxMessage) -> None:
        """A message of the batch will be sent: later messages in the batch see it as sent
        (a second feedback request is not wanted, a second thanks says only what is new)."""
        if message.kind == "feedback_request":
            self._feedback_asked.add(message.client_id)
        elif message.kind == "documents_received" and message.representative_id is None:
            if message.subject_id in self._last_thanks:
                self._last_thanks[message.subject_id] = self.now


@contextmanager
def reading(
    session: Session, messages: list[OutboxMessage], now: datetime, subject_models: dict
) -> Iterator[BatchReads]:
    """Read what `messages` need and let the domain read through it until the block ends."""
    batch = BatchReads(session, messages, now, subject_models)
    with reads.reading_with(session, batch):
        yield batch
