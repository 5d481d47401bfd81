"""The translation workflow, run on a copy of locales/ (the real catalogs stay untouched)."""

import csv
import shutil
import tomllib

import pytest
from babel.messages.pofile import read_po

from app import create_app
from app.config import PROJECT_ROOT


@pytest.fixture
def locales(tmp_path):
    copy = tmp_path / "locales"
    shutil.copytree(PROJECT_ROOT / "locales", copy)
    return copy


@pytest.fixture
def run(config, locales):
    app = create_app(config | {"LOCALES_DIR": str(locales)})
    runner = app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=["translate", *args])

    return invoke


def english(locales):
    with (locales / "en/LC_MESSAGES/messages.po").open("rb") as fh:
        return read_po(fh)


def test_status_lists_every_language_with_progress_and_review(run):
    result = run("status")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()[1:]
    assert [line.split()[0] for line in lines] == [
        "sv",
        "en",
        "ar",
        "so",
        "fa",
        "prs",
        "ti",
        "fi",
        "uk",
    ]
    assert "100%" in lines[1] and "reviewed by Tydligt team" in lines[1]


def test_csv_export_and_import_round_trip(run, locales, tmp_path):
    exported = tmp_path / "en.csv"
    assert run("export", "en", "--format", "csv", "-o", str(exported)).exit_code == 0
    with exported.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    row = next(r for r in rows if r["id"] == "Plats: %(place)s.")
    assert (row["swedish"], row["english"]) == ("Plats: %(place)s.", "Place: %(place)s.")
    assert any(r["form"] == "1" for r in rows)  # plural forms get a row each
    row["translation"] = "Where: %(place)s."
    with exported.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.DictWriter(fh, rows[0].keys())
        writer.writeheader()
        writer.writerows(rows)
    result = run("import", "en", str(exported))
    assert result.exit_code == 0, result.output
    assert "1 translations taken in" in result.output
    assert english(locales).get("Plats: %(place)s.").string == "Where: %(place)s."
    review = tomllib.loads((locales / "review.toml").read_text())
    assert review["en"]["status"] == "draft"


def test_import_refuses_a_translation_with_wrong_variables(run, locales, tmp_path):
    source = tmp_path / "fix.csv"
    source.write_text(
        'id,form,swedish,english,note,translation\n"Plats: %(place)s.",,,,,"Place: %(adress)s."\n',
        encoding="utf-8",
    )
    result = run("import", "en", str(source))
    assert "0 translations taken in, 1 refused" in result.output
    assert english(locales).get("Plats: %(place)s.").string == "Place: %(place)s."


def test_import_refuses_a_file_without_the_columns(run, tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text("a,b\n1,2\n", encoding="utf-8")
    result = run("import", "en", str(source))
    assert result.exit_code != 0
    assert "lacks the columns" in result.output


def test_po_export_carries_the_english_text_for_the_translator(run, tmp_path):
    exported = tmp_path / "fi.po"
    assert run("export", "fi", "--format", "po", "-o", str(exported)).exit_code == 0
    with exported.open("rb") as fh:
        message = read_po(fh).get("Plats: %(place)s.")
    assert "en: Place: %(place)s." in message.auto_comments


def test_review_records_who_reviewed_and_when(run, locales):
    assert run("review", "fi", "--by", "Aino Auktoriserad, translator").exit_code == 0
    review = tomllib.loads((locales / "review.toml").read_text())
    assert review["fi"]["status"] == "reviewed"
    assert review["fi"]["by"] == "Aino Auktoriserad, translator"
    assert run("review", "fi", "--by", "-", "--draft").exit_code == 0
    assert tomllib.loads((locales / "review.toml").read_text())["fi"]["status"] == "draft"


def test_unknown_language_is_refused(run, tmp_path):
    result = run("export", "tlh", "-o", str(tmp_path / "x.csv"))
    assert result.exit_code != 0
    assert "not in locales/languages.toml" in result.output


def test_compile_writes_mo_files_and_fails_on_broken_variables(run, locales):
    assert run("compile").exit_code == 0
    assert (locales / "en/LC_MESSAGES/messages.mo").exists()
    po = locales / "en/LC_MESSAGES/messages.po"
    po.write_text(
        po.read_text().replace('msgstr "Place: %(place)s."', 'msgstr "Place: %(plats)s."')
    )
    result = run("compile")
    assert result.exit_code == 1
    assert "plats" in result.output


def test_check_passes_a_complete_language_and_lists_what_is_missing(run, locales):
    assert run("check", "en").exit_code == 0
    po = locales / "en/LC_MESSAGES/messages.po"
    po.write_text(po.read_text().replace('msgstr "Place: %(place)s."', 'msgstr ""'))
    result = run("check", "en")
    assert result.exit_code == 1
    assert "untranslated: 'Plats: %(place)s.'" in result.output


def test_extract_and_update_bring_a_new_string_to_every_catalog(
    run, locales, monkeypatch, tmp_path
):
    pot = locales / "messages.pot"
    pot.write_text(pot.read_text() + '\nmsgid "En helt ny mening."\nmsgstr ""\n')
    result = run("update")
    assert result.exit_code == 0, result.output
    assert "en: 1 untranslated" in result.output
    with (locales / "sv/LC_MESSAGES/messages.po").open("rb") as fh:
        assert read_po(fh).get("En helt ny mening.").string == "En helt ny mening."
