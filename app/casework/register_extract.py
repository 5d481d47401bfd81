"""A register extract (registerutdrag, GDPR article 15): everything Tydligt holds about one
client, gathered from every table that names them.

The extract names people by role and name ("god man Anna Berg", "handläggare Lina Ek"),
never by internal ids, and holds no database ids at all. Message words are included where
retention still keeps them; where it already removed them the extract says so. Feedback
answers are anonymous (no client is stored with them), so the extract only says that.

`COVERED` names every table read here; a test fails when a table with a client_id (or
reached through one) is not in it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from app.casework import closing
from app.casework.register_extract_sections import SECTIONS, People, Person
from app.models import Client, Unit

__all__ = ["COVERED", "Extract", "Person", "gather"]

COVERED = frozenset(
    {
        "application",
        "appointment",
        "audit_event",
        "call_step",
        "callback_request",
        "checklist",
        "checklist_item",
        "client",
        "decision",
        "handover",
        "inbound_message",
        "link_token",
        "outbox_message",
        "representative",
        "staff_message",
        "webhook_attempt",
        "webhook_delivery",
    }
)


@dataclass
class Extract:
    """Everything about one client, section by section, as rows of plain values."""

    made_at: datetime
    unit: dict[str, str]
    client: dict[str, Any]
    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    retention: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The extract as one JSON document: dates in ISO 8601, people as role and name."""
        return _plain(
            {
                "made_at": self.made_at,
                "unit": self.unit,
                "client": self.client,
                **self.sections,
                "retention": self.retention,
            }
        )


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Person):
        return value.as_json()
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _client(client: Client, people: People) -> dict[str, Any]:
    return {
        "first_name": client.first_name,
        "last_name": client.last_name,
        "phone": client.phone,
        "email": client.email,
        "language": client.language,
        "channel": client.channel,
        "email_copies": client.email_copies,
        "picture_support": client.picture_support,
        "interpreter_language": client.interpreter_language,
        "communication_aid": client.communication_aid,
        "privacy": client.privacy,
        "pin_set": bool(client.pin_hash),
        "consent_at": client.consent_at,
        "consent_method": client.consent_method,
        "opted_out_at": client.opted_out_at,
        "unreachable_at": client.unreachable_at,
        "email_unreachable_at": client.email_unreachable_at,
        "caseworker": people.staff_member(client.caseworker_id),
        "source_system": client.source_system or "",
        "registered_at": client.created_at,
        "closed_at": client.closed_at,
        "closed_by": client.closed_by,
    }


def gather(session: Session, client: Client, now: datetime, config: dict) -> Extract:
    """Everything Tydligt holds about `client` at `now` (retention periods from `config`)."""
    people = People(session, client)
    unit = session.get_one(Unit, client.unit_id)
    extract = Extract(
        made_at=now,
        unit={"name": unit.name, "phone": unit.phone, "address": unit.address},
        client=_client(client, people),
    )
    extract.sections = {name: read(session, client, people) for name, read in SECTIONS.items()}
    dates = closing.deletion_dates(client, config)
    extract.retention = {
        "message_days": config["MESSAGE_RETENTION_DAYS"],
        "record_days": config["RECORD_RETENTION_DAYS"],
        "audit_days": config["AUDIT_RETENTION_DAYS"],
        "words_kept_since": now - timedelta(days=config["MESSAGE_RETENTION_DAYS"]),
        "records_kept": "while a client, then record_days from the closing",
        "words_deleted_on": dates[0] if dates else None,
        "deleted_on": dates[1] if dates else None,
        "feedback": "anonymous",
    }
    return extract
