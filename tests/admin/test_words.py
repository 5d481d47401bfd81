"""Gates for the staff interface's words: the template is current, Swedish is complete,
and variables survive translation."""

import subprocess
import sys

from babel.messages.pofile import read_po

from app.config import PROJECT_ROOT
from app.words.catalog_files import is_translated, variable_mismatches

LOCALES = PROJECT_ROOT / "locales"


def ids(catalog) -> set:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_the_staff_template_holds_every_string_the_admin_page_uses(tmp_path):
    fresh = tmp_path / "admin.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
         str(PROJECT_ROOT / "babel-admin.cfg"), "-o", str(fresh), "--no-location",
         str(PROJECT_ROOT)],
        check=True,
        cwd=PROJECT_ROOT,
        capture_output=True,
    )  # fmt: skip
    with fresh.open("rb") as fh:
        extracted = ids(read_po(fh))
    with (LOCALES / "admin.pot").open("rb") as fh:
        stored = ids(read_po(fh))
    assert extracted == stored, (
        "run: flask --app app translate extract --domain admin && ... update --domain admin"
    )


def test_every_staff_string_is_in_swedish_with_its_variables():
    with (LOCALES / "admin.pot").open("rb") as fh:
        wanted = ids(read_po(fh))
    with (LOCALES / "sv" / "LC_MESSAGES" / "admin.po").open("rb") as fh:
        swedish = read_po(fh, locale="sv")
    messages = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in swedish if m.id}
    assert set(messages) == wanted, "run: flask --app app translate update --domain admin"
    missing = [key for key, m in messages.items() if not is_translated(m) or m.fuzzy]
    assert missing == [], f"{len(missing)} staff strings lack Swedish, e.g. {missing[:5]}"
    broken = [p for m in messages.values() for p in variable_mismatches(m)]
    assert broken == []


def test_staff_pages_are_in_swedish_by_default(client):
    page = client.get("/admin/login").get_data(as_text=True)
    assert '<html lang="sv">' in page and "Logga in" in page
