"""Audio for tests and benchmarks, made when needed: nothing recorded is committed.

Debian's espeak-ng speaks every language the project has, or a near one (ESPEAK_VOICE).
Its recordings stand in for an interpreter's: the same words, a robot's voice, about the
same length. `make_set` writes a language's whole set into a RECORDINGS_DIR, the way an
administrator's uploads would lie there. Each text is synthesized once per process
(cached by voice, speed and text), and a set takes a few seconds the first time.

`encode_mp3` makes an MP3 of a WAV through libmp3lame (Debian's libmp3lame0, which
scripts/ensure-system-packages --test installs): miniaudio decodes MP3 but cannot encode.
"""

import atexit
import ctypes
import ctypes.util
import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
import wave
from array import array
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path

WPM = 150  # words a minute: slow, clear speech, as the phone menu benchmark assumes
# The espeak-ng voice for each language. espeak-ng has no Somali: Oromo ("om") is the
# nearest it has – Somali's sister language in the Lowland East Cushitic branch, written
# in a Latin alphabet with the same letters (c, x and q among them, if not the same
# sounds) and doubled long vowels, so Somali words are read at about their length
# (Swahili, the other East African voice, is Bantu and its spelling has no c, q or x).
# No Tigrinya either: Amharic ("am") reads the same Ge'ez script. Dari is Persian, as
# espeak-ng's Persian voice reads it.
ESPEAK_VOICE = {
    "sv": "sv",
    "en": "en-gb",
    "ar": "ar",
    "fi": "fi",
    "uk": "uk",
    "fa": "fa",
    "prs": "fa",
    "so": "om",
    "ti": "am",
}
_WAV_HEADER = 44  # espeak-ng writes the canonical 44-byte header, RIFF then fmt then data
# Silence kept before and after each recording of a set: 0.1 s, so joined pieces have
# 0.2 s between them, a short pause as between the words of a careful speaker.
TRIM_MARGIN = 0.1
_SILENT = 328  # -40 dBFS: below this a sample is silence
_WORKERS = 2  # espeak-ng is one process per text; the machines have two cores
_cache_folder: Path | None = None


def _cache() -> Path:
    """One folder per process for the synthesized texts, removed when the process ends."""
    global _cache_folder
    if _cache_folder is None:
        _cache_folder = Path(tempfile.mkdtemp(prefix="tydligt-espeak-"))
        atexit.register(shutil.rmtree, _cache_folder, ignore_errors=True)
    return _cache_folder


def _with_lengths(wav: bytes) -> bytes:
    """espeak-ng --stdout cannot seek back, so its header gives the largest lengths there
    are; write the real ones so every reader (and Twilio) sees where the file ends."""
    if len(wav) < _WAV_HEADER or wav[36:40] != b"data":
        raise RuntimeError("espeak-ng wrote an unexpected WAV header")
    data = len(wav) - _WAV_HEADER
    return (
        wav[:4] + (data + 36).to_bytes(4, "little") + wav[8:40] + data.to_bytes(4, "little")
    ) + wav[_WAV_HEADER:]


def synthesize(text: str, voice: str, wpm: int = WPM) -> bytes:
    """A WAV (22,050 Hz mono, 16 bit) of `text` said by an espeak-ng voice at `wpm`."""
    cached = _cache() / (
        hashlib.sha1(f"{voice}\x1f{wpm}\x1f{text}".encode(), usedforsecurity=False).hexdigest()
        + ".wav"
    )
    if cached.exists():
        return cached.read_bytes()
    # The text goes in on stdin, so a text that starts with "-" is never read as an option.
    made = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(wpm), "--stdout"],
        input=text.encode(),
        capture_output=True,
        check=True,
    ).stdout
    wav = _with_lengths(made)
    partial = cached.with_suffix(f".{os.getpid()}-{threading.get_ident()}.part")  # threads
    partial.write_bytes(wav)
    partial.replace(cached)
    return wav


def seconds(wav: bytes) -> float:
    """The length of a WAV, from its frames."""
    with wave.open(BytesIO(wav)) as reader:
        return reader.getnframes() / reader.getframerate()


