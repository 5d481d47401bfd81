"""Domain catalogs in messages/catalog/*.toml: meeting purposes, documents, services, reasons.

Each file is a table of entries by key; every string value is Swedish client text that
is translated through the same gettext catalogs as the templates (see extract()).
"""

import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path


class UnknownCatalogKey(KeyError):
    """A key that is not in a catalog; the message names the catalog and the known keys."""

    def __str__(self) -> str:
        return str(self.args[0])


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


# Fields that name a Swedish term for checks rather than text shown to clients.
NOT_TRANSLATED = frozenset({"word"})


def extract(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extractor: every client-facing string in a catalog file, keyed for translators."""
    data = tomllib.loads(fileobj.read().decode("utf-8"))
    lines = fileobj.getvalue().decode("utf-8").splitlines() if hasattr(fileobj, "getvalue") else []
    for key, fields in data.items():
        for field, text in fields.items():
            if isinstance(text, str) and text and field not in NOT_TRANSLATED:
                lineno = next((i + 1 for i, line in enumerate(lines) if text in line), 0)
                yield lineno, "gettext", text, [f"{key}.{field}"]
