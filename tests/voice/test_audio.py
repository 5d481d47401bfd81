"""Uploaded recordings are decoded for real and measured; what a caller could not hear
well is refused with a message staff can act on (app/voice/audio.py)."""

import os
import wave
from array import array
from io import BytesIO
from pathlib import Path

import pytest

from app.errors import StaffMessage
from app.voice import audio, inventory
from app.voice.audio import AudioProblem, duration, inspect
from tests.espeak import ESPEAK_VOICE, encode_mp3, seconds, synthesize, tone

SWEDISH = "Du ska träffa Anna Berg på tisdag den fjortonde april klockan tio."


@pytest.fixture(scope="module")
def speech() -> bytes:
    return synthesize(SWEDISH, "sv")


def _wav(samples: list[int], rate: int = 8000, channels: int = 1) -> bytes:
    out = BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(array("h", samples).tobytes())
    return out.getvalue()


def _refused(data: bytes, suffix: str) -> AudioProblem:
    with pytest.raises(AudioProblem) as refused:
        inspect(data, suffix)
    assert isinstance(refused.value.message, StaffMessage)
    assert str(refused.value) == str(refused.value.message)
    return refused.value


def test_speech_from_espeak_is_accepted_and_measured(speech: bytes) -> None:
    info = inspect(speech, ".wav")

    assert info.format == "wav"
    assert (info.sample_rate, info.channels) == (22050, 1)
    assert info.seconds == pytest.approx(seconds(speech), abs=0.001)
    assert 2.5 < info.seconds < 8
    assert -35 < info.rms_dbfs < -6  # speech at an ordinary level
    assert info.rms_dbfs < info.peak_dbfs <= 0


def test_the_suffix_is_read_in_any_case(speech: bytes) -> None:
    assert inspect(speech, ".WAV").format == "wav"


def test_an_mp3_of_the_same_speech_is_accepted_with_its_length(speech: bytes) -> None:
    info = inspect(encode_mp3(speech), ".mp3")

    assert info.format == "mp3"
    assert (info.sample_rate, info.channels) == (22050, 1)
    # The encoder adds a frame or two of padding; the speech is the same length.
    assert info.seconds == pytest.approx(seconds(speech), abs=0.1)
    assert -35 < info.rms_dbfs < -6


def test_a_stereo_mp3_is_accepted_as_two_channels() -> None:
    info = inspect(encode_mp3(tone(1.0, rate=16000, channels=2)), ".mp3")

    assert (info.channels, info.sample_rate) == (2, 16000)
    # A sine at 0.3 is -13.5 dBFS; the encoder's padding and filtering take a little.
    assert info.rms_dbfs == pytest.approx(-13.5, abs=1.5)


@pytest.mark.parametrize("code", sorted(ESPEAK_VOICE))
def test_every_languages_stand_in_voice_makes_a_recording_that_passes(code: str) -> None:
    info = inspect(synthesize("1 2 3", ESPEAK_VOICE[code]), ".wav")

    assert info.seconds > 0.5


def test_a_mono_tone_at_the_phones_own_rate_is_measured_exactly() -> None:
    info = inspect(tone(2.0, level=0.5), ".wav")

    assert (info.seconds, info.sample_rate, info.channels) == (2.0, 8000, 1)
    assert info.rms_dbfs == pytest.approx(-9.0, abs=0.1)  # 20·log10(0.5/√2)
    assert info.peak_dbfs == pytest.approx(-6.0, abs=0.1)


