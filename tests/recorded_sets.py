"""Recordings for tests: a short tone saved under every name a language needs (or some).

The calls only need files that are there and play; what they say does not matter to the
tests of which phrase plays when. tests/espeak.py makes spoken ones where it does.
"""

import io
import math
import struct
import wave
from pathlib import Path

from flask import current_app

from app.voice import inventory
from app.voice.recordings import store

_TONE: bytes | None = None


def tone(seconds: float = 0.4, rate: int = 8000) -> bytes:
    """A WAV of a 440 Hz tone at about -12 dBFS: audible, not clipped."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        samples = (
            int(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(int(seconds * rate))
        )
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return buffer.getvalue()


def record(code: str, *, only: set[str] | None = None, skip: set[str] = frozenset()) -> list[str]:
    """Save a tone under every name the language needs (or `only` those), but `skip`;
    return the names saved. Inside an app context."""
    global _TONE
    _TONE = _TONE or tone()
    folder = Path(current_app.config["RECORDINGS_DIR"]) / code
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for item in inventory.needed(code):
        if (only is None or item.name in only) and item.name not in skip and item.text:
            (folder / f"{item.name}.wav").write_bytes(_TONE)
            made.append(item.name)
    store().forget(code)
    return made
