"""Clients, representatives and strangers: who a number is, what each may hear about a
client's records, on which channel, and when the PIN is needed first."""

from dataclasses import dataclass
from enum import StrEnum

from flask import current_app
from sqlmodel import Session, col, select

from app.db import remembered
from app.models import (
    Client,
    Privacy,
    Representative,
    Unit,
    saved_id,
)
from app.outbox.kinds import get_kind


class Topic(StrEnum):
    """What an asker wants to hear about or do."""

    APPOINTMENTS = "appointments"  # the next meeting; confirming or declining it
    DOCUMENTS = "documents"  # the documents still missing
    DECISIONS = "decisions"  # decisions and support in force
    HANDOVERS = "handovers"  # a new contact person
    MESSAGES = "messages"  # any other message written to the person (its picture page)
    CALLBACK = "callback"  # ask to be called
    LANGUAGE = "language"  # change one's own language
    CONTACT = "contact"  # who to turn to, with the unit's number
    COMPLAINTS = "complaints"  # where to give feedback or complain
    NEW_CASEWORKER = "new_caseworker"  # ask the managers for another case worker
    SUPPORT = "support"  # what support the unit offers (no record of the client's)


# The menu's digits, the same by SMS and by phone.
MENU = {
    1: Topic.APPOINTMENTS,
    2: Topic.DOCUMENTS,
    3: Topic.DECISIONS,
    4: Topic.CALLBACK,
    5: Topic.LANGUAGE,
    6: Topic.CONTACT,
    7: Topic.COMPLAINTS,
    8: Topic.NEW_CASEWORKER,
    9: Topic.SUPPORT,
}
# Which permission on the representative allows each topic about the client's records.
COPY_PERMISSION = {
    Topic.APPOINTMENTS: "copy_appointments",
    Topic.DOCUMENTS: "copy_documents",
    Topic.DECISIONS: "copy_decisions",
    Topic.HANDOVERS: "copy_handovers",
}
# Topics that say something identifying about the client's case: never in a discreet SMS.
DETAILS = frozenset(COPY_PERMISSION) | {Topic.MESSAGES}
# What a discreet client hears only by phone or on the page after the PIN: the details of
# their case, and the support the unit offers. Someone else may read their phone: a list
# led by violence support (or any list of help asked for) must not be there to be read.
DISCREET_TOPICS = DETAILS | {Topic.SUPPORT}
# Topics a caller hears only after the PIN whenever the client has one (caller ID is not
# proof of who is calling).
SENSITIVE = frozenset({Topic.DOCUMENTS, Topic.DECISIONS})


class Verdict(StrEnum):
    """The answer to "may this asker have this, on this channel, now?"."""

    ALLOW = "allow"
    PIN = "pin"  # after the client's PIN (by phone, on the page)
    DISCREET = "discreet"  # not in an SMS: only by phone or on the page, after the PIN
    DENY = "deny"


class Channel(StrEnum):
    """Where the asker is."""

    SMS = "sms"
    PHONE = "phone"  # the phone menu and reminder calls
    PAGE = "page"


# Clients --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    """One way a phone number is known to us: as a client, or as a representative of one."""

    client: Client
    representative: Representative | None = None

    @property
    def key(self) -> str:
        """A stable name for the role: 'c<client id>' or 'r<representative id>'."""
        if self.representative is not None:
            return f"r{self.representative.id}"
        return f"c{self.client.id}"

    @property
    def language(self) -> str:
        """The language of the person holding the phone."""
        return (self.representative or self.client).language

    @property
    def name(self) -> str:
        """The first name of the person whose records this role reaches."""
        return self.client.first_name


def is_client(client: Client) -> bool:
    """Whether the person is still a client: one closed as no longer a client (staff or
    the API) is a stranger on every channel, and so are their representatives."""
    return client.closed_at is None


def is_active(representative: Representative) -> bool:
    """A representative is one while neither removed by staff nor opted out."""
    return representative.removed_at is None and representative.opted_out_at is None


def units_reached(session: Session, number: str) -> list[int]:
    """The units whose SMS or phone-menu number this is. A number no unit has (one shared
    sender for the whole installation) reaches every unit. Read once per transaction, and
    the units are then in the session (what they say is not read again)."""
    return list(remembered(session, ("units_reached", number), lambda: _reached(session, number)))


def _reached(session: Session, number: str) -> tuple[int, ...]:
    if number:
        found = session.exec(
            select(Unit).where((Unit.phone == number) | (Unit.phone_menu_number == number))
        ).all()
        if found:
            return tuple(sorted(saved_id(unit) for unit in found))
    return tuple(saved_id(unit) for unit in session.exec(select(Unit).order_by(col(Unit.id))))


def unit_reached(session: Session, number: str) -> int | None:
    """The one unit a number reaches; None when it reaches several (a shared sender with
    more than one unit: the sender's role decides the unit then)."""
    units = units_reached(session, number)
    return units[0] if len(units) == 1 else None


