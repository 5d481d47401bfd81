"""How a client wants to be reached: the interpreter language (a code from the list) and
a communication aid, checked and stored with the client (app/casework/contact_needs.py)."""

from datetime import UTC, datetime

import pytest

from app.casework import clients
from app.casework.contact_needs import INTERPRETER_LANGUAGES, ContactNeeds
from app.errors import InvalidInput
from tests.factories import create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


def test_a_client_is_enrolled_with_an_interpreter_and_a_communication_aid(session, team):
    unit, lina, _ = team
    client = clients.enroll(
        session, unit_id=unit.id, first_name="Yonas", phone="070-000 00 07",
        caseworker_id=lina.id, interpreter_language="TI", communication_aid="  bildstöd ",
        now=NOW,
    )  # fmt: skip
    assert (client.interpreter_language, client.communication_aid) == ("ti", "bildstöd")
    assert ContactNeeds.of(client).any


def test_the_interpreter_language_may_be_one_the_messages_are_not_written_in(session, team):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    changes = clients.update(session, client, interpreter_language="kmr", now=NOW)
    assert client.interpreter_language == "kmr"
    assert changes.fields == ("interpreter_language",)
    assert {"swl", "prs", "ckb", "fit", "rom"} <= set(INTERPRETER_LANGUAGES)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"interpreter_language": "klingon"}, "interpreter_language"),
        ({"communication_aid": "x" * 81}, "communication_aid"),
    ],
)
def test_an_unknown_language_or_a_long_aid_is_refused(session, team, values, field):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    with pytest.raises(InvalidInput) as refused:
        clients.update(session, client, **values)
    assert set(refused.value.errors) == {field}
    assert (client.interpreter_language, client.communication_aid) == ("", "")


def test_the_aid_is_kept_on_one_line_and_empty_means_none(session, team):
    _, lina, _ = team
    client = create_client(session, staff=lina, interpreter_language="ar")
    clients.update(
        session, client, communication_aid="talsyntes\nteckenspråk\x00", interpreter_language=""
    )
    assert client.communication_aid == "talsyntes teckenspråk"
    assert client.interpreter_language == ""
    assert ContactNeeds.of(client) == ContactNeeds("", "talsyntes teckenspråk")
