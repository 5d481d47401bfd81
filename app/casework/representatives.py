"""Representatives who get copies of a client's messages, as the client (or the law) allows."""

from datetime import datetime

from sqlmodel import Session

from app.errors import N_, InvalidInput
from app.models import Client, Representative, RepresentativeRole, saved_id, utcnow
from app.phone import InvalidPhoneNumber, normalise_phone
from app.words.languages import is_supported

FIELDS = ("name", "role", "phone", "language", "copy_appointments", "copy_documents",
          "copy_decisions", "copy_handovers")  # fmt: skip


def validate(values: dict) -> dict:
    """Check a representative's details; return them cleaned or raise InvalidInput."""
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
    if "language" in values and not is_supported(values["language"]):
        errors["language"] = N_("Choose a supported language.")
    unknown = set(values) - set(FIELDS)
    for field in sorted(unknown):
        errors[field] = N_("This cannot be changed.")
    if errors:
        raise InvalidInput(errors)
    return cleaned


def add(session: Session, client: Client, **values) -> Representative:
    """Add a representative to a client."""
    cleaned = validate(values)
    if "name" not in cleaned or "phone" not in cleaned:
        raise InvalidInput({k: N_("Fill this in.") for k in ("name", "phone") if k not in cleaned})
    representative = Representative(client_id=saved_id(client), **cleaned)
    session.add(representative)
    session.flush()
    return representative


def update(session: Session, representative: Representative, **values) -> Representative:
    """Change a representative; a new phone number starts copies again if they had opted out
    or been removed."""
    cleaned = validate(values)
    if "phone" in cleaned and cleaned["phone"] != representative.phone:
        representative.opted_out_at = None
        representative.removed_at = None
    for field, value in cleaned.items():
        setattr(representative, field, value)
    session.add(representative)
    return representative


def remove(
    session: Session, representative: Representative, now: datetime | None = None
) -> Representative:
    """Stop every copy to a representative, and from now on treat their number as a
    stranger's on every channel (app/access.py); the record stays for the history."""
    now = now or utcnow()
    for field in ("copy_appointments", "copy_documents", "copy_decisions", "copy_handovers"):
        setattr(representative, field, False)
    representative.opted_out_at = representative.opted_out_at or now
    representative.removed_at = representative.removed_at or now
    session.add(representative)
    return representative