def roles(session: Session, phone: str, reached: str, *, opted_out: bool = False) -> list[Role]:
    """Every way the number `phone` is known in the units reached by the number `reached`:
    the clients with it, then the active representatives with it (with opted_out=True,
    the representatives who opted out themselves instead: only START is for them)."""
    if not phone:
        return []
    units = units_reached(session, reached)
    found: list[Role] = []
    if not opted_out:
        for client in session.exec(
            select(Client)
            .where(
                Client.phone == phone,
                col(Client.unit_id).in_(units),
                col(Client.closed_at).is_(None),  # no longer a client: is_client
            )
            .order_by(col(Client.id))
        ):
            found.append(Role(client))
    wanted = (
        col(Representative.opted_out_at).is_not(None)
        if opted_out
        else col(Representative.opted_out_at).is_(None)
    )
    for representative, client in session.exec(
        select(Representative, Client)
        .join(Client)
        .where(
            Representative.phone == phone,
            col(Representative.removed_at).is_(None),
            wanted,
            col(Client.unit_id).in_(units),
            col(Client.closed_at).is_(None),  # no longer a client: is_client
        )
        .order_by(col(Representative.id))
    ):
        found.append(Role(client, representative))
    return found


def role_by_key(candidates: list[Role], key: str | None) -> Role | None:
    """The role named by `key` among those the number really has (never anyone else's)."""
    return next((role for role in candidates if role.key == key), None)


def pin_asked(client: Client) -> bool:
    """Whether a caller must give the client's PIN before documents and decisions."""
    return bool(client.pin_hash) or bool(current_app.config.get("VOICE_PIN_REQUIRED"))


def permitted(role: Role | None, topic: Topic) -> bool:
    """Whether the holder of `role` may have `topic` at all, on some channel: anyone we know
    may ask for help; a representative, while active, what the client allowed them; nobody
    anything about someone who is no longer a client."""
    if role is None or not is_client(role.client):
        return False
    representative = role.representative
    if representative is None:
        return True
    if not is_active(representative):
        return False
    permission = COPY_PERMISSION.get(topic)
    return permission is None or bool(getattr(representative, permission))


def decide(
    role: Role | None, topic: Topic, channel: Channel, *, pin_given: bool = False
) -> Verdict:
    """May the holder of `role` have `topic` about the role's client on `channel`?

    The representative's permissions first, then discretion (nothing identifying, and no
    list of support, before the PIN), then the PIN for documents and decisions by phone."""
    if role is None or not permitted(role, topic):
        return Verdict.DENY
    client = role.client
    if topic in DISCREET_TOPICS and client.privacy == Privacy.DISCREET:
        if channel == Channel.SMS:
            return Verdict.DISCREET
        return Verdict.ALLOW if pin_given else Verdict.PIN
    if topic in SENSITIVE and channel == Channel.PHONE and pin_asked(client):
        return Verdict.ALLOW if pin_given else Verdict.PIN
    return Verdict.ALLOW


# What an overview page tells about a client's records, section by section.
OVERVIEW_TOPICS = (Topic.APPOINTMENTS, Topic.DOCUMENTS, Topic.DECISIONS, Topic.HANDOVERS)


def page_topics(role: Role | None, *, pin_given: bool = False) -> frozenset[Topic]:
    """The record topics the reader of an overview page (the client, or a representative
    with their own link) may see there: the client every one; a representative, while
    active, only those the client allowed them; nothing identifying about a discreet
    client before the PIN."""
    return frozenset(
        topic
        for topic in OVERVIEW_TOPICS
        if decide(role, topic, Channel.PAGE, pin_given=pin_given) == Verdict.ALLOW
    )


def may_receive_copy(representative: Representative, category: str | None) -> bool:
    """Whether a planned message may still go to a representative: active, and allowed this
    kind of message (`category` is the kind's copy category; None for a message written
    to the representative themself, like a staff answer to their text)."""
    if not is_active(representative):
        return False
    if category is None:
        return True
    return bool(getattr(representative, COPY_PERMISSION[Topic(category)]))


def topic_of_kind(kind: str) -> Topic:
    """What a message kind is about, as the access rule sees it."""
    category = get_kind(kind).copy_category
    return Topic(category) if category else Topic.MESSAGES


def menu(role: Role | None) -> list[int]:
    """The menu's digits this asker may use (the same by SMS and by phone): a representative
    only what the client allowed. A discreet client's options stay: choosing one says how
    to hear it after the PIN."""
    return [digit for digit, topic in MENU.items() if permitted(role, topic)]


def shows_violence_support(role: Role | None) -> bool:
    """Whether support against violence in close relationships may be named to this asker:
    to the client only, never to a representative (who may be the one who does harm), on
    any channel and in no copy. To a discreet client only after the PIN: `decide` keeps
    the whole list (Topic.SUPPORT) out of their SMS and behind the PIN by phone."""
    return role is not None and role.representative is None
