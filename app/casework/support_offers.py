"""What support a unit offers: the kinds in messages/catalog/offers.toml, and per unit
which it offers with its own details (who, phone, where, when, a web link).

The words that explain each kind come from the catalog, so every language gets the same
information; the details are proper nouns and times as staff wrote them. Support against
violence in close relationships comes first wherever it is offered, and is named only to
the client, never to a representative (the access rule, `access.shows_violence_support`).
"""

from datetime import datetime

from sqlmodel import Session, col, select

from app import access, audit
from app.access import Role
from app.casework import catalog
from app.casework.contacts import display_phone
from app.errors import N_, InvalidInput
from app.models import SupportOffer, utcnow
from app.phone import InvalidPhoneNumber, normalise_phone

VIOLENCE = "violence"
# The details staff write, with their longest length.
DETAILS = {"who": 120, "place": 200, "hours": 120, "web": 300}


def kinds() -> list[str]:
    """Every kind of offer in the catalog, in the order shown: violence support first."""
    keys = list(catalog.entries(catalog.configured_dir(), "offers"))
    return sorted(keys, key=lambda key: key != VIOLENCE)


def picture(kind: str) -> str:
    """The pictogram key of a kind of offer."""
    return catalog.entry(catalog.configured_dir(), "offers", kind).get("picture", "help")


def swedish_name(kind: str) -> str:
    """The catalog's Swedish name of a kind (the msgid every language translates)."""
    return catalog.entry(catalog.configured_dir(), "offers", kind)["name"]


def offers(session: Session, unit_id: int) -> list[SupportOffer]:
    """What the unit offers, in the catalog's order with violence support first; a kind
    the catalog no longer has is left out."""
    order = {kind: index for index, kind in enumerate(kinds())}
    rows = session.exec(select(SupportOffer).where(SupportOffer.unit_id == unit_id)).all()
    return sorted((row for row in rows if row.kind in order), key=lambda row: order[row.kind])


def listed(session: Session, role: Role | None) -> list[SupportOffer]:
    """The offers this asker may hear of: none to a stranger, no violence support to a
    representative."""
    if role is None:
        return []
    shown = offers(session, role.client.unit_id)
    if access.shows_violence_support(role):
        return shown
    return [offer for offer in shown if offer.kind != VIOLENCE]


def offer_facts(offer: SupportOffer) -> dict:
    """One offer as composing and the pages use it."""
    return {
        "kind": offer.kind,
        "picture": picture(offer.kind),
        "who": offer.who,
        "phone": display_phone(offer.phone) if offer.phone else "",
        "tel": offer.phone,
        "place": offer.place,
        "hours": offer.hours,
        "web": offer.web,
    }


def facts(session: Session, role: Role | None) -> dict:
    """The facts of reply_support for this asker."""
    return {"offers": [offer_facts(offer) for offer in listed(session, role)]}


def _cleaned(values: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field, longest in DETAILS.items():
        value = " ".join(str(values.get(field) or "").split())
        if len(value) > longest:
            errors[field] = N_("This is too long.")
        cleaned[field] = value
    web = cleaned["web"]
    if web and (not web.startswith("https://") or " " in web or len(web) < 12):
        errors["web"] = N_("Give a web address that starts with https://.")
    phone = str(values.get("phone") or "").strip()
    cleaned["phone"] = ""
    if phone:
        try:
            cleaned["phone"] = normalise_phone(phone)
        except InvalidPhoneNumber:
            errors["phone"] = N_("Give a phone number, like 08-123 456 78.")
    return cleaned, errors


def save(
    session: Session,
    unit_id: int,
    kind: str,
    values: dict[str, str],
    *,
    actor_id: int | None = None,
    actor_type: str = "staff",
    actor_name: str = "",
    now: datetime | None = None,
) -> SupportOffer:
    """Offer a kind of support in a unit, or change its details; InvalidInput says what is
    wrong, field by field."""
    if kind not in kinds():
        raise InvalidInput({"kind": N_("Choose one of the kinds of support.")})
    cleaned, errors = _cleaned(values)
    if not (cleaned["phone"] or cleaned["place"] or cleaned["web"]):
        errors.setdefault("phone", N_("Give a phone number, a place or a web address."))
    if errors:
        raise InvalidInput(errors)
    now = now or utcnow()
    offer = session.exec(
        select(SupportOffer).where(SupportOffer.unit_id == unit_id, SupportOffer.kind == kind)
    ).first()
    if offer is None:
        offer = SupportOffer(unit_id=unit_id, kind=kind, created_at=now)
    for field, value in cleaned.items():
        setattr(offer, field, value)
    offer.updated_at = now
    session.add(offer)
    session.flush()
    audit.record(
        session,
        "support_offer_saved",
        actor_type=actor_type,
        actor_id=actor_id,
        actor_name=actor_name,
        detail=kind,
    )
    return offer


def remove(
    session: Session,
    unit_id: int,
    kind: str,
    *,
    actor_id: int | None = None,
    actor_type: str = "staff",
    actor_name: str = "",
) -> bool:
    """Stop offering a kind of support in a unit; False when it was not offered."""
    offer = session.exec(
        select(SupportOffer).where(SupportOffer.unit_id == unit_id, SupportOffer.kind == kind)
    ).first()
    if offer is None:
        return False
    session.delete(offer)
    session.flush()
    audit.record(
        session,
        "support_offer_removed",
        actor_type=actor_type,
        actor_id=actor_id,
        actor_name=actor_name,
        detail=kind,
    )
    return True


def offered_kinds(session: Session, unit_id: int) -> set[str]:
    """The kinds a unit offers (for the admin page's list)."""
    return set(
        session.exec(select(col(SupportOffer.kind)).where(SupportOffer.unit_id == unit_id)).all()
    )
