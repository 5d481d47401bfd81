"""`flask recordings` (app/voice/commands.py, app/voice/sets.py): the script, the check and
moving a language's set of recordings between installations."""

import csv
import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from app.voice import inventory, names
from app.voice.recordings import CHECKED, LOCK, store
from tests.espeak import encode_mp3, make_set, tone
from tests.factories import create_unit

MENU_1 = "Tryck 1 för ditt nästa möte."


def named(code: str, base: str) -> str:
    """A value's recording name in a language (it carries the words: app/voice/names.py)."""
    from app.voice import inventory

    return inventory.aliases(code)[base]


@pytest.fixture
def recordings_dir(app) -> Path:
    return Path(app.config["RECORDINGS_DIR"])


def _full_set(app, folder: Path, code: str = "so") -> dict[str, Path]:
    made = make_set(folder, code)
    os.utime(folder / code)  # a new listing for the store, even within one clock tick
    return made


def _zip(path: Path, files: dict[str, bytes], manifest: dict | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        if manifest is not None:
            archive.writestr("manifest.json", json.dumps(manifest))
        for name, data in files.items():
            archive.writestr(name, data)
    return path


# script ----------------------------------------------------------------------------------


def test_script_writes_the_csv_to_stdout(runner, app, session):
    create_unit(session)
    result = runner.invoke(args=["recordings", "script", "--lang", "so"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("\ufeff")
    body = list(csv.DictReader(io.StringIO(result.output[1:])))
    assert len(body) == len(inventory.needed("so", ("Ekby kommun",)))
    (menu_1,) = [row for row in body if row["Svenska"] == MENU_1]
    assert menu_1["Att spela in"].startswith("Riix 1")
    assert menu_1["Fil"].endswith(".mp3") and menu_1["Inspelad"] == "Nej"
    assert body[-1]["Fil"] == f"{names.unit('Ekby kommun')}.mp3"


def test_script_writes_a_printable_page_to_a_file(runner, tmp_path):
    target = tmp_path / "fa.html"
    result = runner.invoke(args=["recordings", "script", "--lang", "fa", "--output", str(target)])
    assert result.exit_code == 0, result.output
    page = target.read_text("utf-8")
    assert page.startswith("<!doctype html>") and 'lang="fa" dir="rtl"' in page
    assert f"Wrote {target}: {len(inventory.needed('fa'))} recordings" in result.output


def test_script_refuses_a_language_it_does_not_know_or_a_folder_that_is_not_there(runner, tmp_path):
    result = runner.invoke(args=["recordings", "script", "--lang", "xx"])
    assert result.exit_code == 2 and "--lang" in result.output
    nowhere = tmp_path / "missing" / "so.csv"
    result = runner.invoke(args=["recordings", "script", "--lang", "so", "--output", str(nowhere)])
    assert result.exit_code == 1 and f"Cannot write {nowhere}" in result.output


# check -----------------------------------------------------------------------------------


def test_check_without_recordings_says_callers_get_the_voice_or_an_interpreter(runner):
    result = runner.invoke(args=["recordings", "check"])
    assert result.exit_code == 0, result.output
    assert "sv (Swedish): Twilio voice\n" in result.output
    assert "so (Somali): no recordings: callers are offered an interpreter" in result.output
    for code in ("so", "fa", "prs", "ti", "sv", "en", "ar", "fi", "uk"):
        assert f"\n{code} (" in f"\n{result.output}"


def test_check_fails_on_a_partial_set_and_says_what_each_screen_lacks(runner, recordings_dir):
    menu = [item.name for item in inventory.needed("so") if item.used_in == ("menu",)]
    make_set(recordings_dir, "so", {name: "" for name in menu[:3]})
    result = runner.invoke(args=["recordings", "check", "--lang", "so"])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0] == ("so (Somali): recordings incomplete: callers are offered an interpreter")
    total = len(inventory.needed("so"))
    assert lines[1] == f"  needed {total}, recorded 3, missing {total - 3}"
    missing = inventory.coverage("so").by_screen
    assert f"Phone menu ({missing['menu']})" in lines[2]
    assert f"Reminder call ({missing['reminder_call']})" in lines[2]
    assert "\nsv (" not in result.output  # one language asked for


def test_check_passes_a_full_set_and_reports_unused_and_bad_files(
    runner, app, session, recordings_dir
):
    _full_set(app, recordings_dir)
    create_unit(session, sender_name="Ekby kommun")
    create_unit(session, name="Norrby", sender_name="Norrby kommun", phone="+46855500100")
    make_set(recordings_dir, "so", {names.unit("Ekby kommun"): "Ekby kommun"})
    result = runner.invoke(args=["recordings", "check", "--lang", "so"])
    assert result.exit_code == 0, result.output
    total = len(inventory.needed("so"))
    assert result.output.splitlines()[:4] == [
        "so (Somali): recordings (complete)",
        f"  needed {total}, recorded {total}, missing 0",
        "  every screen complete",
        "  units' names recorded: 1 of 2 (optional)",
    ]
    # A file a caller could not hear makes the check fail and says why; a recording of
    # words no phrase says any more (a translation changed) is listed.
    store().save("so", names.number(7), tone(0.5, level=0.001), ".wav")
    store().save("so", "tryck-1-for-ditt-00000000", tone(0.5), ".wav")
    result = runner.invoke(args=["recordings", "check", "--lang", "so"])
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[4:] == [
        "  files not needed any more (1):",
        "    tryck-1-for-ditt-00000000.wav",
        "  files that fail the audio check (1):",
        "    number-7.wav: The recording is too quiet to be heard on a phone (-63 dBFS on "
        "average). Record closer to the microphone, or raise the level.",
    ]


def test_a_voice_language_with_a_few_recordings_is_not_incomplete(runner, recordings_dir):
    greeting = next(item.name for item in inventory.needed("sv") if item.group == "phrase")
    make_set(recordings_dir, "sv", {greeting: ""})
    store().save("sv", "hej-det-har-ar-00000000", tone(0.5), ".wav")  # not needed: listed only
    result = runner.invoke(args=["recordings", "check", "--lang", "sv"])
    assert result.exit_code == 0, result.output
    total = len(inventory.needed("sv"))
    assert result.output.splitlines() == [
        "sv (Swedish): Twilio voice (recordings played where they exist)",
        f"  recorded 1 of {total} (optional)",
        "  files not needed any more (1):",
        "    hej-det-har-ar-00000000.wav",
    ]


# export and import -----------------------------------------------------------------------


def test_a_set_goes_to_a_zip_and_back_whole(runner, app, recordings_dir, tmp_path):
    some = [item.name for item in inventory.needed("ti") if item.text][:12]
    made = make_set(recordings_dir, "ti", {name: "" for name in some})
    target = tmp_path / "ti.zip"
    result = runner.invoke(args=["recordings", "export", "--lang", "ti", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert f"{len(made)} recordings in ti" in result.output
    with zipfile.ZipFile(target) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["language"] == "ti"
        rows = {row["name"]: row for row in manifest["recordings"]}
        assert set(rows) == set(made)
        item = next(i for i in inventory.needed("ti") if i.name == some[0])
        assert rows[item.name]["text"] == item.text
        assert rows[item.name]["swedish"] == item.swedish
        data = archive.read(f"{item.name}.wav")
        assert rows[item.name]["sha256"] == hashlib.sha256(data).hexdigest()
    before = {name: path.read_bytes() for name, path in made.items()}
    for name in made:  # another installation: nothing recorded yet
        store().delete("ti", name)
    result = runner.invoke(args=["recordings", "import", str(target)])
    assert result.exit_code == 0, result.output
    assert f"added: {len(made)}\n" in result.output
    assert {name: path.read_bytes() for name, path in store().files("ti").items()} == before
    again = runner.invoke(args=["recordings", "import", str(target)])
    assert again.exit_code == 0 and f"unchanged (the same file is here): {len(made)}" in (
        again.output
    )


def test_import_keeps_what_is_recorded_here_unless_told_to_replace(runner, app, tmp_path):
    name = named("so", names.weekday(0))
    store().save("so", name, tone(0.6, hertz=300), ".wav")
    other = encode_mp3(tone(0.8, hertz=500))  # the other installation recorded an MP3
    archive = _zip(tmp_path / "so.zip", {f"{name}.mp3": other}, {"language": "so"})
    kept = runner.invoke(args=["recordings", "import", str(archive)])
    assert kept.exit_code == 0, kept.output
    assert f"kept (recorded here already; --replace to replace): 1\n  {name}.mp3" in kept.output
    assert store().find("so", name).read_bytes() == tone(0.6, hertz=300)
    replaced = runner.invoke(args=["recordings", "import", str(archive), "--replace"])
    assert replaced.exit_code == 0, replaced.output
    assert "replaced: 1" in replaced.output
    assert store().find("so", name).name == f"{name}.mp3"
    assert store().find("so", name).read_bytes() == other
    assert not (store().folder("so") / f"{name}.wav").exists()


def test_import_never_writes_outside_the_set_and_refuses_bad_files(
    runner, app, recordings_dir, tmp_path
):
    good = tone(0.5)
    archive = _zip(
        tmp_path / "so.zip",
        {
            "../../evil.wav": good,
            "/etc/evil.wav": good,
            "..\\evil.wav": good,
            f"{named('so', names.weekday(1))}.wav": os.urandom(4000),
            f"{named('so', names.weekday(2))}.wav": tone(0.5, level=0.001),
            f"{named('so', names.weekday(3))}.mp3": good,  # a WAV named .mp3
            "Number 4.wav": good,
            "notes.txt": b"hello",
            "tryck-1-for-ditt-00000000.wav": good,  # another installation's translation
            f"so/{named('so', names.weekday(4))}.wav": good,  # a set zipped with its folder is fine
        },
        {"language": "so"},
    )
    result = runner.invoke(args=["recordings", "import", str(archive)])
    assert result.exit_code == 1, result.output
    out = result.output
    for entry in ("../../evil.wav", "/etc/evil.wav", "..\\evil.wav"):
        assert f"refused: {entry}: a path outside the set: not read" in out
    assert f"refused: {named('so', names.weekday(1))}.wav: The file cannot be played as WAV." in out
    assert f"refused: {named('so', names.weekday(2))}.wav: The recording is too quiet" in out
    assert f"refused: {named('so', names.weekday(3))}.mp3: The file cannot be played as MP3." in out
    assert "refused: Number 4.wav: not a recording's name" in out
    assert "refused: notes.txt: not an MP3 or WAV file" in out
    assert "not needed here (other translations or units): 1\n  tryck-1-for-ditt" in out
    assert "so: 1 recordings imported, 8 refused." in out
    assert set(store().files("so")) == {named("so", names.weekday(4))}
    assert not list(tmp_path.rglob("evil.wav")) and not Path("/etc/evil.wav").exists()
    assert sorted(
        p.name for p in recordings_dir.rglob("*") if p.is_file() and p.name not in (LOCK, CHECKED)
    ) == [f"{named('so', names.weekday(4))}.wav"]


def test_import_refuses_a_file_that_differs_from_its_checksum(runner, app, tmp_path):
    name = named("so", names.month(3))
    manifest = {"language": "so", "recordings": [{"file": f"{name}.wav", "sha256": "0" * 64}]}
    archive = _zip(tmp_path / "so.zip", {f"{name}.wav": tone(0.5)}, manifest)
    result = runner.invoke(args=["recordings", "import", str(archive)])
    assert result.exit_code == 1
    assert "damaged: it differs from the manifest's checksum" in result.output
    assert store().find("so", name) is None


def test_a_unit_s_name_is_imported_only_where_the_unit_is(runner, app, session, tmp_path):
    create_unit(session, sender_name="Ekby kommun")
    files = {f"{names.unit('Ekby kommun')}.wav": tone(0.5)}
    files[f"{names.unit('Norrby kommun')}.wav"] = tone(0.5)
    archive = _zip(tmp_path / "fa.zip", files, {"language": "fa"})
    result = runner.invoke(args=["recordings", "import", str(archive)])
    assert result.exit_code == 0, result.output
    assert set(store().files("fa")) == {names.unit("Ekby kommun")}
    assert f"  {names.unit('Norrby kommun')}.wav" in result.output


def test_import_needs_the_language_from_the_zip_or_the_command(runner, app, tmp_path):
    archive = _zip(tmp_path / "set.zip", {f"{named('prs', names.weekday(0))}.wav": tone(0.5)})
    result = runner.invoke(args=["recordings", "import", str(archive)])
    assert result.exit_code == 1 and "give it with --lang" in result.output
    result = runner.invoke(args=["recordings", "import", str(archive), "--lang", "prs"])
    assert result.exit_code == 0, result.output
    assert set(store().files("prs")) == {named("prs", names.weekday(0))}
    other = _zip(tmp_path / "fa.zip", {"x.wav": tone(0.5)}, {"language": "fa"})
    result = runner.invoke(args=["recordings", "import", str(other), "--lang", "prs"])
    assert result.exit_code == 1 and "recordings in 'fa', not 'prs'" in result.output
    not_zip = tmp_path / "not.zip"
    not_zip.write_bytes(b"PK but not really")
    result = runner.invoke(args=["recordings", "import", str(not_zip)])
    assert result.exit_code == 1 and "Not a zip file" in result.output


def test_export_of_a_language_without_recordings_says_so(runner, tmp_path):
    result = runner.invoke(
        args=["recordings", "export", "--lang", "so", "--output", str(tmp_path / "so.zip")]
    )
    assert result.exit_code == 1 and "No recordings in so to export." in result.output
    assert not (tmp_path / "so.zip").exists()


def test_import_refuses_an_entry_the_zip_cannot_give_back_whole(runner, app, tmp_path):
    archive = tmp_path / "so.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as made:
        made.writestr(f"{named('so', names.month(1))}.wav", tone(0.5, hertz=523))
        made.writestr(f"{named('so', names.month(2))}.wav", tone(0.5))
        made.writestr("manifest.json", json.dumps({"language": "so"}))
    data = bytearray(archive.read_bytes())
    start = data.index(f"{named('so', names.month(1))}.wav".encode()) + 40
    data[start : start + 200] = bytes(200)  # the first recording's compressed bytes, damaged
    archive.write_bytes(bytes(data))
    result = runner.invoke(args=["recordings", "import", str(archive)])
    assert result.exit_code == 1, result.output
    assert (
        f"refused: {named('so', names.month(1))}.wav: cannot be read from the zip" in result.output
    )
    assert set(store().files("so")) == {named("so", names.month(2))}


def test_a_set_from_another_version_is_imported_under_today_s_names(runner, app, tmp_path):
    """Values were once named without their words ('weekday-1'): the manifest's words say
    which recording each is here."""
    from app.voice import inventory

    monday = next(i for i in inventory.needed("so") if i.name == named("so", names.weekday(0)))
    manifest = {
        "language": "so",
        "recordings": [
            {"file": "weekday-1.wav", "name": "weekday-1", "text": monday.text},
            {"file": "weekday-2.wav", "name": "weekday-2", "text": "other words"},
        ],
    }
    files = {"weekday-1.wav": tone(0.5), "weekday-2.wav": tone(0.5)}
    result = runner.invoke(
        args=["recordings", "import", str(_zip(tmp_path / "old.zip", files, manifest))]
    )
    assert f"weekday-1.wav -> {monday.name}.wav" in result.output
    assert set(store().files("so")) == {monday.name}
    assert "not needed here" in result.output and "weekday-2.wav" in result.output


def test_check_for_one_language_names_every_recording_still_to_make(runner, app):
    from app.voice import inventory
    from tests.recorded_sets import record

    needed = [i for i in inventory.needed("so") if not i.optional]
    left = {needed[0].name, needed[-1].name}
    record("so", skip=left)
    result = runner.invoke(args=["recordings", "check", "--lang", "so"])
    assert result.exit_code == 1
    assert "still to record (2):" in result.output
    for name in left:
        assert f"    {name}.mp3" in result.output
