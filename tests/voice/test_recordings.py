"""The recordings' folder: what counts as a recording, and saves that meet."""

import threading

import pytest

from app import create_app
from app.voice import names
from app.voice.recordings import RecordingStore
from tests.espeak import encode_mp3, tone


@pytest.fixture
def folder(tmp_path):
    app = create_app({"INSTANCE_PATH": tmp_path / "instance"})
    with app.app_context():
        yield RecordingStore(tmp_path / "recordings")


def test_only_a_file_that_passes_the_audio_check_counts(folder):
    folder.save("so", names.number(1), tone(0.4), ".wav")
    (folder.folder("so") / f"{names.number(2)}.wav").write_bytes(tone(0.4)[:60])  # cut short
    (folder.folder("so") / f"{names.number(3)}.wav").write_bytes(b"RIFF....WAVE not audio")
    folder.forget("so")
    assert set(folder.files("so")) == {names.number(1)}
    assert {p.stem for p in folder.candidates("so")} == {f"number-{n}" for n in (1, 2, 3)}


def test_two_saves_of_one_name_at_once_leave_one_whole_file(folder):
    wav, mp3 = tone(0.5), encode_mp3(tone(0.7))
    for _ in range(30):
        saves = [
            threading.Thread(target=folder.save, args=("so", "and-x", data, suffix))
            for data, suffix in ((wav, ".wav"), (mp3, ".mp3"), (wav, ".wav"))
        ]
        for save in saves:
            save.start()
        for save in saves:
            save.join()
        kept = [p for p in folder.folder("so").iterdir() if not p.name.startswith(".")]
        assert len(kept) == 1 and kept[0].read_bytes() in (wav, mp3)
        assert not [p for p in folder.folder("so").iterdir() if p.name.endswith(".part")]


def a_new_process(monkeypatch) -> list[str]:
    """Forget every verdict this process holds, as a newly started worker has none, and
    count the files the audio check decodes from now on."""
    from app.voice import recordings

    monkeypatch.setattr(RecordingStore, "_verdicts", {})
    decoded: list[str] = []
    check = recordings.inspect_file

    def counting(path):
        decoded.append(path.name)
        return check(path)

    monkeypatch.setattr(recordings, "inspect_file", counting)
    return decoded


def test_a_new_worker_lists_the_checked_recordings_without_decoding_them(folder, monkeypatch):
    for n in (1, 2):
        folder.save("so", names.number(n), tone(0.4), ".wav")
    (folder.folder("so") / f"{names.number(3)}.wav").write_bytes(tone(0.4)[:60])  # cut short
    folder.forget("so")
    assert set(folder.files("so")) == {names.number(1), names.number(2)}
    decoded = a_new_process(monkeypatch)
    fresh = RecordingStore(folder.root)
    assert set(fresh.files("so")) == {names.number(1), names.number(2)}
    assert decoded == []  # each verdict was kept beside the recordings, by file version


def test_a_file_changed_by_hand_is_checked_again(folder, monkeypatch):
    folder.save("so", names.number(1), tone(0.4), ".wav")
    assert set(folder.files("so")) == {names.number(1)}
    path = folder.folder("so") / f"{names.number(1)}.wav"
    path.write_bytes(tone(0.4)[:60])  # replaced by a broken file
    decoded = a_new_process(monkeypatch)
    assert RecordingStore(folder.root).files("so") == {}
    assert decoded == [path.name]


def test_a_damaged_verdicts_file_means_checking_again(folder, monkeypatch):
    folder.save("so", names.number(1), tone(0.4), ".wav")
    assert set(folder.files("so")) == {names.number(1)}
    verdicts = [p for p in folder.folder("so").iterdir() if p.name.startswith(".checked")]
    assert len(verdicts) == 1
    verdicts[0].write_text("{not json")
    decoded = a_new_process(monkeypatch)
    assert set(RecordingStore(folder.root).files("so")) == {names.number(1)}
    assert decoded == [f"{names.number(1)}.wav"]


def test_verdicts_of_another_version_of_the_check_are_not_trusted(folder, monkeypatch):
    import json

    from app.voice.recordings import CHECKED

    folder.save("so", names.number(1), tone(0.4), ".wav")
    assert set(folder.files("so")) == {names.number(1)}
    kept = folder.folder("so") / CHECKED
    document = json.loads(kept.read_text())
    kept.write_text(json.dumps(document | {"check": "0:older limits"}))
    decoded = a_new_process(monkeypatch)
    assert set(RecordingStore(folder.root).files("so")) == {names.number(1)}
    assert decoded == [f"{names.number(1)}.wav"]


def test_a_file_that_could_not_be_read_is_not_kept_as_failing(folder, monkeypatch):
    from app.voice import recordings

    folder.save("so", names.number(1), tone(0.4), ".wav")
    a_new_process(monkeypatch)
    (folder.folder("so") / recordings.CHECKED).unlink(missing_ok=True)

    def unreadable(path):
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(recordings, "inspect_file", unreadable)
    assert RecordingStore(folder.root).files("so") == {}  # not this time
    monkeypatch.undo()
    monkeypatch.setattr(RecordingStore, "_verdicts", {})
    assert set(RecordingStore(folder.root).files("so")) == {names.number(1)}  # next time
