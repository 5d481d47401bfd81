"""Casework fixtures: a unit with two case workers, and helpers that read what was planned
and what the console transport sent."""

import json
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.models import OutboxMessage, StaffUser, Unit
from tests.factories import create_staff, create_unit


@pytest.fixture
def team(session: Session) -> tuple[Unit, StaffUser, StaffUser]:
    """A unit, its case worker Lina Berg and her colleague Omar Haddad, both with phones."""
    unit = create_unit(session)
    lina = create_staff(
        session, unit, email="lina@ekby.example", name="Lina Berg", phone="+46701740605"
    )
    omar = create_staff(
        session, unit, email="omar@ekby.example", name="Omar Haddad", phone="+46701740606"
    )
    return unit, lina, omar


def outbox(session: Session, kind: str | None = None) -> list[OutboxMessage]:
    """Every planned message (of one kind), in the order it is due; commits first."""
    session.commit()
    query = select(OutboxMessage).order_by(OutboxMessage.due_at, OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(session.exec(query))


def sent(outbox_file: Path) -> list[dict]:
    """What the console transport sent, one dict a message."""
    if not outbox_file.exists():
        return []
    return [json.loads(line) for line in outbox_file.read_text().splitlines()]
