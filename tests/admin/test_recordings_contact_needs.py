"""The line about calls on every staff screen about a client whose language Twilio has no
voice for: recorded phrases, or the interpreter offer (what app.voice.inventory says)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.voice import inventory
from tests.admin.conftest import sign_in
from tests.espeak import tone
from tests.factories import create_client

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)
TONE = tone(1.0, level=0.25)


@pytest.fixture
def hodan(session, caseworker):
    """A client who speaks Somali: Twilio has no Somali voice."""
    return create_client(session, caseworker, first_name="Hodan", phone="+46700000021",
                         language="so")  # fmt: skip


def record(app, code: str, count: int | None = None) -> None:
    folder = Path(app.config["RECORDINGS_DIR"]) / code
    folder.mkdir(parents=True, exist_ok=True)
    for item in inventory.needed(code)[:count]:
        (folder / f"{item.name}.wav").write_bytes(TONE)


def needs_box(html: str) -> str:
    return html.split('class="contact-needs"')[1].split("</div>")[0]


def test_without_recordings_staff_see_that_calls_offer_an_interpreter(hodan, as_caseworker):
    html = as_caseworker.get(f"/admin/clients/{hodan.id}").get_data(as_text=True)
    assert "Phone in Somali: no recordings yet – calls offer an interpreter" in needs_box(html)


def test_with_every_recording_staff_see_recorded_phrases(app, hodan, as_caseworker):
    record(app, "so")
    html = as_caseworker.get(f"/admin/clients/{hodan.id}").get_data(as_text=True)
    box = needs_box(html)
    assert "Phone in Somali: recorded phrases" in box
    assert "interpreter" not in box


def test_with_some_recordings_staff_see_that_some_calls_offer_an_interpreter(
    app, hodan, as_caseworker
):
    record(app, "so", count=5)
    html = as_caseworker.get(f"/admin/clients/{hodan.id}").get_data(as_text=True)
    assert (
        "Phone in Somali: recorded phrases, some missing – some calls offer an interpreter"
        in needs_box(html)
    )


def test_a_language_twilio_speaks_needs_no_line(session, caseworker, amal, sara, as_caseworker):
    for client in (amal, sara):
        html = as_caseworker.get(f"/admin/clients/{client.id}").get_data(as_text=True)
        assert 'class="contact-needs"' not in html
        assert "Phone in" not in html


def test_the_line_is_in_swedish_for_swedish_staff(client, caseworker, hodan):
    sign_in(client, caseworker, language="sv")
    html = client.get(f"/admin/clients/{hodan.id}").get_data(as_text=True)
    assert "Telefon på somaliska: inga inspelningar än – samtal erbjuder tolk" in needs_box(html)


def test_the_line_shows_where_a_meeting_is_booked(hodan, as_caseworker):
    html = as_caseworker.get(f"/admin/clients/{hodan.id}/appointments/new").get_data(as_text=True)
    assert "Phone in Somali: no recordings yet" in needs_box(html)
