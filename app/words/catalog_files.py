"""The translation catalogs as files: where each language's catalog is, reading and writing
PO files, whether a message is translated with the right variables, and each language's
review status (locales/review.toml). The `flask translate` commands work on these."""

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po
from flask import current_app

from app.words.languages import Language, languages

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def locales_dir() -> Path:
    return Path(current_app.config["LOCALES_DIR"])


def template_path() -> Path:
    return locales_dir() / "messages.pot"


def catalog_path(code: str) -> Path:
    return locales_dir() / code / "LC_MESSAGES" / "messages.po"


def review_path() -> Path:
    return locales_dir() / "review.toml"


def read_catalog(path: Path, language: Language | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=language.babel_locale if language else None)


def write_catalog(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, sort_output=True)


def is_translated(message: Message) -> bool:
    if isinstance(message.id, tuple | list):
        return bool(message.string and all(message.string))
    return bool(message.string)


def variable_mismatches(message: Message) -> list[str]:
    """Where a translation's %(name)s variables differ from the Swedish text."""
    if not message.string or not is_translated(message):
        return []
    ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
    problems = []
    for form, text in enumerate(strings):
        found = set(PLACEHOLDER.findall(text))
        if found != wanted and not (len(ids) > 1 and found <= wanted):
            problems.append(f"{ids[0]!r} form {form}: has {sorted(found)}, needs {sorted(wanted)}")
    return problems


# Review status ------------------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    status: str  # "draft" or "reviewed"
    by: str = ""
    on: date | None = None


def review_status() -> dict[str, Review]:
    """Every language's review status (draft unless recorded as reviewed)."""
    data = tomllib.loads(review_path().read_text("utf-8")) if review_path().exists() else {}
    return {
        lang.code: Review(data.get(lang.code, {}).get("status", "draft"),
                          data.get(lang.code, {}).get("by", ""), data.get(lang.code, {}).get("on"))
        for lang in languages()
    }  # fmt: skip


def write_review_status(statuses: dict[str, Review]) -> None:
    lines = [
        "# Review status of each language's translations (see README, Translations).",
        '# Set with: flask --app app translate review CODE --by "Name"',
        "",
    ]
    for code, review in statuses.items():
        lines.append(f"[{code}]")
        lines.append(f'status = "{review.status}"')
        if review.status == "reviewed":
            lines.append(f"by = {_toml_string(review.by)}")
            lines.append(f"on = {review.on.isoformat() if review.on else date.today().isoformat()}")
        lines.append("")
    review_path().write_text("\n".join(lines), "utf-8")


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def set_review(code: str, review: Review) -> None:
    statuses = review_status()
    statuses[code] = review
    write_review_status(statuses)


DOMAINS = ("messages", "admin")
# The staff interface is written in English and translated into Swedish only.
STAFF_CATALOG_LANGUAGES = ("sv",)


def domain_template_path(domain: str) -> Path:
    return template_path() if domain == "messages" else locales_dir() / "admin.pot"


def domain_catalog_path(domain: str, code: str) -> Path:
    return locales_dir() / code / "LC_MESSAGES" / f"{domain}.po"


def language_status() -> list[dict]:
    """Per language: messages, translated, percent, review status."""
    reviews = review_status()
    rows = []
    for language in languages():
        catalog = read_catalog(catalog_path(language.code), language)
        messages = [m for m in catalog if m.id]
        done = sum(1 for m in messages if is_translated(m) and not m.fuzzy)
        review = reviews[language.code]
        rows.append({
            "code": language.code, "name": language.native_name, "messages": len(messages),
            "translated": done, "percent": round(100 * done / len(messages)) if messages else 100,
            "review": review.status, "reviewed_by": review.by, "reviewed_on": review.on,
        })  # fmt: skip
    return rows
