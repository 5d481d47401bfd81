"""Representatives who get copies of a client's messages, as the client (or the law) allows,
the short welcome that tells a new one whose copies they get and how to stop, and their
own overview link (what they may see about the client, on one page)."""

from datetime import datetime

from sqlmodel import Session, col, func, select

from app import access
from app.errors import N_, InvalidInput
from app.models import (
    Client,
    OutboxMessage,
    OutboxStatus,
    Representative,
    RepresentativeRole,
    SubjectType,
    saved_id,
    utcnow,
)
from app.outbox.planner import add_message
from app.pages import links
from app.phone import CANNOT_TEXT, InvalidPhoneNumber, normalise_phone, takes_texts
from app.words.languages import is_supported

COPIES = ("copy_appointments", "copy_documents", "copy_decisions", "copy_handovers")
FIELDS = ("name", "role", "phone", "language", *COPIES)
WELCOME = "representative_welcome"
OVERVIEW = "representative_overview"

# The copies a new representative starts with on the staff form, by what they are. A god
# man looks after the person's rights, money and everyday life: meetings, papers, decisions
# and who the contact is. A förvaltare manages money and property, not personal matters:
# papers, decisions and who the contact is, not the meetings. A relative or anyone else
# has no mandate: meetings only for a relative (what clients most often ask a relative to
# help them remember), nothing for anyone else, until the client says more.
DEFAULT_COPIES: dict[str, tuple[str, ...]] = {
    RepresentativeRole.GOD_MAN: COPIES,
    RepresentativeRole.FORVALTARE: ("copy_documents", "copy_decisions", "copy_handovers"),
    RepresentativeRole.RELATIVE: ("copy_appointments",),
    RepresentativeRole.OTHER: (),
}


def validate(values: dict, client: Client | None = None) -> dict:
    """Check a representative's details; return them cleaned or raise InvalidInput. The
    number must take texts (copies are texts) and, with `client`, must not be the
    client's own: a number is how a text is matched to who sent it."""
    errors = {}
    cleaned = {k: v for k, v in values.items() if k in FIELDS}
    if "name" in values:
        cleaned["name"] = (values["name"] or "").strip()
        if not cleaned["name"]:
            errors["name"] = N_("Give the representative's name.")
    if "role" in values and values["role"] not in set(RepresentativeRole):
        errors["role"] = N_("Choose one of the options.")
    if "phone" in values:
        try:
            cleaned["phone"] = normalise_phone(values["phone"])
        except InvalidPhoneNumber:
            errors["phone"] = N_(
                "This is not a phone number we can text. Write it like 070-123 45 67."
            )
        else:
            problem = phone_problem(cleaned["phone"], client)
            if problem:
                errors["phone"] = problem
    if "language" in values and not is_supported(values["language"]):
        errors["language"] = N_("Choose a supported language.")
    unknown = set(values) - set(FIELDS)
    for field in sorted(unknown):
        errors[field] = N_("This cannot be changed.")
    if errors:
        raise InvalidInput(errors)
    return cleaned


def phone_problem(phone: str, client: Client | None) -> str | None:
    """What is wrong with a valid number for a representative of `client`, or None."""
    if not takes_texts(phone):
        return CANNOT_TEXT
    if client is not None and phone == client.phone:
        return N_(
            "This is the client's own number. A representative needs their own, so that "
            "copies reach them and their texts are not taken for the client's."
        )
    return None


def add(
    session: Session, client: Client, *, now: datetime | None = None, **values
) -> Representative:
    """Add a representative to a client, and welcome them once they get any copy."""
    cleaned = validate(values, client)
    if "name" not in cleaned or "phone" not in cleaned:
        raise InvalidInput({k: N_("Fill this in.") for k in ("name", "phone") if k not in cleaned})
    representative = Representative(client_id=saved_id(client), **cleaned)
    session.add(representative)
    session.flush()
    plan_welcome(session, representative, client, now=now)
    return representative


def update(
    session: Session,
    representative: Representative,
    *,
    now: datetime | None = None,
    **values,
) -> Representative:
    """Change a representative; a new phone number starts copies again if they had opted out
    or been removed, welcomes whoever has that number now, and ends the page links sent to
    the old number (whoever has that number must not read on)."""
    client = session.get_one(Client, representative.client_id)
    cleaned = validate(values, client)
    new_number = "phone" in cleaned and cleaned["phone"] != representative.phone
    if new_number:
        representative.opted_out_at = None
        representative.removed_at = None
        links.revoke_representatives(session, saved_id(representative), now or utcnow())
    for field, value in cleaned.items():
        setattr(representative, field, value)
    session.add(representative)
    session.flush()
    plan_welcome(session, representative, client, now=now, again=new_number)
    return representative


