"""The translated entries of a PO file, parsed once per version of the file.

Every app built in one process reads the same catalogs (nine client languages and the
staff words): the test suite builds thousands of apps, and a web process that forks
workers builds one each. Parsing a PO file is most of what building an app costs, so the
parsed entries are kept, keyed by the file's path, size and modification time: a changed
file is read again. Callers get the entries as immutable tuples and build their own dicts,
so no app can change another's words.
"""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po


@dataclass(frozen=True)
class PoEntries:
    """A PO file's plural expression and its translated, non-fuzzy entries: (msgid, text)
    for singulars, (msgids, forms) for plurals."""

    plural_expr: str | None
    singulars: tuple[tuple[str, str], ...]
    plurals: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]


@lru_cache(maxsize=64)
def _parse(path: str, locale: str, _version: tuple[int, int]) -> PoEntries:
    with open(path, "rb") as fh:
        po = read_po(fh, locale=locale)
    singulars: list[tuple[str, str]] = []
    plurals: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for message in po:
        if not message.id or message.fuzzy:
            continue
        string = message.string
        if isinstance(message.id, tuple | list):
            plurals.append((tuple(message.id), tuple(string or ())))
        elif isinstance(string, str) and string:
            singulars.append((message.id, string))
    return PoEntries(po.plural_expr, tuple(singulars), tuple(plurals))


def translated_entries(path: Path, locale: str) -> PoEntries:
    """The file's translated entries (read again when the file has changed)."""
    stat = path.stat()
    return _parse(str(path), locale, (stat.st_mtime_ns, stat.st_size))
