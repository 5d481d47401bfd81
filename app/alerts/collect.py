"""What is new for a staff member: the items on their Today that an alert may count.

Which items are a person's is never decided here: Today's own queries (app/admin/today.py)
are asked, as that person, so an alert counts exactly what Today shows them, by the one
access rule (their clients, a stand-in's during an absence, an administrator's unit,
complaints for managers only). This module only gives each item a stable key, a kind
and a moment, and says which are urgent.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g

from app.models import Appointment, StaffUser, utcnow

# The kinds an alert counts, in the order a mail lists them.
KINDS = ("text", "for_managers", "callback", "declined", "failed", "pin")

# A meeting the client declined that starts this soon needs a new time or a word to the
# interpreter before a digest or the next working morning would tell anyone.
DECLINED_URGENT_WITHIN = timedelta(hours=24)


@dataclass(frozen=True)
class Found:
    """One item on a staff member's Today: a key that names it (and, for a PIN that locks
    again or a meeting declined again, that occasion), its kind, when it happened and
    whether it is urgent. Nothing about the client but their record's id."""

    key: str
    kind: str
    happened_at: datetime
    urgent: bool = False


@contextmanager
def _as(staff: StaffUser) -> Iterator[None]:
    """Today's queries, as this person, in an app context (and a session) of their own."""
    with current_app.app_context():
        g.staff = staff
        yield


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _declined_urgent(appointment: Appointment, now: datetime) -> bool:
    return appointment.starts_at - now <= DECLINED_URGENT_WITHIN


def waiting_for(staff: StaffUser) -> list[Found]:
    """Everything on this staff member's Today that an alert counts, as Today finds it now
    (its lists of many texts in a short time, whose texts are among the texts, and of
    changed answers, which need nothing done, are not counted)."""
    from app.admin import today  # the admin pages' queries; imported when the app is built

    now = utcnow()
    with _as(staff):
        waits = today.waiting()
    found = [
        Found(f"text:{text.id}", "text", text.received_at)
        for text, _client in waits.messages + waits.documents
    ]
    found += [
        Found(f"text:{text.id}", "for_managers", text.received_at)
        for text, _client in waits.complaints
    ]
    found += [
        Found(f"callback:{request.id}", "callback", request.created_at)
        for request, _client in waits.callbacks
    ]
    found += [
        Found(
            f"declined:{meeting.id}:{_stamp(meeting.responded_at or meeting.updated_at)}",
            "declined",
            meeting.responded_at or meeting.updated_at,
            urgent=_declined_urgent(meeting, now),
        )
        for meeting, _client in waits.declined
    ]
    found += [
        # A changed or cancelled meeting that did not reach the client is urgent: the
        # kinds table (app/outbox/kinds.py) already says these may not wait.
        Found(
            f"failed:{message.id}",
            "failed",
            message.final_at or message.updated_at,
            urgent=message.urgent,
        )
        for message, _client in waits.failures
    ]
    found += [
        Found(f"pin:{client.id}:{_stamp(client.pin_locked_at)}", "pin", client.pin_locked_at)
        for client in waits.locked_pins
        if client.pin_locked_at is not None
    ]
    return found
