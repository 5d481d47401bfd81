"""The support the key's unit offers: read it, or set the whole list at once."""

from app.api import problems, resources
from app.api.auth import caller
from app.api.operations import operation
from app.api.problems import field_error, pointer
from app.api.schemas.feeds import CatalogEntry
from app.api.schemas.support import SupportOfferOut, SupportOffers, SupportOffersIn
from app.casework import support_offers
from app.db import get_session
from app.errors import InvalidInput


def _listed(unit_id: int) -> SupportOffers:
    session = get_session()
    return SupportOffers(
        kinds=[
            CatalogEntry(key=kind, name=support_offers.swedish_name(kind))
            for kind in support_offers.kinds()
        ],
        offers=[
            SupportOfferOut(
                kind=offer.kind,
                name=support_offers.swedish_name(offer.kind),
                who=offer.who,
                phone=offer.phone,
                place=offer.place,
                hours=offer.hours,
                web=offer.web,
            )
            for offer in support_offers.offers(session, unit_id)
        ],
    )


@operation(
    "GET",
    "/support-offers",
    summary="The support the unit offers",
    tag="Support offers",
    responses={200: (SupportOffers, "Every kind, and those the unit offers")},
)
def support_offers_get():
    """Every kind of support clients can be told of (`kinds`, with the Swedish words
    clients read), and those your unit offers with their details. Clients see them on their
    page, by texting 9 and in the phone menu; support against violence comes first and is
    never named to a representative."""
    return _listed(caller().unit_id), 200


@operation(
    "PUT",
    "/support-offers",
    summary="Set the support the unit offers",
    tag="Support offers",
    body=SupportOffersIn,
    responses={200: (SupportOffers, "The support the unit offers now")},
)
def support_offers_put(body: SupportOffersIn):
    """Set every kind of support your unit offers, with who gives it, the phone number,
    where, when and a web link (each shown to clients as written; give at least a phone
    number, a place or a web link). Kinds you leave out are no longer offered."""
    session = get_session()
    who = caller()
    with resources.writing(session):
        errors: list[dict] = []
        kinds = [offer.kind for offer in body.offers]
        for index, offer in enumerate(body.offers):
            if kinds.index(offer.kind) != index:
                errors.append(
                    field_error(pointer(("offers", index, "kind")), "Give each kind once.")
                )
                continue
            try:
                support_offers.save(
                    session,
                    who.unit_id,
                    offer.kind,
                    offer.model_dump(exclude={"kind"}),
                    actor_type="api",
                    actor_id=who.actor_id,
                    actor_name=who.actor_name or who.system,
                )
            except InvalidInput as exc:
                errors += [
                    field_error(pointer(("offers", index, name)), message)
                    for name, message in exc.errors.items()
                ]
        if errors:  # nothing is saved unless every offer is right
            session.rollback()
            raise problems.invalid(errors)
        for kind in support_offers.offered_kinds(session, who.unit_id) - set(kinds):
            support_offers.remove(
                session,
                who.unit_id,
                kind,
                actor_type="api",
                actor_id=who.actor_id,
                actor_name=who.actor_name or who.system,
            )
        session.commit()
    return _listed(who.unit_id), 200
