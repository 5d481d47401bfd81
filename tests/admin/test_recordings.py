"""The recordings page for administrators: what callers get in each language, coverage per
language and screen, the files no longer used, a language's list of what to record, and the
calls of the unit's clients that fell back to the interpreter offer."""

import base64
import csv
import hashlib
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.models import CallStep, Client, StaffRole
from app.voice import inventory
from tests.admin.conftest import PASSWORD, post, sign_in
from tests.espeak import tone
from tests.factories import create_client, create_staff, create_unit, password_hash_of

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)
TONE = tone(1.0, level=0.25)  # a second at -12 dBFS: a recording any check accepts


def folder(app, code: str) -> Path:
    path = Path(app.config["RECORDINGS_DIR"]) / code
    path.mkdir(parents=True, exist_ok=True)
    return path


def record_all(app, code: str, only: set[str] | None = None) -> None:
    """Every recording a language needs (or those of `only` screens), as short tones."""
    for item in inventory.needed(code):
        if item.text and (only is None or only & set(item.used_in)):
            (folder(app, code) / f"{item.name}.wav").write_bytes(TONE)


def language_row(html: str, language: str) -> str:
    """The overview's row of one language, its tags left out."""
    row = re.search(rf"<tr>\s*<th scope=\"row\"><a [^>]*>{language}</a>.*?</tr>", html, re.S)
    assert row, language
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(0))).strip()


def test_each_language_says_what_callers_get(app, as_admin):
    record_all(app, "so")
    (folder(app, "fa") / f"{inventory.needed('fa')[0].name}.wav").write_bytes(TONE)
    for item in inventory.needed("fi")[:2]:
        (folder(app, "fi") / f"{item.name}.wav").write_bytes(TONE)
    html = as_admin.get("/admin/recordings").get_data(as_text=True)
    assert "Twilio voice" in language_row(html, "Swedish")
    assert "Twilio voice; 2 phrases recorded" in language_row(html, "Finnish")
    assert "Recordings, complete" in language_row(html, "Somali")
    fa = language_row(html, "Persian")
    assert "Recordings incomplete – callers get the interpreter offer" in fa
    tigrinya = language_row(html, "Tigrinya")
    assert "No recordings – callers get the interpreter offer" in tigrinya
    needed = len(inventory.needed("ti"))
    assert f"{needed} 0 {needed}" in tigrinya  # needed, recorded, missing
    assert html.count('<th scope="row"><a href="/admin/recordings/') == 9
    assert f"All {len(inventory.SCREENS)}" in language_row(html, "Somali")


def test_the_screens_a_partial_set_completes_are_listed(app, as_admin):
    record_all(app, "ti", only={"reminder_call"})
    row = language_row(as_admin.get("/admin/recordings").get_data(as_text=True), "Tigrinya")
    assert "Reminder call" in row and "PIN code" in row  # the reminder call asks for the PIN
    assert "Phone menu" not in row
    assert f"of {len(inventory.SCREENS)}:" in row


def test_a_file_no_phrase_needs_is_counted_and_can_be_deleted(app, as_admin):
    (folder(app, "so") / "hej-gammal-text-0badc0de.wav").write_bytes(TONE)
    overview = as_admin.get("/admin/recordings").get_data(as_text=True)
    assert 'href="/admin/recordings/so#unused">1</a>' in overview
    page = as_admin.get("/admin/recordings/so").get_data(as_text=True)
    unused = page.split('id="unused"')[1]
    assert "hej-gammal-text-0badc0de" in unused and ">Delete</button>" in unused


def rows_of(html: str) -> list[str]:
    return re.findall(r'<th scope="row" id="rec-([a-z0-9-]+)"', html)


