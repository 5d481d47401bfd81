"""What every message says about its sender and recipient, gathered when it is composed.

Each domain module adds the facts about its own record (appointments.facts(), …).
"""

from datetime import datetime

from sqlmodel import Session

from app import access
from app.casework.contacts import Contact, contact_facts, current_contact, display_phone
from app.models import Client, Representative, StaffUser, Unit
from app.outbox.planner import local_date


def base_facts(
    session: Session,
    client: Client,
    representative: Representative | None = None,
    *,
    now: datetime,
    contact: Contact | None = None,
) -> dict:
    """What every message says: who sends, to whom, and how to reach the unit and the
    client's contact person (a stand-in while the case worker is away; `contact` when
    the caller has already looked it up today)."""
    unit = session.get_one(Unit, client.unit_id)
    today = local_date(now)
    copy = None
    if representative is not None:
        copy = {
            "name": representative.name,
            "role": representative.role,
            "client": client.first_name,
        }
    return {
        "sender": unit.sender_name,
        "unit_phone": display_phone(unit.phone),
        "menu_phone": display_phone(unit.phone_menu_number or unit.phone),
        "first_name": client.first_name,
        "discreet": client.privacy == "discreet",
        "copy": copy,
        "in_call": False,
        "contact": contact_facts(session, contact or current_contact(session, client, today), unit),
        "link": None,
        # The client reads with pictures: their own texts give the picture page's link first
        # (app/words/compose.py). A representative's copy goes by the representative.
        "picture_support": client.picture_support and representative is None,
    }


def staff_name(session: Session, staff_id: int | None) -> str:
    """A staff member's full name, or '' when none is set."""
    staff = session.get(StaffUser, staff_id) if staff_id else None
    return staff.name if staff else ""


def unit_called(session: Session, number: str) -> Unit | None:
    """The unit whose SMS or phone-menu number was dialled (the first unit otherwise)."""
    units = access.units_reached(session, number)
    return session.get(Unit, units[0]) if units else None


def unit_facts(unit: Unit, **extra) -> dict:
    """What a message to someone we do not know may say: the unit, nothing about anyone."""
    return {
        "sender": unit.sender_name,
        "unit_phone": display_phone(unit.phone),
        "first_name": "",
        "copy": None,
        "discreet": False,
        "in_call": False,
        "link": None,
    } | extra
