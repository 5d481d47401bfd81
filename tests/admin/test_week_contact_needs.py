"""The week list shows how each client wants to be reached: the interpreter staff recorded
(not a guess from the language of the messages) and the communication aid."""

from datetime import UTC, date, datetime

import pytest

from tests.admin.test_week import day_section, local
from tests.factories import book_appointment, create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


def test_the_week_shows_the_recorded_interpreter_and_aid(as_caseworker, session, caseworker):
    signing = create_client(
        session, caseworker, first_name="Elin", phone="+46700000008",
        interpreter_language="swl", communication_aid="talsyntes",
    )  # fmt: skip
    reading_arabic = create_client(
        session, caseworker, first_name="Amal", phone="+46700000003", language="ar"
    )
    book_appointment(session, signing, starts_at=local(5, 13), now=NOW)
    book_appointment(session, reading_arabic, starts_at=local(6, 9, 30), now=NOW)
    page = as_caseworker.get("/admin/week").get_data(as_text=True)
    thursday = day_section(page, date(2026, 3, 5))
    assert "Interpreter: Swedish Sign Language" in thursday
    assert "Communication aid: talsyntes" in thursday
    # Amal reads her messages in Arabic, but staff recorded no interpreter for her.
    assert "Interpreter" not in day_section(page, date(2026, 3, 6))
