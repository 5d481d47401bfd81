"""Uploading and deleting recordings on the admin page: a file is checked before it is kept
(a caller must be able to hear it), only under a name the phone needs, and what is wrong is
said next to its row in the staff language; every change is audited without client data."""

import os
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from sqlmodel import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.models import AuditEvent
from app.voice import inventory
from tests.admin.conftest import csrf_token, post, sign_in
from tests.espeak import encode_mp3, tone

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)
TONE = tone(1.0, level=0.25)  # a second at -12 dBFS


def menu_item(code: str = "so") -> inventory.Needed:
    """The phone menu's "press 1 for your next meeting" in the language."""
    return next(i for i in inventory.needed(code) if i.swedish == "Tryck 1 för ditt nästa möte.")


def upload(web, code: str, name: str, data: bytes, filename: str = "take.wav", **fields):
    """POST the upload form as a browser does. Encoded here in memory: the test client
    would spool a large body to a temporary file it leaves open when the app refuses it."""
    values = {"csrf_token": csrf_token(web), "name": name} | fields
    boundary, body = encode_multipart(values | {"recording": FileStorage(BytesIO(data), filename)})
    return web.post(f"/admin/recordings/{code}/upload", data=body,
                    content_type=f"multipart/form-data; boundary={boundary}")  # fmt: skip


def kept(app, code: str) -> list[str]:
    folder = Path(app.config["RECORDINGS_DIR"]) / code
    if not folder.exists():
        return []
    return sorted(path.name for path in folder.iterdir() if not path.name.startswith("."))


def row_of(html: str, name: str) -> str:
    return html.split(f'id="rec-{name}"')[1].split("</tr>")[0]


def test_an_upload_is_kept_audited_and_played_back(app, session, administrator, as_admin):
    item = menu_item()
    response = upload(as_admin, "so", item.name, TONE)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/recordings/so#rec-{item.name}")
    assert kept(app, "so") == [f"{item.name}.wav"]
    page = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Saved {item.name}: 1.0 seconds. Listen to it below." in page
    assert f'src="/recordings/so/{item.name}.wav?v=' in row_of(page, item.name)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "recording_uploaded")).one()
    assert (event.detail, event.actor_id, event.client_id) == (
        f"so: {item.name}",
        administrator.id,
        None,
    )
    with as_admin.get(f"/recordings/so/{item.name}.wav") as played:
        assert played.status_code == 200 and played.data == TONE


def test_an_upload_replaces_the_earlier_take(app, as_admin):
    item = menu_item()
    upload(as_admin, "so", item.name, tone(2.0, level=0.25))
    upload(as_admin, "so", item.name, TONE, filename="NEW TAKE.WAV")
    assert kept(app, "so") == [f"{item.name}.wav"]
    assert (Path(app.config["RECORDINGS_DIR"]) / "so" / f"{item.name}.wav").read_bytes() == TONE


def test_an_mp3_replaces_a_wav_of_the_same_recording(app, as_admin):
    item = menu_item()
    upload(as_admin, "so", item.name, TONE)
    mp3 = encode_mp3(tone(1.0, level=0.25, rate=16000))
    assert upload(as_admin, "so", item.name, mp3, filename="take.MP3").status_code == 303
    assert kept(app, "so") == [f"{item.name}.mp3"]
    page = as_admin.get("/admin/recordings/so?group=menu").get_data(as_text=True)
    assert f'src="/recordings/so/{item.name}.mp3?v=' in row_of(page, item.name)


@pytest.mark.parametrize(
    ("data", "filename", "problem"),
    [
        (os.urandom(4000), "take.wav", "The file cannot be played as WAV."),
        (tone(1.0, level=0.0), "take.wav", "The recording is too quiet to be heard on a phone"),
        (tone(0.1, level=0.25), "take.wav", "The recording is only 0.10 seconds long."),
        (TONE, "take.ogg", "Upload the recording as an MP3 or WAV file."),
        (b"", "", "Choose a file to upload."),
    ],
    ids=["random-bytes", "silent", "too-short", "ogg", "no-file"],
)
def test_an_unusable_file_is_refused_next_to_its_row(
    app, session, as_admin, data, filename, problem
):
    item = menu_item()
    response = upload(as_admin, "so", item.name, data, filename)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    row = row_of(html, item.name)
    assert f'<p class="field-error" id="error-{item.name}">{problem}' in row
    assert 'aria-invalid="true"' in row
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    assert f'href="#field-{item.name}">{item.name}: {problem}' in summary
    assert kept(app, "so") == []
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.action == "recording_uploaded")).first()
        is None
    )


