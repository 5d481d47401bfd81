"""A language's set of recordings, moved between installations as one zip file.

A recording's name says what it is (app/voice/names.py), so a municipality's set fits any
installation with the same translations: the zip holds the files and a manifest.json that
says, for each, its Swedish, the words said and a SHA-256 of the file. Importing trusts
nothing in the zip: a name is never used as a path (only the last part of it, and only
when it is a recording's name), every file is decoded and checked as an upload is, sizes
are read with a limit rather than believed, and a name this installation does not need
(another translation, another unit) is reported and left out.
"""

import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO

from app.voice import inventory
from app.voice.audio import FORMATS, AudioProblem, inspect
from app.voice.recordings import NAME, store
from app.words.languages import get_language, is_supported

MANIFEST = "manifest.json"
# A 30-second phrase as 48 kHz stereo WAV is 5.8 MB; nothing that could be a phrase is
# larger, and a zip that says otherwise is not read further than this.
MAX_FILE_BYTES = 8 * 1024 * 1024
# Every name a language needs (about 420) and some to spare, for a zip of anything.
MAX_ENTRIES = 5000


class SetError(ValueError):
    """A zip that cannot be imported at all (not a zip, no language)."""


@dataclass
class ImportReport:
    """What an import did with each file in the zip."""

    code: str
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # already recorded here (no --replace)
    unchanged: list[str] = field(default_factory=list)  # the same file is here already
    unused: list[str] = field(default_factory=list)  # not a recording this installation needs
    refused: list[tuple[str, str]] = field(default_factory=list)  # (entry, why)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (file, its name here)


def _manifest_rows(code: str, files: dict[str, Path], units: tuple[str, ...]) -> list[dict]:
    known = {item.name: item for item in inventory.needed(code, units)}
    rows = []
    for name, path in sorted(files.items()):
        item = known.get(name)
        rows.append(
            {
                "file": path.name,
                "name": name,
                "swedish": item.swedish if item else "",
                "text": item.text if item else "",
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            }
        )
    return rows


def export_set(code: str, target: IO[bytes], units: tuple[str, ...] = ()) -> int:
    """Write a language's recordings and their manifest as a zip; how many files."""
    code = get_language(code).code
    files = store().files(code)
    manifest = {
        "language": code,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "recordings": _manifest_rows(code, files, units),
    }
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        for path in files.values():
            archive.write(path, arcname=path.name)
    return len(files)


def _read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        info = archive.getinfo(MANIFEST)
    except KeyError:
        return {}
    if info.file_size > MAX_FILE_BYTES:
        raise SetError("manifest.json is too large")
    try:
        found = json.loads(archive.read(info).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SetError(f"manifest.json cannot be read: {error}") from None
    return found if isinstance(found, dict) else {}


def _language_of(manifest: dict, code: str | None) -> str:
    said = manifest.get("language")
    if code is None:
        if not isinstance(said, str) or not is_supported(said):
            raise SetError("The zip does not say its language: give it with --lang")
        return get_language(said).code
    code = get_language(code).code
    if isinstance(said, str) and said != code:
        raise SetError(f"The zip holds recordings in {said!r}, not {code!r}")
    return code


def _safe_file(entry: str) -> str | None:
    """The file name an entry may be kept under, or None when its path climbs out of the
    zip or is absolute (zip slip): only the last part of a plain path is ever used."""
    if "\\" in entry or entry.startswith("/") or ":" in entry:
        return None
    parts = PurePosixPath(entry).parts
    if not parts or any(part in ("..", ".") for part in parts):
        return None
    return parts[-1]


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The entry's bytes, or None when it is larger than any recording (read with a limit:
    the sizes a zip states are not believed)."""
    if info.file_size > MAX_FILE_BYTES:
        return None
    with archive.open(info) as stream:
        data = stream.read(MAX_FILE_BYTES + 1)
    return data if len(data) <= MAX_FILE_BYTES else None


def _contents(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | str:
    """The entry's bytes, or why they cannot be had."""
    try:
        data = _read(archive, info)
    except (RuntimeError, zipfile.BadZipFile, zlib.error, EOFError):  # encrypted, damaged
        return "cannot be read from the zip (damaged or encrypted)"
    return "larger than any recording" if data is None else data


def import_set(
    source: Path | IO[bytes],
    code: str | None = None,
    replace: bool = False,
    units: tuple[str, ...] = (),
) -> ImportReport:
    """Keep the recordings of a zip made by export_set (or any zip of recordings, given
    the language): see the module's rules. Existing recordings stay unless `replace`."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        raise SetError(f"Not a zip file: {error}") from None
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        if len(entries) > MAX_ENTRIES:
            raise SetError(f"The zip holds {len(entries)} files; a set has at most {MAX_ENTRIES}")
        manifest = _read_manifest(archive)
        report = ImportReport(_language_of(manifest, code))
        rows = [
            row
            for row in manifest.get("recordings", [])
            if isinstance(row, dict) and isinstance(row.get("file"), str)
        ]
        hashes = {row["file"]: row["sha256"] for row in rows if isinstance(row.get("sha256"), str)}
        needed = {item.name: item for item in inventory.needed(report.code, units)}
        wanted = set(needed)
        # Made by another version: a value's plain name, said with the words needed here.
        renames = {}
        for row in rows:
            stem = PurePosixPath(row["file"]).stem
            today = inventory.aliases(report.code).get(stem)
            if today in needed and row.get("text") == needed[today].text and needed[today].text:
                renames[stem] = today
        seen: set[str] = set()
        for info in entries:
            _import_entry(archive, info, report, wanted, hashes, seen, replace, renames)
    return report


def _wrong_name(suffix: str, name: str) -> str:
    """Why a file in the zip cannot be a recording by its name ("" when it can)."""
    if suffix not in FORMATS:
        return "not an MP3 or WAV file"
    if not NAME.match(name):
        return "not a recording's name"
    return ""


def _import_entry(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    report: ImportReport,
    wanted: set[str],
    hashes: dict,
    seen: set[str],
    replace: bool,
    renames: dict[str, str],
) -> None:
    entry = info.filename
    file = _safe_file(entry)
    if file is None:
        report.refused.append((entry, "a path outside the set: not read"))
        return
    if entry == MANIFEST or file.startswith(".") or entry.startswith("__MACOSX/"):
        return  # the manifest itself, and what file managers add to zips
    path = PurePosixPath(file)
    suffix, name = path.suffix.lower(), path.stem
    wrong = _wrong_name(suffix, name)
    if wrong:
        report.refused.append((entry, wrong))
        return
    if name in renames:  # another version's name for the same words
        report.renamed.append((file, f"{renames[name]}{suffix}"))
        name = renames[name]
    if name not in wanted:  # another translation's, or another unit's name
        report.unused.append(file)
        return
    if name in seen:
        report.refused.append((entry, "the same recording twice in the zip"))
        return
    seen.add(name)
    data = _contents(archive, info)
    if isinstance(data, str):
        report.refused.append((entry, data))
        return
    digest = hashlib.sha256(data).hexdigest()
    if hashes.get(entry, digest) != digest:
        report.refused.append((entry, "damaged: it differs from the manifest's checksum"))
        return
    existing = store().find(report.code, name)
    if existing is not None and hashlib.sha256(existing.read_bytes()).hexdigest() == digest:
        report.unchanged.append(file)
        return
    try:
        inspect(data, suffix)
    except AudioProblem as problem:
        report.refused.append((entry, str(problem.message)))
        return
    if existing is not None and not replace:
        report.kept.append(file)
        return
    store().save(report.code, name, data, suffix)
    (report.replaced if existing is not None else report.added).append(file)