def test_a_language_page_lists_every_recording_under_its_heading(app, unit, as_admin):
    record_all(app, "so", only={"reminder_call"})
    html = as_admin.get("/admin/recordings/so").get_data(as_text=True)
    assert re.search(r'<h2 id="group">Phone menu</h2>', html)  # the first with some missing
    headings = re.findall(r'href="/admin/recordings/so\?group=(\w+)"', html)
    assert headings[:2] == ["menu", "option1"] and headings[-1] == "unit_names"
    assert {"dates", "numbers", "language_names", "words"} <= set(headings)
    shown = [name for key in headings for name in rows_of(as_admin.get(
        f"/admin/recordings/so?group={key}").get_data(as_text=True))]  # fmt: skip
    assert sorted(shown) == sorted(i.name for i in inventory.needed("so", ("Ekby kommun",)))
    menu = html.split('<h2 id="group">')[1]
    assert "Tryck 1 för ditt nästa möte." in menu
    assert "Riix 1 si aad u maqasho ballantaada xigta." in menu
    assert 'accept=".mp3,.wav,audio/mpeg,audio/wav"' in menu
    assert 'enctype="multipart/form-data"' in menu
    first_in_reminders = [
        i for i in inventory.needed("so") if i.used_in[0] == "reminder_call" and i.group != "value"
    ]
    assert f"Reminder call</a>:\n    all {len(first_in_reminders)} recorded" in html
    page = as_admin.get("/admin/recordings/so?group=reminder_call").get_data(as_text=True)
    recorded = first_in_reminders[0]
    row = page.split(f'id="rec-{recorded.name}"')[1].split("</tr>")[0]
    player = '<audio class="player" controls preload="none" src="/recordings/so/'
    assert re.search(rf"{player}{recorded.name}.wav\?v=\d+\"", row)
    assert "Recorded" in row and ">Delete</button>" in row


def test_an_unknown_heading_shows_the_first_with_something_to_record(app, as_admin):
    html = as_admin.get("/admin/recordings/so?group=nonsense").get_data(as_text=True)
    assert '<h2 id="group">Phone menu</h2>' in html


def test_only_missing_leaves_out_what_is_recorded(app, as_admin):
    record_all(app, "so", only={"reminder_call"})
    menu = [i for i in inventory.needed("so") if i.used_in[0] == "menu" and i.group != "value"]
    recorded = [i.name for i in menu if "reminder_call" in i.used_in]
    missing = [i.name for i in menu if "reminder_call" not in i.used_in]
    assert recorded and missing
    html = as_admin.get("/admin/recordings/so?group=menu&show=missing").get_data(as_text=True)
    assert sorted(rows_of(html)) == sorted(missing)
    assert 'name="show" value="missing" checked' in html
    assert 'name="show" value="missing">' in html  # an upload comes back to the same list
    everything = as_admin.get("/admin/recordings/so?group=menu").get_data(as_text=True)
    assert sorted(rows_of(everything)) == sorted(recorded + missing)


def test_the_words_to_record_carry_their_language_and_direction(as_admin):
    html = as_admin.get("/admin/recordings/fa").get_data(as_text=True)
    assert 'lang="fa" dir="rtl"' in html
    assert 'lang="so"' not in html


def test_an_unknown_language_is_not_found(as_admin):
    assert as_admin.get("/admin/recordings/xx").status_code == 404
    assert as_admin.get("/admin/recordings/SO").status_code == 404
    assert post(as_admin, "/admin/recordings/xx/upload", {"name": "number-1"}).status_code == 404


def test_case_workers_may_not_see_or_change_recordings(app, as_caseworker):
    (folder(app, "so") / "number-1.wav").write_bytes(TONE)
    assert as_caseworker.get("/admin/recordings").status_code == 403
    assert as_caseworker.get("/admin/recordings/so").status_code == 403
    assert (
        post(
            as_caseworker, "/admin/recordings/so/delete", {"name": "number-1", "confirm": "yes"}
        ).status_code
        == 403
    )
    assert (folder(app, "so") / "number-1.wav").exists()
    assert "/admin/recordings" not in as_caseworker.get("/admin/").get_data(as_text=True)


def fell_back(session, client: Client | None, sid: str, step: int, *, ago=timedelta(hours=1),
              language="so", screen="pressed", voice="fallback") -> None:  # fmt: skip
    session.add(CallStep(call_sid=sid, step=step, client_id=client.id if client else None,
                         screen=screen, twiml="<Response/>", created_at=NOW - ago,
                         language=language, voice=voice,
                         missing=3 if voice == "fallback" else 0))  # fmt: skip
    session.commit()


