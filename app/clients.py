"""Enrolling clients and recording their consent; a welcome follows consent."""

from datetime import datetime

from sqlmodel import Session

from app.errors import InvalidInput
from app.languages import is_supported
from app.models import Channel, Client, ConsentMethod, OutboxMessage, Privacy, utcnow
from app.phone import InvalidPhoneNumber, normalise_phone
from app.planner import add_message


def enroll(
    session: Session,
    *,
    unit_id: int,
    first_name: str,
    phone: str,
    last_name: str = "",
    language: str = "sv",
    channel: str = Channel.SMS,
    picture_support: bool = False,
    privacy: str = Privacy.FULL,
    caseworker_id: int | None = None,
    consent_method: str | None = None,
    consent_recorded_by_id: int | None = None,
    now: datetime | None = None,
    **source,
) -> Client:
    """Register a client; with consent, the welcome message is planned at once."""
    now = now or utcnow()
    errors = {}
    if not first_name.strip():
        errors["first_name"] = "Give the client's first name."
    try:
        phone = normalise_phone(phone)
    except InvalidPhoneNumber as exc:
        errors["phone"] = str(exc)
    if not is_supported(language):
        errors["language"] = "Choose a supported language."
    if channel not in set(Channel):
        errors["channel"] = "Choose sms, voice or both."
    if privacy not in set(Privacy):
        errors["privacy"] = "Choose full or discreet."
    if consent_method is not None and consent_method not in set(ConsentMethod):
        errors["consent_method"] = "Choose written, verbal, sms or integration."
    if errors:
        raise InvalidInput(errors)
    client = Client(
        unit_id=unit_id,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=phone,
        language=language,
        channel=channel,
        picture_support=picture_support,
        privacy=privacy,
        caseworker_id=caseworker_id,
        **source,
    )
    session.add(client)
    session.flush()
    if consent_method is not None:
        record_consent(
            session, client, consent_method, recorded_by_id=consent_recorded_by_id, now=now
        )
    return client


def record_consent(
    session: Session,
    client: Client,
    method: str,
    *,
    recorded_by_id: int | None = None,
    now: datetime | None = None,
) -> Client:
    """Record when and how the client agreed to get messages; welcome them once."""
    now = now or utcnow()
    if method not in set(ConsentMethod):
        raise InvalidInput({"consent_method": "Choose written, verbal, sms or integration."})
    client.consent_at = now
    client.consent_method = method
    client.consent_recorded_by_id = recorded_by_id
    session.add(client)
    session.flush()
    add_message(
        session,
        kind="welcome",
        client=client,
        dedupe_key=f"client:{client.id}:welcome",
        due_at=now,
        subject_type="client",
        subject_id=client.id,
    )
    return client


def still_wanted(session: Session, message: OutboxMessage, client: Client, now: datetime) -> bool:
    """The welcome is always current once consent is recorded."""
    return client.consent_at is not None


def facts(session: Session, client: Client, recipient: Client, now: datetime) -> dict:
    """Nothing beyond the common facts: the welcome is about the service itself."""
    return {}
