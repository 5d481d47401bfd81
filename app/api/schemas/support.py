"""The support a unit offers, as the API takes and gives it (app/api/support_offers.py)."""

from typing import Annotated

from pydantic import Field

from app.api.schemas.common import Input, Key, Line, Output
from app.api.schemas.feeds import CatalogEntry


class SupportOfferIn(Input):
    """One kind of support the unit offers, with the details clients see as written."""

    kind: Key = Field(description="A kind from `kinds` in GET /api/v1/support-offers")
    who: Annotated[str, Line(120)] = Field(default="", description="Who gives it, as written")
    phone: Annotated[str, Line(40)] = Field(
        default="", description="The number clients call (Swedish or E.164), or empty"
    )
    place: Annotated[str, Line(200)] = Field(default="", description="Where, as written")
    hours: Annotated[str, Line(120)] = Field(default="", description="When, as written")
    web: Annotated[str, Line(300)] = Field(default="", description="An https:// link, or empty")


class SupportOffersIn(Input):
    """Every kind of support the unit offers: kinds left out are no longer offered."""

    offers: list[SupportOfferIn] = Field(max_length=50)


class SupportOfferOut(Output):
    """One kind of support the unit offers."""

    kind: str
    name: str = Field(description="What clients read, in Swedish (translated for each client)")
    who: str
    phone: str = Field(description="E.164, or empty")
    place: str
    hours: str
    web: str


class SupportOffers(Output):
    """The kinds of support clients can be told of, and those the key's unit offers (support
    against violence first; it is never named to a representative)."""

    kinds: list[CatalogEntry]
    offers: list[SupportOfferOut]
