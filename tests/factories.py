"""Factory helpers: fictional records with sensible defaults, overridable by keyword."""

from datetime import datetime, timedelta
from functools import lru_cache

import pyotp
from sqlmodel import Session, select
from werkzeug.security import generate_password_hash

from app.casework import appointments
from app.models import (
    Appointment,
    Client,
    ConsentMethod,
    InboundMessage,
    StaffRole,
    StaffSecondFactor,
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


def create_staff(
    session: Session, unit: Unit | None = None, two_factor: bool | None = None, **values
) -> StaffUser:
    """A staff member; administrators (who must have one) get the authenticator
    TOTP_SECRET unless `two_factor` says otherwise."""
    unit = unit or create_unit(session)
    defaults = dict(unit_id=unit.id, email="lina.berg@ekby.example", name="Lina Berg")
    staff = StaffUser(**(defaults | values))
    session.add(staff)
    session.commit()
    if two_factor if two_factor is not None else staff.role == StaffRole.ADMIN:
        give_second_factor(session, staff)
    return staff


# The authenticator every test administrator has (base32, as apps take it).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def give_second_factor(session: Session, staff: StaffUser, secret: str = TOTP_SECRET) -> None:
    """Give `staff` a confirmed authenticator with `secret`."""
    session.add(StaffSecondFactor(staff_id=staff.id, secret=secret, confirmed_at=utcnow()))
    session.commit()


def totp_code(secret: str = TOTP_SECRET, after_step: int | None = None) -> str:
    """A code the app accepts now: of the earliest step in the window of one step either
    side that comes after `after_step` (a code is accepted once, and the clock of a test
    may stand still while it signs in more than once)."""
    current = int(utcnow().timestamp()) // 30
    for step in range(current - 1, current + 2):
        if after_step is None or step > after_step:
            return pyotp.TOTP(secret).generate_otp(step)
    raise AssertionError("every code of this moment was used: move the clock on 30 seconds")


def fresh_totp_code(session: Session, staff: StaffUser) -> str:
    """A code `staff`'s authenticator shows that Tydligt has not accepted before."""
    session.expire_all()
    factor = session.exec(
        select(StaffSecondFactor).where(StaffSecondFactor.staff_id == staff.id)
    ).one()
    return totp_code(factor.secret, factor.last_step)


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
