"""A representative's own actions by text (STOP, START, a new language) are audited as
theirs, not the client's, and the register extract names them."""

import pytest
from sqlmodel import select

from app.casework import register_extract
from app.models import AuditEvent
from tests.access.test_every_channel import ANNA, NOW, World, text

pytestmark = pytest.mark.frozen_at(NOW)


def test_a_representatives_stop_start_and_language_are_theirs(app, client, session):
    world = World(session)
    text(client, ANNA, "STOPP")
    text(client, ANNA, "START")
    text(client, ANNA, "5")  # the language list
    text(client, ANNA, "2")  # the second language
    session.expire_all()
    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.action.in_(["opted_out", "opted_in", "language_changed"]))
        .order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["opted_out", "opted_in", "language_changed"]
    assert {(e.actor_type, e.actor_id) for e in events} == {("representative", world.anna.id)}
    extract = register_extract.gather(session, world.sara, NOW, app.config)
    who = {e["who"] for e in extract.sections["audit"] if e["action"] in ("opted_out", "opted_in")}
    assert who == {register_extract.Person("god_man", "Anna Holm")}
