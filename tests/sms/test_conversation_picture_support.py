"""The SMS menu for a client with picture support: the overview link comes first."""

from datetime import UTC, datetime

import pytest

from tests.factories import create_client, create_staff, create_unit
from tests.sms.test_conversation import text

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def lina(session):
    unit = create_unit(session, phone_menu_number="+46846500401")
    return create_staff(session, unit, email="lina@ekby.example", name="Lina Berg")


def test_the_menu_gives_a_client_with_picture_support_the_overview_link_first(
    client, session, lina
):
    create_client(session, staff=lina, picture_support=True)
    lines = text(client, "HJÄLP").splitlines()
    assert lines[0].startswith("Hej Sara!")
    assert lines[1].startswith("Se allt om dig med bilder: http") and "/p/" in lines[1]
    assert lines[2] == "Svara med en siffra:"
    assert sum("/p/" in line for line in lines) == 1


def test_the_menu_keeps_the_overview_link_last_for_other_clients(client, session, lina):
    create_client(session, staff=lina)
    lines = text(client, "HJÄLP").splitlines()
    assert lines[1] == "Svara med en siffra:"
    assert lines[-1].startswith("Här ser du allt om dig: http")
