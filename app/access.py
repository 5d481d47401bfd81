"""Who may see and do what, on every channel: the one access rule.

Every channel asks this module and keeps no copy of the rule: the SMS conversation, the
phone menu, reminder calls, picture pages, the sweep (copies to representatives), the
admin pages and the integration API.

The askers:
- **a client**, known by the pair (the number they text or call from, the unit's number
  they reached): one number may be a client of two units;
- **a representative** (god man, förvaltare, relative) while neither removed by staff nor
  opted out, for the kinds of record the client allowed them; a removed or opted-out
  representative is a stranger everywhere;
- **a stranger**: the unit's number and nothing about anyone;
- **a staff member**: the client's current case worker, the stand-in during an active
  absence, and the administrators of the client's unit - nobody else, however many
  handovers they once received;
- **a manager** (an administrator, or staff an administrator named one): besides, the
  complaints and requests for another case worker of every client of their unit. These
  texts are the managers' alone: the client's case worker, a stand-in and the API never
  see them (nor that the client asked how to complain), until a manager passes one on;
- **an API key**: the clients of its own unit.

Discreet clients: nothing identifying (time, place, purpose, service, decision) is said
or sent before the PIN: by SMS never, by phone and on the page after it. Caller ID is not
proof: by phone, documents and decisions need the PIN whenever the client has one (or the
installation asks everyone for one, VOICE_PIN_REQUIRED).
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from flask import current_app
from sqlalchemy import ColumnElement, and_, exists, false, func, not_, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.models import (
    Client,
    Handover,
    HandoverKind,
    InboundMessage,
    OutboxMessage,
    Privacy,
    Representative,
    StaffMessage,
    StaffRole,
    StaffUser,
    Unit,
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


def is_active(representative: Representative) -> bool:
    """A representative is one while neither removed by staff nor opted out."""
    return representative.removed_at is None and representative.opted_out_at is None


def units_reached(session: Session, number: str) -> list[int]:
    """The units whose SMS or phone-menu number this is. A number no unit has (one shared
    sender for the whole installation) reaches every unit."""
    if number:
        found = session.exec(
            select(Unit.id).where((Unit.phone == number) | (Unit.phone_menu_number == number))
        ).all()
        if found:
            return list(found)
    return list(session.exec(select(Unit.id).order_by(Unit.id)).all())


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
            .where(Client.phone == phone, Client.unit_id.in_(units))
            .order_by(Client.id)
        ):
            found.append(Role(client))
    wanted = (
        Representative.opted_out_at.is_not(None)
        if opted_out
        else Representative.opted_out_at.is_(None)
    )
    for representative, client in session.exec(
        select(Representative, Client)
        .join(Client)
        .where(
            Representative.phone == phone,
            Representative.removed_at.is_(None),
            wanted,
            Client.unit_id.in_(units),
        )
        .order_by(Representative.id)
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
    may ask for help; a representative, while active, what the client allowed them."""
    if role is None:
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

    The representative's permissions first, then discretion (nothing identifying before
    the PIN), then the PIN for documents and decisions by phone."""
    if not permitted(role, topic):
        return Verdict.DENY
    client = role.client
    if topic in DETAILS and client.privacy == Privacy.DISCREET:
        if channel == Channel.SMS:
            return Verdict.DISCREET
        return Verdict.ALLOW if pin_given else Verdict.PIN
    if topic in SENSITIVE and channel == Channel.PHONE and pin_asked(client):
        return Verdict.ALLOW if pin_given else Verdict.PIN
    return Verdict.ALLOW


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


# Staff and keys ---------------------------------------------------------------------------


def _latest_permanent(today: date, client=Client):
    """The staff member of the client's latest permanent handover that has started."""
    handover = aliased(Handover)  # its own: the query around may read handovers too
    return (
        select(handover.to_staff_id)
        .where(
            handover.client_id == client.id,
            handover.kind == HandoverKind.PERMANENT,
            handover.cancelled_at.is_(None),
            handover.starts_on <= today,
        )
        .order_by(handover.starts_on.desc(), handover.id.desc())
        .limit(1)
        .correlate(client)  # only the client comes from outside
        .scalar_subquery()
    )


def current_caseworker(today: date, client=Client):
    """A column expression: the client's case worker today. The latest permanent handover
    that has started decides (the worker writes it to caseworker_id within minutes)."""
    return func.coalesce(_latest_permanent(today, client), client.caseworker_id)


def staff_clients(staff: StaffUser, today: date) -> ColumnElement[bool]:
    """A filter on Client: the clients this staff member may see and act for today.

    Administrators: every client of their unit. Case workers: the clients whose current
    case worker they are, and those they stand in for during an absence that is on today
    (an absence covering the current case worker, not a former one)."""
    if not staff.active:
        return Client.id.is_(None)
    in_unit = Client.unit_id == staff.unit_id
    if staff.role == StaffRole.ADMIN:
        return in_unit
    caseworker = current_caseworker(today)
    absence = aliased(Handover)
    covering = (
        exists()
        .where(
            absence.client_id == Client.id,
            absence.kind == HandoverKind.ABSENCE,
            absence.to_staff_id == staff.id,
            absence.cancelled_at.is_(None),
            absence.starts_on <= today,
            absence.ends_on >= today,
            or_(absence.from_staff_id.is_(None), absence.from_staff_id == caseworker),
        )
        .correlate(Client)
    )
    return and_(in_unit, or_(caseworker == staff.id, covering))


