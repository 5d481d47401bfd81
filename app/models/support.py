"""What support a unit offers: one row per kind of offer in messages/catalog/offers.toml,
with the unit's own details. The explanation of each kind is the catalog's, in every
language; the details (who, phone, where, when, a web link) are shown as staff wrote them."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import validates
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, utcnow
from app.phone import require_e164


class SupportOffer(SQLModel, table=True):
    """One kind of support a unit offers, with who gives it and how to reach it."""

    __tablename__ = "support_offer"
    # One row per kind and unit: the catalog says what it is, the row how to get it.
    __table_args__ = (UniqueConstraint("unit_id", "kind", name="uq_support_offer_unit_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    kind: str = Field(max_length=40, description="A key in messages/catalog/offers.toml")
    who: str = Field(default="", max_length=120, description="Who gives it, as written")
    phone: str = Field(default="", max_length=20, description="E.164, or empty")
    place: str = Field(default="", max_length=200, description="Where, as written")
    hours: str = Field(default="", max_length=120, description="When, as written")
    web: str = Field(default="", max_length=300, description="An https link, or empty")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @validates("phone")
    def _valid_phone(self, _key: str, value: str) -> str:
        return require_e164(value) if value else value
