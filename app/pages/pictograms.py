"""Pictograms: concept keys -> SVG files and alt texts (pictograms/manifest.toml).

A municipality's own licensed set (PICTOGRAM_SET_DIR with a manifest.toml of the same
form) replaces ours key by key, by configuration only.
"""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, send_file

from app.config import PROJECT_ROOT

bp = Blueprint("pictograms", __name__)
OURS = PROJECT_ROOT / "pictograms"
KEY = re.compile(r"^[a-z_]+$")


@dataclass(frozen=True)
class Pictogram:
    """One concept's picture and its Swedish alt text (the msgid to translate)."""

    key: str
    path: Path
    alt: str


def _read(folder: Path) -> tuple[dict[str, Pictogram], dict[str, str]]:
    manifest = folder / "manifest.toml"
    if not manifest.is_file():
        return {}, {}
    data = tomllib.loads(manifest.read_text("utf-8"))
    pictures = {
        key: Pictogram(key, (folder / entry["file"]).resolve(), entry["alt"])
        for key, entry in data.get("pictograms", {}).items()
    }
    return pictures, dict(data.get("aliases", {}))


def load(custom_dir: str = "") -> tuple[dict[str, Pictogram], dict[str, str]]:
    """Our pictograms, with a municipality's set laid over them where configured."""
    pictures, aliases = _read(OURS)
    if custom_dir:
        theirs, their_aliases = _read(Path(custom_dir))
        pictures |= theirs
        aliases |= their_aliases
    return pictures, aliases


def registry() -> tuple[dict[str, Pictogram], dict[str, str]]:
    """The current app's pictograms (read once per app)."""
    if "tydligt.pictograms" not in current_app.extensions:
        current_app.extensions["tydligt.pictograms"] = load(current_app.config["PICTOGRAM_SET_DIR"])
    return current_app.extensions["tydligt.pictograms"]


def resolve(row_key: str) -> Pictogram | None:
    """The pictogram for a message row's key ('document:hyresavi' -> 'document_hyresavi')."""
    pictures, aliases = registry()
    key = row_key.replace(":", "_")
    key = aliases.get(key, key)
    return pictures.get(key)


@bp.get("/pictograms/<key>.svg")
def picture(key: str) -> Response:
    """Serve one pictogram (cached: the files change only with a new release)."""
    pictures, _ = registry()
    found = pictures.get(key) if KEY.match(key) else None
    if found is None or not found.path.is_file():
        abort(404)
    response = send_file(found.path, mimetype="image/svg+xml", max_age=86400)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
