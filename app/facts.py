"""The facts a message states, gathered from the records at the moment it is composed."""

import phonenumbers
from sqlmodel import Session

from app.models import Appointment, Client, OutboxMessage, StaffUser, Unit


def display_phone(number: str | None) -> str:
    """A number as people in Sweden write it: '0123-456 78'. Empty stays empty."""
    if not number:
        return ""
    parsed = phonenumbers.parse(number, "SE")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def staff_name(session: Session, staff_id: int | None) -> str:
    """A staff member's full name, or '' when none is set."""
    staff = session.get(StaffUser, staff_id) if staff_id else None
    return staff.name if staff else ""


def client_facts(session: Session, client: Client) -> dict:
    """What every message says: who sends, to whom, and how to reach the unit."""
    unit = session.get(Unit, client.unit_id)
    return {
        "sender": unit.sender_name,
        "unit_phone": display_phone(unit.phone),
        "first_name": client.first_name,
        "link": None,
    }


def appointment_facts(session: Session, appointment: Appointment) -> dict:
    """An appointment as messages describe it."""
    return {
        "starts_at": appointment.starts_at,
        "mode": appointment.mode,
        "location": appointment.location,
        "staff_name": staff_name(session, appointment.staff_id),
        "purpose": appointment.purpose,
        "bring": appointment.bring_keys,
    }


def gather_facts(session: Session, message: OutboxMessage, client: Client) -> dict:
    """Everything the message's template needs, from the current state of the records."""
    facts = client_facts(session, client)
    if message.subject_type == "appointment":
        facts["appointment"] = appointment_facts(
            session, session.get(Appointment, message.subject_id)
        )
    return facts
