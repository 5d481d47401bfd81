"""Where recorded phrases are kept: RECORDINGS_DIR/<language>/<name>.mp3 (or .wav).

A recording's name says what it is, not where it came from, so a municipality's set can be
copied to another installation as a folder: a phrase is named after its Swedish text, its
place in the sentence and the words to be said (app/voice/names.py), a value after what it
is ("weekday-1", "number-14"). A changed translation is a new name: an old recording of
other words is never played.

The folder is listed once and listed again when it changes (one stat of the folder per
lookup), so every call does not read the disk for each phrase.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from app.voice.audio import looks_like
from app.words.languages import is_supported

AUDIO_TYPES = {".mp3": "audio/mpeg", ".wav": "audio/wav"}
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


@dataclass(frozen=True)
class Listing:
    """One language's folder as last listed: name -> file."""

    changed: int
    files: dict[str, Path]


class RecordingStore:
    """The recordings of every language, in one folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._listings: dict[str, Listing] = {}

    def folder(self, code: str) -> Path:
        if not is_supported(code):
            raise ValueError(f"{code!r} is not a supported language")
        return self.root / code

    def files(self, code: str) -> dict[str, Path]:
        """Every recording of a language, by name (no extension)."""
        folder = self.folder(code)
        try:
            changed = folder.stat().st_mtime_ns
        except OSError:
            return {}
        listing = self._listings.get(code)
        if listing is None or listing.changed != changed:
            files = {
                path.stem: path
                for path in sorted(folder.iterdir())
                if path.suffix in AUDIO_TYPES and NAME.match(path.stem) and _audio(path)
            }
            listing = Listing(changed, files)
            self._listings[code] = listing
        return listing.files

    def candidates(self, code: str) -> list[Path]:
        """Every file in a language's folder with a recording's name and suffix, whether or
        not it holds audio (for the check, which says what is wrong with each)."""
        folder = self.folder(code)
        if not folder.is_dir():
            return []
        return [
            path
            for path in sorted(folder.iterdir())
            if path.suffix in AUDIO_TYPES and NAME.match(path.stem) and path.is_file()
        ]

    def forget(self, code: str) -> None:
        """List the folder again at the next lookup (after this process changed it: the
        folder's time may not have moved within the file system's resolution)."""
        self._listings.pop(code, None)

    def find(self, code: str, name: str) -> Path | None:
        """The file of a recording, if there is one."""
        return self.files(code).get(name)

    def has_any(self, code: str) -> bool:
        """Whether a language has any recording at all."""
        return bool(self.files(code))

    def save(self, code: str, name: str, data: bytes, suffix: str) -> Path:
        """Keep a recording (replacing one of the same name, in either format)."""
        if suffix not in AUDIO_TYPES or not NAME.match(name):
            raise ValueError("Not a recording's name or format")
        folder = self.folder(code)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{name}{suffix}"
        partial = folder / f".{name}{suffix}.part"
        partial.write_bytes(data)
        partial.replace(target)  # whole or not at all: a call never plays half a file
        for other in AUDIO_TYPES:
            if other != suffix:
                (folder / f"{name}{other}").unlink(missing_ok=True)
        self.forget(code)
        return target

    def delete(self, code: str, name: str) -> bool:
        """Remove a recording; whether there was one."""
        path = self.find(code, name)
        if path is None:
            return False
        path.unlink(missing_ok=True)
        self.forget(code)
        return True


def _audio(path: Path) -> bool:
    """Whether a file is there and begins as its format does: a file put in the folder by
    hand that is not audio is not a recording (`flask recordings check` names it)."""
    try:
        with path.open("rb") as handle:
            return looks_like(handle.read(16), path.suffix)
    except OSError:
        return False


def store() -> RecordingStore:
    """The current app's recordings."""
    found = current_app.extensions.get("tydligt.recordings")
    if found is None:
        found = RecordingStore(Path(current_app.config["RECORDINGS_DIR"]))
        current_app.extensions["tydligt.recordings"] = found
    return found


def url(code: str, path: Path) -> str:
    """Where Twilio fetches a recording; the file's time in the address, so a recording
    made anew is fetched anew rather than played from Twilio's cache."""
    version = path.stat().st_mtime_ns // 1_000_000
    base = current_app.config["PUBLIC_BASE_URL"]
    return f"{base}/recordings/{code}/{path.name}?v={version}"
