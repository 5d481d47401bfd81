"""Factory helpers: fictional records with sensible defaults, overridable by keyword."""

from datetime import datetime, timedelta
from functools import lru_cache

from sqlmodel import Session
from werkzeug.security import generate_password_hash

from app.casework import appointments
from app.models import (
    Appointment,
    Client,
    ConsentMethod,
    InboundMessage,
    StaffUser,
    Unit,
    utcnow,
)


def create_unit(session: Session, **values) -> Unit:
    defaults = dict(
        name="Ekby kommun, stöd och omsorg",
        sender_name="Ekby kommun",
        phone="+46846500400",
        address="Storgatan 12, Ekby",
        # Tests about other things run at any hour; tests of the window set it themselves.
        sending_window="00:00-23:59",
    )
    unit = Unit(**(defaults | values))
    session.add(unit)
    session.commit()
    return unit


# Passwords in tests are hashed fast (the app uses scrypt, 0.1 s a time); any method checks.
FAST_HASH = "pbkdf2:sha256:1000"


@lru_cache(maxsize=16)
def password_hash_of(password: str) -> str:
    """A stored password hash for a test's staff member, made once per password."""
    return generate_password_hash(password, method=FAST_HASH)


def create_staff(session: Session, unit: Unit | None = None, **values) -> StaffUser:
    unit = unit or create_unit(session)
    defaults = dict(unit_id=unit.id, email="lina.berg@ekby.example", name="Lina Berg")
    staff = StaffUser(**(defaults | values))
    session.add(staff)
    session.commit()
    return staff


def create_client(session: Session, staff: StaffUser | None = None, **values) -> Client:
    staff = staff or create_staff(session)
    defaults = dict(
        unit_id=staff.unit_id,
        caseworker_id=staff.id,
        first_name="Sara",
        last_name="Lind",
        phone="+46700000001",
        language="sv",
        consent_at=utcnow() - timedelta(days=30),
        consent_method=ConsentMethod.VERBAL,
    )
    client = Client(**(defaults | values))
    session.add(client)
    session.commit()
    return client


def book_appointment(
    session: Session, client: Client, *, starts_at: datetime, now: datetime | None = None, **values
) -> Appointment:
    defaults = dict(
        mode="office",
        location="Storgatan 12, Ekby",
        purpose="follow_up",
        staff_id=client.caseworker_id,
    )
    appointment = appointments.book(
        session, client, starts_at=starts_at, now=now, **(defaults | values)
    )
    session.commit()
    return appointment


def receive_text(session: Session, client: Client, body: str, **values) -> InboundMessage:
    """A text from the client an hour ago, waiting for a person to answer it."""
    defaults = dict(
        provider_id=f"SM{abs(hash((client.id, body)))}",
        from_phone=client.phone,
        client_id=client.id,
        body=body,
        needs_answer=True,
        intent="free_text",
        received_at=utcnow() - timedelta(hours=1),
    )
    inbound = InboundMessage(**(defaults | values))
    session.add(inbound)
    session.commit()
    return inbound


def offer_support(session: Session, unit: Unit, kind: str, **details: str):
    """The unit offers a kind of support (messages/catalog/offers.toml), with a phone number
    unless told otherwise."""
    from app.casework import support_offers

    offer = support_offers.save(
        session, unit.id or 0, kind, {"phone": "+46846500450"} | details, actor_type="system"
    )
    session.commit()
    return offer