def staff_unit_rows(staff: StaffUser, unit_column) -> ColumnElement[bool]:
    """A filter on rows about nobody we know (texts and callbacks from unknown numbers):
    those that reached this staff member's own unit (none for a closed account)."""
    if not staff.active:
        return false()
    return unit_column == staff.unit_id  # a row that reached no known unit is nobody's


def staff_may_see_unknown(staff: StaffUser, unit_id: int | None) -> bool:
    """Whether this staff member may see a text or call from an unknown number that reached
    the unit `unit_id` (rows that reached no known unit are nobody's)."""
    return staff.active and unit_id is not None and unit_id == staff.unit_id


def key_clients(unit_id: int) -> ColumnElement[bool]:
    """A filter on Client: the clients an API key of this unit may read and write."""
    return Client.unit_id == unit_id


# Complaints and requests for another case worker ----------------------------------------


def is_manager(staff: StaffUser) -> bool:
    """Whether this person reads the unit's complaints and requests for another case
    worker: an active administrator, or active staff an administrator named a manager."""
    return staff.active and (staff.role == StaffRole.ADMIN or staff.manager)


def _another_manager(staff: StaffUser) -> ColumnElement[bool]:
    """Whether the unit has an active manager besides this person."""
    other = aliased(StaffUser)
    return (
        exists()
        .where(
            other.unit_id == staff.unit_id,
            other.id != staff.id,
            other.active.is_(True),
            or_(other.role == StaffRole.ADMIN, other.manager.is_(True)),
        )
        .correlate(None)
    )


def _about_themselves(staff: StaffUser, today: date, client_column) -> ColumnElement[bool]:
    """A filter on rows for the managers (by their client column): those about a client
    whose current case worker is this manager, while the unit has another manager. A
    complaint may be about the case worker, so another manager reads it; with no other
    manager, they do (a text is never left for nobody)."""
    client = aliased(Client)
    own = select(client.id).where(current_caseworker(today, client) == staff.id)
    return and_(client_column.is_not(None), client_column.in_(own), _another_manager(staff))


def staff_inbound_rows(staff: StaffUser, today: date) -> ColumnElement[bool]:
    """A filter on InboundMessage (outer-joined to its client): the texts this person may
    see. Ordinary texts as every row (staff_clients, staff_unit_rows); texts for the
    managers only to the managers of the unit they reached, whoever the client's case
    worker is, never to anyone else - not the case worker, not a stand-in - and not to a
    manager who is the client's case worker while the unit has another manager."""
    ordinary = and_(
        InboundMessage.for_managers.is_(False),
        or_(
            and_(InboundMessage.client_id.is_not(None), staff_clients(staff, today)),
            and_(
                InboundMessage.client_id.is_(None),
                staff_unit_rows(staff, InboundMessage.unit_id),
            ),
        ),
    )
    if not is_manager(staff):
        return ordinary
    return or_(
        ordinary,
        and_(
            InboundMessage.for_managers.is_(True),
            InboundMessage.unit_id == staff.unit_id,
            not_(_about_themselves(staff, today, InboundMessage.client_id)),
        ),
    )


def staff_may_see_inbound(
    session: Session, staff: StaffUser, inbound: InboundMessage, today: date
) -> bool:
    """Whether this person may open one text: staff_inbound_rows, asked for that row."""
    seen = session.exec(
        select(InboundMessage.id)
        .outerjoin(Client, Client.id == InboundMessage.client_id)
        .where(InboundMessage.id == inbound.id, staff_inbound_rows(staff, today))
    ).first()
    return seen is not None


def _answers_to_managers_texts() -> ColumnElement[bool]:
    """A filter on OutboxMessage: a manager's answer to a text for the managers (it would
    tell whoever reads it that the client complained)."""
    return and_(
        OutboxMessage.subject_type == "staff_message",
        OutboxMessage.subject_id.in_(
            select(StaffMessage.id)
            .join(InboundMessage, InboundMessage.id == StaffMessage.in_reply_to_id)
            .where(InboundMessage.for_managers.is_(True))
        ),
    )


def staff_client_inbound(staff: StaffUser | None, today: date) -> ColumnElement[bool]:
    """A filter on the texts of a client this person may see (their page, the conversation
    around a text): for a manager, all but the managers' texts about their own clients
    (as staff_inbound_rows); for anyone else (or nobody named), not the managers' texts."""
    for_managers = InboundMessage.for_managers.is_(True)
    if staff is not None and is_manager(staff):
        return not_(and_(for_managers, _about_themselves(staff, today, InboundMessage.client_id)))
    return not_(for_managers)


def staff_client_outbox(staff: StaffUser | None, today: date) -> ColumnElement[bool]:
    """A filter on the messages to a client this person may see: for a manager, all but
    the answers to the managers' texts about their own clients; for anyone else (or nobody
    named), not the managers' answers to complaints and requests."""
    if staff is not None and is_manager(staff):
        return not_(
            and_(
                _answers_to_managers_texts(),
                _about_themselves(staff, today, OutboxMessage.client_id),
            )
        )
    return not_(_answers_to_managers_texts())


def key_inbound_rows(unit_id: int) -> ColumnElement[bool]:
    """A filter on InboundMessage joined to Client: the texts an API key may read. Never
    the managers' texts: an integration feeds the case system, which case workers read."""
    return and_(key_clients(unit_id), InboundMessage.for_managers.is_(False))


def key_outbox_rows(unit_id: int) -> ColumnElement[bool]:
    """A filter on OutboxMessage joined to Client: the messages an API key may read, not
    the managers' answers to complaints and requests."""
    return and_(key_clients(unit_id), ~_answers_to_managers_texts())
