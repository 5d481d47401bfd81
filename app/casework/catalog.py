"""Domain catalogs in messages/catalog/*.toml: meeting purposes, documents, services, reasons.

Each file is a table of entries by key; every string value is Swedish client text that
is translated through the same gettext catalogs as the templates (see extract()).
"""

import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from flask import current_app


class UnknownCatalogKey(KeyError):
    """A key that is not in a catalog; the message names the catalog and the known keys."""

    def __str__(self) -> str:
        return str(self.args[0])


def configured_dir() -> Path:
    """The running app's catalog folder (MESSAGES_DIR/catalog)."""
    return Path(current_app.config["MESSAGES_DIR"]) / "catalog"


@cache
def _load(directory: str, name: str) -> dict[str, dict[str, str]]:
    with (Path(directory) / f"{name}.toml").open("rb") as fh:
        return tomllib.load(fh)


def entries(directory: Path, name: str) -> dict[str, dict[str, str]]:
    """Every entry of one catalog, by key, in file order."""
    return _load(str(directory), name)


def entry(directory: Path, name: str, key: str) -> dict[str, str]:
    """One entry; raises UnknownCatalogKey with the allowed keys."""
    table = entries(directory, name)
    if key not in table:
        raise UnknownCatalogKey(f"'{key}' is not in {name}; known: {', '.join(table)}")
    return table[key]


# The fields that hold client-facing Swedish text (others are keys, files or check words).
TRANSLATED_FIELDS = frozenset({"name", "explanation", "sentence", "alt"})


def _strings(table: dict, path: str = "") -> Iterator[tuple[str, str]]:
    for key, value in table.items():
        here = f"{path}.{key}" if path else key
        if isinstance(value, dict):
            yield from _strings(value, here)
        elif isinstance(value, str) and value and key in TRANSLATED_FIELDS:
            yield here, value


def extract(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extractor: every client-facing string in a catalog file, keyed for translators."""
    text = fileobj.read().decode("utf-8")
    lines = text.splitlines()
    for where, value in _strings(tomllib.loads(text)):
        lineno = next((i + 1 for i, line in enumerate(lines) if value in line), 0)
        yield lineno, "gettext", value, [where.removeprefix("pictograms.")]
