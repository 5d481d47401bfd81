"""Where recorded phrases are kept: RECORDINGS_DIR/<language>/<name>.mp3 (or .wav).

A recording's name says what it is, not where it came from, so a municipality's set can be
copied to another installation as a folder: a phrase is named after its Swedish text, its
place in the sentence and the words to be said (app/voice/names.py), a value after what it
is ("weekday-1", "number-14"). A changed translation is a new name: an old recording of
other words is never played.

The folder is listed once and listed again when it changes (one stat of the folder per
lookup), so every call does not read the disk for each phrase. Whether each file passes
the audio check is kept beside the recordings (CHECKED: by file name, its times and size,
and the version of the check), so a newly started worker lists a full set without
decoding every file again (seconds per language, which its first caller would wait); a
file changed or copied since, or a new version of the check, means checking again. A file
that could not be read (rather than failed the check) is not kept as failing.
"""

import fcntl
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from flask import current_app

from app.voice.audio import CHECK_VERSION, AudioProblem, inspect_file
from app.words.languages import is_supported

AUDIO_TYPES = {".mp3": "audio/mpeg", ".wav": "audio/wav"}
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
LOCK = ".lock"  # taken while a recording is moved into place
# {"check": CHECK_VERSION, "files": {file name: [mtime_ns, ctime_ns, size, passes]}}
CHECKED = ".checked.json"
Version = tuple[int, int, int]  # a file's mtime_ns, ctime_ns and size


@dataclass(frozen=True)
class Listing:
    """One language's folder as last listed: name -> file."""

    changed: int
    files: dict[str, Path]


class RecordingStore:
    """The recordings of every language, in one folder."""

    # Whether each file version (path and Version) passes the audio check: a file is
    # decoded once, not at every listing (and kept in CHECKED for other processes).
    _verdicts: ClassVar[dict[tuple[str, Version], bool]] = {}

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
            kept = _read_checked(folder)
            for name, (found, passes) in kept.items():
                self._verdicts[(str(folder / name), found)] = passes  # the kept one holds
            files, checked = self._listed(folder)
            # Written when a file is new, changed or gone, not when a verdict differs:
            # processes that disagree would otherwise write in turn for ever.
            if {n: c[0] for n, c in checked.items()} != {n: k[0] for n, k in kept.items()}:
                _write_checked(folder, checked)
            listing = Listing(changed, files)
            self._listings[code] = listing
        return listing.files

    def _listed(self, folder: Path) -> tuple[dict[str, Path], dict[str, tuple[Version, bool]]]:
        """The recordings in `folder` that pass the audio check, and every verdict on its
        files (each file looked at once)."""
        files: dict[str, Path] = {}
        checked: dict[str, tuple[Version, bool]] = {}
        try:
            paths = sorted(folder.iterdir())
        except OSError:  # removed meanwhile
            return files, checked
        for path in paths:
            if path.suffix not in AUDIO_TYPES or not NAME.match(path.stem):
                continue
            try:
                current = file_version(path.stat())
            except OSError:
                continue
            passes = self._verdict(path, current)
            if passes is not None:
                checked[path.name] = (current, passes)
            if passes:
                files[path.stem] = path
        return files, checked

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

    def playable(self, path: Path) -> bool:
        """Whether a file passes the audio check (app/voice/audio.py): one that does not
        (damaged, cut short, silent, put in the folder by hand) is no recording: it is
        missing everywhere, and `flask recordings check` says what is wrong with it."""
        try:
            return bool(self._verdict(path, file_version(path.stat())))
        except OSError:
            return False

    def _verdict(self, path: Path, current: Version) -> bool | None:
        """The audio check's verdict on this version of the file, decoded only the first
        time; None when it could not be read this time (gone, too many open files)."""
        key = (str(path), current)
        if key not in self._verdicts:
            try:
                inspect_file(path)
                self._verdicts[key] = True
            except AudioProblem:
                self._verdicts[key] = False
            except OSError:
                return None
        return self._verdicts[key]

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
        """Keep a recording that passed the audio check, replacing one of the same name in
        either format. Written whole under a name of its own, then moved into place and
        the other format removed under the folder's lock (saves by other processes wait),
        so a call never plays half a file and two saves at once leave the later one."""
        if suffix not in AUDIO_TYPES or not NAME.match(name):
            raise ValueError("Not a recording's name or format")
        folder = self.folder(code)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{name}{suffix}"
        handle, partial = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            with (folder / LOCK).open("a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                os.replace(partial, target)
                for other in AUDIO_TYPES:
                    if other != suffix:
                        (folder / f"{name}{other}").unlink(missing_ok=True)
                stat = target.stat()
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        self._verdicts[(str(target), file_version(stat))] = True  # checked first
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
    try:
        version = path.stat().st_mtime_ns // 1_000_000
    except OSError:  # recorded anew in the other format this moment: the route finds it
        version = 0
    base = current_app.config["PUBLIC_BASE_URL"]
    return f"{base}/recordings/{code}/{path.name}?v={version}"


def file_version(stat: os.stat_result) -> Version:
    """A file's version as the verdicts know it: changed content changes its time or size,
    and a copy that keeps the time (cp -p, rsync -a, unzip) still gets a new ctime."""
    return (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)


def _read_checked(folder: Path) -> dict[str, tuple[Version, bool]]:
    """The verdicts kept in `folder` by this version of the audio check (none when the
    file is missing, damaged or from another version: the files are checked again)."""
    try:
        kept = json.loads((folder / CHECKED).read_text(encoding="utf-8"))
        if not isinstance(kept, dict) or kept.get("check") != CHECK_VERSION:
            return {}
        found = {}
        for name, entry in kept["files"].items():
            mtime, ctime, size, passes = entry
            if Path(name).name == name and Path(name).suffix in AUDIO_TYPES:
                if all(type(n) is int for n in (mtime, ctime, size)) and type(passes) is bool:
                    found[name] = ((mtime, ctime, size), passes)
        return found
    except (OSError, ValueError, TypeError, AttributeError, KeyError, RecursionError):
        return {}


def _write_checked(folder: Path, checked: dict[str, tuple[Version, bool]]) -> None:
    """Keep the verdicts in `folder`, whole (written under a name of its own, then moved
    into place: another process reads the old file or the new one, never half of one).
    A folder that cannot be written to is checked again by the next process."""
    document = {
        "check": CHECK_VERSION,
        "files": {name: [*found, passes] for name, (found, passes) in sorted(checked.items())},
    }
    try:
        handle, partial = tempfile.mkstemp(dir=folder, prefix=CHECKED, suffix=".part")
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out)
        os.replace(partial, folder / CHECKED)
    except BaseException as problem:
        Path(partial).unlink(missing_ok=True)
        if not isinstance(problem, OSError):
            raise
