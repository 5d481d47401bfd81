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