@pytest.mark.parametrize(
    ("data", "suffix", "reason"),
    [
        pytest.param(b"", ".wav", "empty", id="empty"),
        pytest.param(_wav([]), ".wav", "empty", id="a WAV with no frames"),
        pytest.param(os.urandom(4000), ".wav", "unreadable", id="random bytes as WAV"),
        pytest.param(os.urandom(4000), ".mp3", "unreadable", id="random bytes as MP3"),
        pytest.param(b"\xff\xfb" + os.urandom(4000), ".mp3", "unreadable", id="a sync word"),
        pytest.param(tone(1.0), ".mp3", "unreadable", id="a WAV named .mp3"),
        pytest.param(encode_mp3(tone(1.0)), ".wav", "unreadable", id="an MP3 named .wav"),
        pytest.param(tone(1.0)[:40], ".wav", "unreadable", id="a WAV cut in its header"),
        pytest.param(tone(1.0), ".ogg", "format", id="another format"),
        pytest.param(tone(0.15), ".wav", "too_short", id="0.15 s"),
        pytest.param(tone(30.5), ".wav", "too_long", id="30.5 s"),
        pytest.param(tone(1.0, rate=6000), ".wav", "sample_rate", id="6000 Hz"),
        pytest.param(tone(1.0, level=0.01), ".wav", "too_quiet", id="-43 dBFS"),
        pytest.param(_wav([0] * 8000), ".wav", "too_quiet", id="digital silence"),
        pytest.param(tone(1.0, level=1.4), ".wav", "clipped", id="clipped"),
    ],
)
def test_what_a_caller_could_not_hear_is_refused(data: bytes, suffix: str, reason: str) -> None:
    assert _refused(data, suffix).reason == reason


def test_the_limits_are_where_the_module_says() -> None:
    assert inspect(tone(0.25), ".wav").seconds == 0.25
    assert inspect(tone(29.5), ".wav").seconds == 29.5
    assert inspect(tone(1.0, rate=8000), ".wav").sample_rate == 8000
    assert inspect(tone(1.0, level=0.02), ".wav").rms_dbfs == pytest.approx(-37, abs=0.2)


def test_the_messages_say_what_was_found() -> None:
    rate = _refused(tone(1.0, rate=6000), ".wav").message
    long = _refused(tone(30.5), ".wav").message
    quiet = _refused(tone(1.0, level=0.01), ".wav").message

    assert "6000 Hz" in rate and "8000 Hz" in rate
    assert long.variables == {"seconds": "30", "most": "30"} or "30" in long
    assert "-43 dBFS" in quiet
    assert _refused(tone(1.0), ".mp3").message.variables == {"format": "MP3"}


def test_a_truncated_wav_is_measured_by_what_it_holds() -> None:
    whole = tone(1.0)
    cut = whole[: 44 + 2 * 1000]  # the header says 1 s; 0.125 s is there

    assert _refused(cut, ".wav").reason == "too_short"
    assert inspect(whole[: 44 + 2 * 4000], ".wav").seconds == 0.5


def test_digital_silence_is_given_the_16_bit_floor() -> None:
    problem = _refused(_wav([0] * 8000), ".wav")

    assert problem.message.variables == {"level": f"{audio.SILENCE_DBFS:.0f}"}
    assert audio.SILENCE_DBFS == -90.3


def test_one_full_scale_sample_is_not_clipping_but_three_in_a_row_are() -> None:
    quiet = [round(8000 * (1 if i % 20 < 10 else -1)) for i in range(8000)]
    one = quiet[:100] + [32767] + quiet[101:]
    three = quiet[:100] + [32767] * 3 + quiet[103:]

    assert inspect(_wav(one), ".wav").peak_dbfs == 0.0
    assert _refused(_wav(three), ".wav").reason == "clipped"
    assert _refused(_wav(quiet[:100] + [-32768] * 3 + quiet[103:]), ".wav").reason == "clipped"


def test_clipping_is_found_in_one_channel_of_two() -> None:
    left = [round(8000 * (1 if i % 20 < 10 else -1)) for i in range(8000)]
    right = left[:500] + [32767] * 4 + left[504:]
    interleaved = [sample for pair in zip(left, right, strict=True) for sample in pair]

    assert _refused(_wav(interleaved, channels=2), ".wav").reason == "clipped"
    assert inspect(_wav([s for s in left for _ in (0, 1)], channels=2), ".wav").channels == 2


