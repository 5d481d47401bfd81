"""Recordings for tests: a short tone saved under every name a language needs (or some).

The calls only need files that are there and play; what they say does not matter to the
tests of which phrase plays when. tests/espeak.py makes spoken ones where it does.
"""

from pathlib import Path

from flask import current_app

from app.voice import inventory
from app.voice.recordings import store
from tests.espeak import tone

_TONE: bytes | None = None


def record(code: str, *, only: set[str] | None = None, skip: set[str] = frozenset()) -> list[str]:
    """Save a tone under every name the language needs (or `only` those), but `skip`;
    return the names saved. Inside an app context."""
    global _TONE
    _TONE = _TONE or tone(0.4, level=0.25)  # about -12 dBFS: audible, not clipped
    folder = Path(current_app.config["RECORDINGS_DIR"]) / code
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for item in inventory.needed(code):
        if (only is None or item.name in only) and item.name not in skip and item.text:
            (folder / f"{item.name}.wav").write_bytes(_TONE)
            made.append(item.name)
    store().forget(code)
    return made