def test_the_calls_that_fell_back_are_counted_by_language_and_step(
    session, unit, caseworker, as_admin
):
    nadia = create_client(session, caseworker, first_name="Nadia", last_name="Warsame",
                          phone="+46700000011", language="so")  # fmt: skip
    other_unit = create_unit(session, name="Västby", sender_name="Västby", phone="+46850000000")
    pia = create_staff(session, other_unit, email="pia@vastby.example", name="Pia Ek")
    hodan = create_client(session, pia, first_name="Hodan", phone="+46700000012", language="so")
    fell_back(session, nadia, "CA1", 1, screen="incoming")
    fell_back(session, nadia, "CA1", 2, ago=timedelta(minutes=50))
    fell_back(session, nadia, "CA2", 2, ago=timedelta(days=2))
    fell_back(session, nadia, "CA3", 2, ago=timedelta(days=31))  # before the last 30 days
    fell_back(session, nadia, "CA4", 2, voice="recordings")  # said from recordings
    fell_back(session, hodan, "CA5", 2, ago=timedelta(minutes=5))  # another unit's client
    fell_back(session, None, "CA6", 1, ago=timedelta(minutes=5), screen="incoming")  # unknown
    fell_back(session, nadia, "CA7", 2, language="ti", ago=timedelta(minutes=30))
    html = as_admin.get("/admin/recordings").get_data(as_text=True)
    section = html.split('id="fallbacks"')[1]
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r"<tr>.*?</tr>", section.split("<tbody>")[1], re.S)]  # fmt: skip
    assert rows == [
        "Tigrinya After a key press 1 1 Tue 3 Mar 09:30",
        "Somali After a key press 2 2 Tue 3 Mar 09:10",
        "Somali Start of the call 1 1 Tue 3 Mar 09:00",
    ]
    for private in ("Nadia", "Warsame", "0700000011", "+46700000011", "Hodan"):
        assert private not in html


def test_no_fallbacks_is_said(as_admin):
    assert "No call fell back in the last 30 days." in as_admin.get("/admin/recordings").get_data(
        as_text=True
    )


def test_another_units_administrator_sees_the_same_set_and_only_their_own_fallbacks(
    app, session, caseworker, client
):
    nadia = create_client(
        session, caseworker, first_name="Nadia", phone="+46700000011", language="so"
    )
    fell_back(session, nadia, "CA1", 1)
    (folder(app, "so") / "number-1.wav").write_bytes(TONE)
    other_unit = create_unit(session, name="Västby", sender_name="Västby", phone="+46850000000")
    admin = create_staff(session, other_unit, email="ella@vastby.example", name="Ella Admin",
                         role=StaffRole.ADMIN,
                         password_hash=password_hash_of(PASSWORD))  # fmt: skip
    sign_in(client, admin)
    html = client.get("/admin/recordings").get_data(as_text=True)
    assert "No call fell back in the last 30 days." in html
    page = client.get("/admin/recordings/so?group=numbers").get_data(as_text=True)
    assert "/recordings/so/number-1.wav?v=" in page
    page = client.get("/admin/recordings/so?group=unit_names").get_data(as_text=True)
    assert rows_of(page) == ["unit-ekby-kommun", "unit-vastby"]


def test_the_script_to_print_keeps_its_own_style_and_nothing_else_inline(as_admin):
    response = as_admin.get("/admin/recordings/so/script")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Tryck 1 för ditt nästa möte." in html and 'lang="so"' in html
    [style] = re.findall(r"<style>(.*?)</style>", html, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = response.headers["Content-Security-Policy"]
    assert f"style-src 'self' 'sha256-{digest}';" in policy
    assert "unsafe-inline" not in policy and "script-src 'self'" in policy
    assert response.headers["Cache-Control"] == "no-store"


def test_the_script_as_a_spreadsheet(as_admin):
    response = as_admin.get("/admin/recordings/so/script.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="recordings-so.csv"'
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert len(rows) == len(inventory.needed("so")) + 2  # the header, and the unit's name
    assert any("Riix 1 si aad u maqasho ballantaada xigta." in row for row in rows)


def test_case_workers_get_no_script(as_caseworker):
    assert as_caseworker.get("/admin/recordings/so/script").status_code == 403
    assert as_caseworker.get("/admin/recordings/so/script.csv").status_code == 403


def test_a_language_twilio_speaks_needs_no_recording(as_admin):
    row = language_row(as_admin.get("/admin/recordings").get_data(as_text=True), "Arabic")
    assert row.startswith("Arabic Twilio voice ")
    assert row.count("(optional: Twilio speaks them)") == 2  # the missing, the screens
    assert "None" not in row