def test_a_problem_is_said_in_swedish_to_swedish_staff(client, administrator):
    sign_in(client, administrator, language="sv")
    response = upload(client, "so", menu_item().name, b"", "")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Välj en fil att ladda upp." in html
    assert "Choose a file" not in html


@pytest.mark.parametrize("name", ["hej-gammal-text-0badc0de", "../../etc/passwd", ""])
def test_only_a_name_the_phone_needs_may_be_uploaded(app, as_admin, name):
    response = upload(as_admin, "so", name, TONE)
    assert response.status_code == 303
    page = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "No recording by that name is needed in Somali: nothing was saved." in page
    assert kept(app, "so") == []


def test_a_units_name_may_be_recorded_in_a_language(app, unit, as_admin):
    assert upload(as_admin, "so", "unit-ekby-kommun", TONE).status_code == 303
    assert kept(app, "so") == ["unit-ekby-kommun.wav"]


def test_a_phrase_without_a_translation_cannot_be_recorded_yet(app, as_admin, monkeypatch):
    item = menu_item()
    untranslated = inventory.Needed(item.name, "phrase", item.swedish, "", "", item.used_in)
    real = inventory.needed
    monkeypatch.setattr(
        inventory,
        "needed",
        lambda code, units=(): [
            untranslated if i.name == item.name else i for i in real(code, units)
        ],
    )
    response = upload(as_admin, "so", item.name, TONE)
    assert response.status_code == 422
    assert "This phrase has no translation yet" in response.get_data(as_text=True)
    assert kept(app, "so") == []


def test_a_file_too_large_is_refused_with_a_message_not_an_error_page(app, as_admin):
    item = menu_item()
    response = upload(as_admin, "so", item.name, b"RIFF" + bytes(7 * 1024 * 1024))
    assert response.status_code == 303
    page = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "The file is larger than 6 MB." in page
    assert kept(app, "so") == []


def test_a_recording_of_a_few_megabytes_is_accepted(app, as_admin):
    item = menu_item()
    take = tone(25.0, level=0.25, rate=48000, channels=2)  # 4.8 MB: far above the 256 KB forms get
    assert upload(as_admin, "so", item.name, take).status_code == 303
    assert kept(app, "so") == [f"{item.name}.wav"]


def test_other_forms_keep_the_small_body_limit(as_admin):
    response = post(as_admin, "/admin/settings", {"name": "x" * (400 * 1024)})
    assert response.status_code == 413


def test_delete_asks_first_then_deletes_and_audits(app, session, as_admin):
    item = menu_item()
    upload(as_admin, "so", item.name, TONE)
    asked = post(as_admin, "/admin/recordings/so/delete", {"name": item.name})
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert f"Delete the recording {item.name}?" in html and 'name="confirm" value="yes"' in html
    assert kept(app, "so") == [f"{item.name}.wav"]
    done = post(as_admin, "/admin/recordings/so/delete", {"name": item.name, "confirm": "yes"})
    assert done.status_code == 303
    assert kept(app, "so") == []
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "recording_deleted")).one()
    assert event.detail == f"so: {item.name}"
    assert f"Deleted the recording {item.name}." in as_admin.get(done.headers["Location"]).get_data(
        as_text=True
    )


def test_deleting_what_is_not_there_is_not_found(as_admin):
    assert post(as_admin, "/admin/recordings/so/delete", {"name": "number-1"}).status_code == 404
    assert post(as_admin, "/admin/recordings/so/delete", {"name": "../x"}).status_code == 404


def test_case_workers_may_not_upload(app, as_caseworker):
    assert upload(as_caseworker, "so", menu_item().name, TONE).status_code == 403
    assert kept(app, "so") == []


def test_the_length_is_said_as_swedish_staff_write_numbers(client, administrator):
    sign_in(client, administrator, language="sv")
    response = upload(client, "so", menu_item().name, tone(1.5, level=0.25))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{menu_item().name} är sparad: 1,5 sekunder." in page