def trimmed(wav: bytes, margin: float = TRIM_MARGIN) -> bytes:
    """A WAV with the silence before and after its sound cut to `margin` seconds, as a
    recording edited for joining is. espeak-ng ends every text with 0.39 s of silence, a
    sentence's pause: between the pieces and values of one sentence it would be a gap no
    speaker makes."""
    with wave.open(BytesIO(wav)) as reader:
        params = reader.getparams()
        samples = array("h", reader.readframes(reader.getnframes()))
    first = next((i for i, sample in enumerate(samples) if abs(sample) > _SILENT), None)
    if first is None:
        return wav
    last = next(i for i in range(len(samples) - 1, -1, -1) if abs(samples[i]) > _SILENT)
    channels = params.nchannels
    keep = round(margin * params.framerate) * channels
    start = max(0, first // channels * channels - keep)  # whole frames: channels stay apart
    end = min(len(samples), (last // channels + 1) * channels + keep)
    out = BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setparams(params)
        writer.writeframes(samples[start:end].tobytes())
    return out.getvalue()


def spoken_text(item) -> str:
    """What the stand-in voice says for an inventory item (app.voice.inventory.Needed): the
    words to record, without the notes meant for the interpreter ("14 (tisdag 14 mars)"
    is recorded as "14"; a single word like "thousand" is described in English, and the
    word itself stands in for it)."""
    from app.voice import names

    if item.name in names.WORDS:
        return item.name
    if item.group == "value":
        return item.text.split(" (", 1)[0]
    return item.text


def make_set(folder: Path, code: str, names: dict[str, str] | None = None) -> dict[str, Path]:
    """Write a language's recordings into `folder` (a RECORDINGS_DIR) as
    `folder/<code>/<name>.wav`, one for each recording app.voice.inventory.needed(code)
    lists that has words (inside an app context), trimmed as an edited recording is.
    With `names`, only those are made, and a non-empty value is said instead of the
    inventory's words (a name the inventory does not list, such as a unit's, is made from
    its value). Returns name -> file."""
    from app.voice.inventory import needed

    voice = ESPEAK_VOICE[code]
    wanted = {item.name: spoken_text(item) for item in needed(code) if item.text}
    if names is not None:
        wanted = {name: said or wanted.get(name, "") for name, said in names.items()}
        wanted = {name: said for name, said in wanted.items() if said}
    target = folder / code
    target.mkdir(parents=True, exist_ok=True)
    _cache()  # made here, once, before the threads ask for it

    def make(name: str) -> tuple[str, Path]:
        path = target / f"{name}.wav"
        path.write_bytes(trimmed(synthesize(wanted[name], voice)))
        return name, path

    with ThreadPoolExecutor(_WORKERS) as pool:
        return dict(pool.map(make, sorted(wanted)))


def tone(
    seconds: float,
    level: float = 0.3,
    rate: int = 8000,
    channels: int = 1,
    hertz: float = 440.0,
) -> bytes:
    """A WAV of a sine tone at `level` of full scale (above 1.0 it is clipped flat)."""
    import math

    frames = round(seconds * rate)
    # A whole number of hertz repeats every rate/gcd samples: compute that once.
    period = rate // math.gcd(rate, int(hertz)) if float(hertz).is_integer() else frames
    cycle = array("h")
    for i in range(min(period, frames)):
        value = round(level * 32767 * math.sin(2 * math.pi * hertz * i / rate))
        cycle.extend([max(-32768, min(32767, value))] * channels)
    whole, rest = divmod(frames, max(period, 1))
    samples = cycle * whole + cycle[: rest * channels]
    out = BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(samples.tobytes())
    return out.getvalue()


def encode_mp3(wav: bytes, kbps: int = 64) -> bytes:
    """An MP3 of a 16-bit WAV, encoded by libmp3lame (mono or stereo)."""
    found = ctypes.util.find_library("mp3lame")
    if found is None:
        raise RuntimeError("libmp3lame is missing: run scripts/ensure-system-packages --test")
    lame = ctypes.CDLL(found)
    lame.lame_init.restype = ctypes.c_void_p
    with wave.open(BytesIO(wav)) as reader:
        channels, rate = reader.getnchannels(), reader.getframerate()
        pcm = array("h", reader.readframes(reader.getnframes()))
    left, right = (pcm[0::2], pcm[1::2]) if channels == 2 else (pcm, pcm)
    frames = len(left)
    encoder = ctypes.c_void_p(lame.lame_init())
    try:
        lame.lame_set_in_samplerate(encoder, rate)
        lame.lame_set_num_channels(encoder, channels)
        lame.lame_set_mode(encoder, 3 if channels == 1 else 1)  # MONO or JOINT_STEREO
        lame.lame_set_brate(encoder, kbps)
        if lame.lame_init_params(encoder) < 0:
            raise RuntimeError("libmp3lame refused the parameters")
        out = ctypes.create_string_buffer(frames * 5 // 4 + 7200)  # lame's documented bound
        left_in = (ctypes.c_short * max(frames, 1)).from_buffer(left or array("h", [0]))
        right_in = (ctypes.c_short * max(frames, 1)).from_buffer(right or array("h", [0]))
        size = lame.lame_encode_buffer(encoder, left_in, right_in, frames, out, len(out))
        encoded = out.raw[:size]
        size = lame.lame_encode_flush(encoder, out, len(out))
        return encoded + out.raw[:size]
    finally:
        lame.lame_close(encoder)