def test_duration_matches_espeaks_length(tmp_path: Path, speech: bytes) -> None:
    wav, mp3 = tmp_path / "phrase.wav", tmp_path / "phrase.mp3"
    wav.write_bytes(speech)
    mp3.write_bytes(encode_mp3(speech))

    assert duration(wav) == pytest.approx((len(speech) - 44) / 2 / 22050, abs=0.001)
    assert duration(mp3) == pytest.approx(duration(wav), abs=0.1)


def test_duration_of_a_file_that_is_not_audio_is_a_problem(tmp_path: Path) -> None:
    fake = tmp_path / "phrase.mp3"
    fake.write_bytes(tone(1.0))

    with pytest.raises(AudioProblem) as refused:
        duration(fake)
    assert refused.value.reason == "unreadable"


def test_a_stand_in_set_is_every_recording_a_language_needs_and_each_would_be_accepted(
    app,
) -> None:
    from app.voice.inventory import coverage, needed
    from tests.espeak import make_set

    folder = Path(app.config["RECORDINGS_DIR"])
    made = make_set(folder, "so")

    assert set(made) == {item.name for item in needed("so") if item.text}
    assert all(path.parent == folder / "so" for path in made.values())
    for path in made.values():
        assert audio.inspect_file(path).seconds < 10
    assert coverage("so").complete


def test_a_set_can_be_limited_to_some_recordings_and_given_other_words(app, tmp_path: Path) -> None:
    from tests.espeak import make_set, trimmed

    monday = inventory.aliases("ti")["weekday-1"]
    made = make_set(tmp_path, "ti", {monday: "", "unit-ekby-kommun": "Ekby kommun"})

    assert sorted(made) == ["unit-ekby-kommun", monday]
    unit = made["unit-ekby-kommun"].read_bytes()
    assert unit == trimmed(synthesize("Ekby kommun", ESPEAK_VOICE["ti"]))


def test_a_sets_recordings_keep_a_tenth_of_a_second_of_silence_at_each_end() -> None:
    from tests.espeak import trimmed

    sound = array("h", tone(0.5, level=0.5)[44:]).tolist()
    padded = _wav([0] * 4000 + sound + [0] * 2400)  # 0.5 s before, 0.3 s after

    assert seconds(trimmed(padded)) == pytest.approx(0.1 + 0.5 + 0.1, abs=0.002)
    said = synthesize("tiistaina", "fi")  # espeak-ng ends with 0.39 s of silence
    assert seconds(said) - seconds(trimmed(said)) > 0.25
    assert inspect(trimmed(said), ".wav").seconds == pytest.approx(
        seconds(trimmed(said)), abs=0.001
    )


def _joined(*parts: bytes) -> bytes:
    """WAVs of the same format, one after another, as one WAV."""
    import io
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as joined:
        for index, part in enumerate(parts):
            with wave.open(io.BytesIO(part)) as piece:
                if index == 0:
                    joined.setparams(piece.getparams())
                joined.writeframes(piece.readframes(piece.getnframes()))
    return out.getvalue()


@pytest.mark.parametrize("where", ["start", "end"])
def test_a_recording_with_long_silence_is_refused(where):
    """Joined in a call, the silence is dead air between the words of a sentence."""
    said, quiet = tone(1.0), tone(25.0, level=0.0)
    data = _joined(quiet, said) if where == "start" else _joined(said, quiet)
    with pytest.raises(AudioProblem) as refused:
        inspect(data, ".wav")
    assert refused.value.reason == "silence"
    assert f"{'starts' if where == 'start' else 'ends'} with 25 seconds of silence" in str(
        refused.value
    )


def test_a_recording_with_a_short_pause_at_each_end_is_kept():
    pause = tone(0.8, level=0.0)
    assert inspect(_joined(pause, tone(1.0), pause), ".wav").seconds == pytest.approx(2.6)