def remove(
    session: Session, representative: Representative, now: datetime | None = None
) -> Representative:
    """Stop every copy to a representative, and from now on treat their number as a
    stranger's on every channel (app/access.py) and end their page links (so editing the
    record later cannot bring them back); the record stays for the history."""
    now = now or utcnow()
    links.revoke_representatives(session, saved_id(representative), now)
    for field in COPIES:
        setattr(representative, field, False)
    representative.opted_out_at = representative.opted_out_at or now
    representative.removed_at = representative.removed_at or now
    session.add(representative)
    return representative


def gets_copies(representative: Representative) -> bool:
    """Whether the representative is active and allowed any copy at all."""
    return access.may_receive_copy(representative, None) and any(
        getattr(representative, field) for field in COPIES
    )


def plan_welcome(
    session: Session,
    representative: Representative,
    client: Client,
    *,
    now: datetime | None = None,
    again: bool = False,
) -> OutboxMessage | None:
    """Plan the welcome text to a representative who gets copies, once the client has
    agreed to messages (nothing goes out before: record_consent welcomes them then). One
    welcome per number: `again` (a new number) plans another unless one still waits."""
    if client.consent_at is None or not gets_copies(representative):
        return None
    rep_id = saved_id(representative)
    welcomes = select(func.count()).where(
        OutboxMessage.kind == WELCOME, OutboxMessage.representative_id == rep_id
    )
    planned = session.exec(welcomes).one()
    # A welcome cancelled before it went (copies unticked, then ticked again) was never a
    # welcome: only one that went out or still waits counts.
    live = session.exec(welcomes.where(col(OutboxMessage.status) != OutboxStatus.CANCELLED)).one()
    waiting = session.exec(welcomes.where(col(OutboxMessage.status) == OutboxStatus.PENDING)).one()
    if live and (not again or waiting):
        return None
    return add_message(
        session,
        kind=WELCOME,
        client=client,
        dedupe_key=f"representative:{rep_id}:welcome:{planned + 1}",
        due_at=now or utcnow(),
        subject_type=SubjectType.REPRESENTATIVE,
        subject_id=rep_id,
        to_representative=representative,
    )


def send_overview(
    session: Session, representative: Representative, *, now: datetime | None = None
) -> OutboxMessage:
    """Plan a text to a representative with their own overview link: a page of what they
    may see about the client (the access rule decides, section by section), in their
    language, that stops working once they are removed or opt out. Each call plans a new
    text (staff send it again when a link was lost or has run out); raises InvalidInput
    when it cannot go."""
    client = session.get_one(Client, representative.client_id)
    if not access.is_active(representative):
        raise InvalidInput(
            {"representative": N_("This representative was removed or said STOP: no link goes.")}
        )
    if client.consent_at is None:
        raise InvalidInput(
            {"representative": N_("The client has not agreed to messages yet: nothing goes.")}
        )
    if not gets_copies(representative):
        raise InvalidInput(
            {
                "representative": N_(
                    "Tick at least one kind of copy first: the link shows only what the "
                    "representative may see."
                )
            }
        )
    rep_id = saved_id(representative)
    planned = session.exec(
        select(func.count()).where(
            OutboxMessage.kind == OVERVIEW, OutboxMessage.representative_id == rep_id
        )
    ).one()
    return add_message(
        session,
        kind=OVERVIEW,
        client=client,
        dedupe_key=f"representative:{rep_id}:overview:{planned + 1}",
        due_at=now or utcnow(),
        subject_type=SubjectType.REPRESENTATIVE,
        subject_id=rep_id,
        to_representative=representative,
    )


def welcome_all(session: Session, client: Client, now: datetime | None = None) -> None:
    """Welcome every representative of a client who gets copies (when consent comes)."""
    for representative in session.exec(
        select(Representative)
        .where(Representative.client_id == client.id)
        .order_by(col(Representative.id))
    ):
        plan_welcome(session, representative, client, now=now)


def still_wanted(
    session: Session, message: OutboxMessage, representative: Representative, now: datetime
) -> bool:
    """A welcome or an overview link is worth sending while the representative still gets
    some copy."""
    return gets_copies(representative)


def facts(session: Session, representative: Representative, client: Client, now: datetime) -> dict:
    """Whom the welcome is to, whose copies they get (the client's first name only: a text
    on a phone may be read by others) and which."""
    return {
        "representative": {
            "name": representative.name,
            "role": representative.role,
            "client": client.first_name,
            "copies": [
                field.removeprefix("copy_") for field in COPIES if getattr(representative, field)
            ],
        }
    }
