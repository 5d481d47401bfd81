"""Booking, changing and cancelling appointments; each keeps its reminders true."""

from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlmodel import Session

from app import catalog
from app.errors import InvalidInput
from app.models import Appointment, AppointmentStatus, Client, MeetingMode, utcnow
from app.planner import cancel_pending, plan_appointment

EDITABLE = ("starts_at", "duration_minutes", "mode", "location", "staff_id", "purpose", "bring")


def _catalog_dir() -> Path:
    return Path(current_app.config["MESSAGES_DIR"]) / "catalog"


def validate(values: dict, *, now: datetime) -> None:
    """Raise InvalidInput naming every field that is wrong."""
    errors: dict[str, str] = {}
    starts_at = values.get("starts_at")
    if not isinstance(starts_at, datetime) or starts_at.tzinfo is None:
        errors["starts_at"] = "Give the date and time of the meeting."
    elif starts_at <= now:
        errors["starts_at"] = "The meeting must be in the future."
    mode = values.get("mode", MeetingMode.OFFICE)
    if mode not in set(MeetingMode):
        errors["mode"] = "Choose office, home, phone or video."
    elif mode == MeetingMode.OFFICE and not (values.get("location") or "").strip():
        errors["location"] = "Give the address of the meeting place."
    duration = values.get("duration_minutes", 60)
    if not isinstance(duration, int) or not 5 <= duration <= 600:
        errors["duration_minutes"] = "The length must be 5 to 600 minutes."
    purposes = catalog.entries(_catalog_dir(), "purposes")
    if values.get("purpose", "follow_up") not in purposes:
        errors["purpose"] = f"Choose one of: {', '.join(purposes)}."
    documents = catalog.entries(_catalog_dir(), "documents")
    unknown = [k for k in _keys(values.get("bring", "")) if k not in documents]
    if unknown:
        errors["bring"] = f"Unknown documents: {', '.join(unknown)}."
    if errors:
        raise InvalidInput(errors)


def _keys(bring: str | list[str]) -> list[str]:
    items = bring.split(",") if isinstance(bring, str) else bring
    return [k.strip() for k in items if k and k.strip()]


def book(session: Session, client: Client, *, now: datetime | None = None, **values) -> Appointment:
    """Save a new appointment and plan its reminders."""
    now = now or utcnow()
    validate(values, now=now)
    values["bring"] = ",".join(_keys(values.get("bring", "")))
    appointment = Appointment(client_id=client.id, **values)
    session.add(appointment)
    session.flush()
    plan_appointment(session, appointment, client, now=now)
    return appointment


def change(
    session: Session, appointment: Appointment, *, now: datetime | None = None, **changes
) -> Appointment:
    """Change an appointment; reminders planned for the old version are cancelled."""
    now = now or utcnow()
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput({field: "This cannot be changed." for field in sorted(unknown)})
    if appointment.status != AppointmentStatus.PLANNED:
        raise InvalidInput({"status": "A cancelled appointment cannot be changed."})
    merged = {field: getattr(appointment, field) for field in EDITABLE} | changes
    validate(merged, now=now)
    merged["bring"] = ",".join(_keys(merged.get("bring", "")))
    for field, value in merged.items():
        setattr(appointment, field, value)
    appointment.version += 1
    appointment.response = None
    appointment.responded_at = None
    appointment.updated_at = now
    session.add(appointment)
    session.flush()
    client = session.get(Client, appointment.client_id)
    plan_appointment(session, appointment, client, now=now)
    return appointment


def cancel(
    session: Session, appointment: Appointment, *, now: datetime | None = None
) -> Appointment:
    """Cancel an appointment and every reminder that has not gone out."""
    now = now or utcnow()
    appointment.status = AppointmentStatus.CANCELLED
    appointment.version += 1
    appointment.updated_at = now
    session.add(appointment)
    cancel_pending(session, "appointment", appointment.id, reason="appointment cancelled")
    return appointment
