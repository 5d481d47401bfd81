"""Enrolling clients and recording their consent; a welcome follows consent."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from app import access
from app.casework import contact_needs, representatives
from app.errors import N_, InvalidInput
from app.models import (
    Channel,
    Client,
    ConsentMethod,
    OutboxMessage,
    Privacy,
    Representative,
    SubjectType,
    utcnow,
)
from app.outbox.planner import add_message, at_local, local_date
from app.pages import links
from app.phone import InvalidPhoneNumber, normalise_phone, takes_texts
from app.words.languages import is_supported

EDITABLE = ("first_name", "last_name", "phone", "language", "channel", "picture_support",
            "privacy", "caseworker_id", "interpreter_language", "communication_aid",
            "email", "email_copies")  # fmt: skip
# An address as mail servers take it: something@a.domain, without spaces or control
# characters (not the full RFC 5322 grammar: quoted local parts are not a client's address).
EMAIL_ADDRESS = re.compile(
    r"^[^@\s\"(),:;<>\[\]\\\x00-\x1f\x7f-\x9f]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\Z"
)


# The fields chosen from a list, with the list and what to say when the value is not on it.
CHOICES = (
    ("language", is_supported, N_("Choose a supported language.")),
    ("channel", lambda value: value in set(Channel), N_("Choose sms, voice or both.")),
    ("privacy", lambda value: value in set(Privacy), N_("Choose full or discreet.")),
    (
        "consent_method",
        lambda value: value is None or value in set(ConsentMethod),
        N_("Choose written, verbal, sms or integration."),
    ),
)


def validate(
    session: Session, values: dict, client: Client | None = None, *, unit_id: int | None = None
) -> dict:
    """Check a client's details; return them cleaned (phone in E.164) or raise InvalidInput
    naming every wrong field. The phone number must not belong to another client of the
    same unit (`client`'s, or `unit_id` for a new client): one person may be a client of
    several units, and texts are matched by the pair (sender, the unit's number)."""
    errors = {}
    cleaned = dict(values)
    if "first_name" in values:
        cleaned["first_name"] = (values["first_name"] or "").strip()
        if not cleaned["first_name"]:
            errors["first_name"] = N_("Give the client's first name.")
    if "last_name" in values:
        cleaned["last_name"] = (values["last_name"] or "").strip()
    if "phone" in values:
        try:
            cleaned["phone"] = normalise_phone(values["phone"])
        except InvalidPhoneNumber:
            errors["phone"] = N_(
                "This is not a phone number we can text. Write it like 070-123 45 67."
            )
        else:
            problem = _phone_problem(session, cleaned["phone"], client, unit_id)
            if problem:
                errors["phone"] = problem
    for field, allowed, problem in CHOICES:
        if field in values and not allowed(values[field]):
            errors[field] = problem
    errors |= _email_problems(values, cleaned, client)
    needs, needs_errors = contact_needs.clean(values)
    cleaned |= needs
    errors |= needs_errors
    if errors:
        raise InvalidInput(errors)
    return cleaned


def _email_problems(values: dict, cleaned: dict, client: Client | None) -> dict[str, str]:
    """Check the e-mail address (cleaned: trimmed, the domain in lower case) and that
    copies by e-mail have an address to go to."""
    errors = {}
    if "email" in values:
        address = (values["email"] or "").strip()
        local, _, domain = address.rpartition("@")
        cleaned["email"] = f"{local}@{domain.lower()}" if local else address
        if address and (len(address) > 254 or not EMAIL_ADDRESS.match(cleaned["email"])):
            errors["email"] = N_("This is not an e-mail address. Write it like sara@example.se.")
    if "email_copies" in values:
        cleaned["email_copies"] = bool(values["email_copies"])
        address = cleaned.get("email", client.email if client is not None else "")
        if cleaned["email_copies"] and not address and "email" not in errors:
            errors["email_copies"] = N_("Give an e-mail address to send the copies to.")
    return errors


def _phone_problem(
    session: Session, phone: str, client: Client | None, unit_id: int | None
) -> str | None:
    """What is wrong with a valid number for this client, or None. Every client gets texts
    (the welcome, documents and decisions go by text also when reminders are calls, and a
    text that fails marks the number unreachable for calls too), so a landline is refused
    whatever the channel. A number of one of the client's own representatives is refused
    (app/casework/representatives.py says why)."""
    unchanged = client is not None and client.phone == phone
    # A number saved before this rule stays (the client's other details can still be
    # changed); only a number being given now must take texts.
    if not unchanged and not takes_texts(phone):
        return N_(
            "This is a landline: it cannot get text messages. Every client gets some "
            "(the welcome, documents, decisions), also with calls as reminders. "
            "Give a mobile number."
        )
    unit = client.unit_id if client is not None else unit_id
    if _phone_taken(session, unit, phone, client):
        return N_("Another client already has this phone number.")
    if client is not None and _representatives_phone(session, client, phone):
        return N_("One of the client's representatives has this number. Give the client's own.")
    return None


def _representatives_phone(session: Session, client: Client, phone: str) -> bool:
    """Whether an active representative of the client has this number."""
    found = session.exec(
        select(Representative.id).where(
            Representative.client_id == client.id,
            Representative.phone == phone,
            col(Representative.removed_at).is_(None),
        )
    ).first()
    return found is not None


def _phone_taken(session: Session, unit_id: int | None, phone: str, client: Client | None) -> bool:
    """Whether another client of the unit has this number (a closed client's number is
    free: it may have gone to someone new)."""
    other = session.exec(
        select(Client.id).where(
            Client.unit_id == unit_id, Client.phone == phone, access.open_clients()
        )
    ).first()
    return other is not None and (client is None or other != client.id)


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
    interpreter_language: str = "",
    communication_aid: str = "",
    email: str = "",
    email_copies: bool = False,
    now: datetime | None = None,
    **source,
) -> Client:
    """Register a client; with consent, the welcome message is planned at once."""
    now = now or utcnow()
    values = validate(
        session,
        dict(
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            language=language,
            channel=channel,
            privacy=privacy,
            consent_method=consent_method,
            interpreter_language=interpreter_language,
            communication_aid=communication_aid,
            email=email,
            email_copies=email_copies,
        ),
        unit_id=unit_id,
    )
    values.pop("consent_method")
    client = Client(
        unit_id=unit_id,
        picture_support=picture_support,
        caseworker_id=caseworker_id,
        **values,
        **source,
    )
    session.add(client)
    session.flush()
    if consent_method is not None:
        record_consent(
            session, client, consent_method, recorded_by_id=consent_recorded_by_id, now=now
        )
    return client


@dataclass(frozen=True)
class Changes:
    """What an update changed: the names of the fields (never their values, which are
    personal data), and how many page links a new phone number stopped."""

    fields: tuple[str, ...] = ()
    links_revoked: int | None = None  # None: the phone number stayed

    def audit_events(self) -> list[tuple[str, str]]:
        """(action, detail) of each audit event the change needs, in order."""
        events = [("client_changed", ", ".join(self.fields))] if self.fields else []
        if self.links_revoked is not None:
            events.append(("links_revoked", f"{self.links_revoked} (new phone number)"))
        return events


def update(session: Session, client: Client, *, now: datetime | None = None, **changes) -> Changes:
    """Change a client's details; returns what changed. A new phone number clears
    'unreachable', so messages go out again, and stops every page link sent to the old
    number (whoever has that phone now must not open them); a new language applies to
    every message composed from now on."""
    now = now or utcnow()
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput({field: N_("This cannot be changed.") for field in sorted(unknown)})
    values = validate(session, changes, client)
    changed = {field: value for field, value in values.items() if getattr(client, field) != value}
    if not changed:
        return Changes()
    revoked = None
    if "phone" in changed:
        client.unreachable_at = None
        revoked = links.revoke_all(session, client, now)
    if "email" in changed:  # a new address is tried again
        client.email_unreachable_at = None
    for field, value in changed.items():
        setattr(client, field, value)
    client.updated_at = now
    session.add(client)
    return Changes(tuple(f for f in EDITABLE if f in changed), revoked)


def opt_out(session: Session, client: Client, *, now: datetime | None = None) -> Client:
    """Record that the client wants no more messages (said to staff, not by text)."""
    client.opted_out_at = now or utcnow()
    client.updated_at = client.opted_out_at
    session.add(client)
    return client


def opt_in(session: Session, client: Client, *, now: datetime | None = None) -> Client:
    """Record that the client wants messages again."""
    client.opted_out_at = None
    client.updated_at = now or utcnow()
    session.add(client)
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
        raise InvalidInput({"consent_method": N_("Choose written, verbal, sms or integration.")})
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
        subject_type=SubjectType.CLIENT,
        subject_id=client.id,
    )
    representatives.welcome_all(session, client, now)
    return client


def consent_moment(day: date | None, now: datetime) -> datetime:
    """When consent counts as given: now for today (or no day), the morning of an earlier
    day. A day ahead is refused."""
    today = local_date(now)
    if day is None or day == today:
        return now
    if day > today:
        raise InvalidInput({"consent_date": N_("The day of consent cannot be in the future.")})
    return at_local(day)


def unlinked_by_phone(session: Session, unit_id: int, phone: str) -> Client | None:
    """A client of the unit with this number that no case system knows yet (registered by
    staff), so a system that sends the same person links to it instead of failing on the
    number. A number that cannot be read finds no one."""
    try:
        number = normalise_phone(phone)
    except InvalidPhoneNumber:
        return None
    return session.exec(
        select(Client).where(
            Client.unit_id == unit_id,
            Client.phone == number,
            col(Client.source_id).is_(None),
            access.open_clients(),  # a closed client's number may be someone new's
        )
    ).first()


def still_wanted(session: Session, message: OutboxMessage, client: Client, now: datetime) -> bool:
    """The welcome is always current once consent is recorded."""
    return client.consent_at is not None


def facts(session: Session, client: Client, recipient: Client, now: datetime) -> dict:
    """Nothing beyond the common facts: the welcome is about the service itself."""
    return {}
