"""`flask translate ...`: the translation workflow around Babel's pybabel.

extract   messages/ -> locales/messages.pot (--domain admin: the staff interface)
update    the template -> every registry language's catalog (creates missing ones)
compile   checks every catalog and writes .mo files (the app itself reads the .po files)
status    how much of each language is translated, and its review status
export    one language as PO or CSV for an outside translator
import    a translator's PO or CSV back into the catalog (the language becomes a draft)
review    record that a qualified translator has reviewed a language
check     what is missing, inconsistent or too long in one language
"""

import csv
from datetime import date
from pathlib import Path

import click
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.cli import AppGroup

from app.config import PROJECT_ROOT
from app.words.catalog_files import (
    DOMAINS,
    STAFF_CATALOG_LANGUAGES,
    Review,
    catalog_path,
    domain_catalog_path,
    domain_template_path,
    is_translated,
    language_status,
    read_catalog,
    set_review,
    template_path,
    variable_mismatches,
    write_catalog,
)
from app.words.languages import SOURCE_LANGUAGE, Language, get_language, is_supported, languages

translate = AppGroup("translate", help="Extract, update, compile, export and check translations.")
CSV_FIELDS = ("id", "form", "swedish", "english", "note", "translation")


# Commands -----------------------------------------------------------------------------


domain_option = click.option(
    "--domain",
    type=click.Choice(DOMAINS),
    default="messages",
    show_default=True,
    help="messages: what clients read; admin: the staff interface.",
)


def extract_domain(domain: str, output: Path) -> None:
    """Run Babel's extraction for one domain into `output`."""
    config = "babel.cfg" if domain == "messages" else "babel-admin.cfg"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(PROJECT_ROOT / config),
        "-o", str(output), "--no-location", "--sort-output", "--omit-header",
        "--add-comments=Translators:", str(PROJECT_ROOT),
    ])  # fmt: skip


@translate.command("extract")
@domain_option
def extract_command(domain: str) -> None:
    """Collect the strings of a domain (client messages, or the staff interface)."""
    extract_domain(domain, domain_template_path(domain))
    click.echo(f"Wrote {domain_template_path(domain).relative_to(PROJECT_ROOT)}.")


def update_staff_catalogs() -> dict[str, int]:
    """Bring the staff interface's catalogs in line with locales/admin.pot."""
    untranslated = {}
    for code in STAFF_CATALOG_LANGUAGES:
        with domain_template_path("admin").open("rb") as fh:
            template = read_po(fh)
        path = domain_catalog_path("admin", code)
        if path.exists():
            catalog = read_catalog(path, get_language(code))
        else:
            catalog = Catalog(locale=Locale.parse(code), project="tydligt")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        write_catalog(path, catalog)
        untranslated[code] = sum(1 for m in catalog if m.id and not is_translated(m))
    return untranslated


def update_catalogs() -> dict[str, int]:
    """Bring every catalog in line with the template; returns untranslated counts."""
    untranslated = {}
    for language in languages():
        # A fresh template each time: Babel's update shares message objects with it, so
        # filling in the Swedish catalog would otherwise fill in every other one too.
        with template_path().open("rb") as fh:
            template = read_po(fh)
        path = catalog_path(language.code)
        if path.exists():
            catalog = read_catalog(path, language)
        else:
            catalog = Catalog(locale=Locale.parse(language.babel_locale), project="tydligt")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if language.code == SOURCE_LANGUAGE:
            for message in catalog:  # the source catalog says what the templates say
                if message.id:
                    message.string = message.id
        write_catalog(path, catalog)
        untranslated[language.code] = sum(1 for m in catalog if m.id and not is_translated(m))
    return untranslated


@translate.command("update")
@domain_option
def update_command(domain: str) -> None:
    """Update every language's catalog from the template (missing catalogs are created)."""
    counts = update_catalogs() if domain == "messages" else update_staff_catalogs()
    for code, count in counts.items():
        click.echo(f"{code}: {count} untranslated")


@translate.command("compile")
def compile_command() -> None:
    """Check every catalog and write its .mo file; fails on a broken catalog."""
    failed = False
    for language in languages():
        catalog = read_catalog(catalog_path(language.code), language)
        errors = [f"{m.id!r}: {e}" for m, errs in catalog.check() for e in errs]
        errors += [p for m in catalog if m.id for p in variable_mismatches(m)]
        if errors:
            failed = True
            click.echo(f"{language.code}: {len(errors)} problems", err=True)
            for error in errors[:20]:
                click.echo(f"  {error}", err=True)
            continue
        with catalog_path(language.code).with_suffix(".mo").open("wb") as fh:
            write_mo(fh, catalog)
        click.echo(f"{language.code}: compiled")
    if failed:
        raise click.exceptions.Exit(1)


@translate.command("status")
def status_command() -> None:
    """Print how much of each language is translated and whether it is reviewed."""
    click.echo(f"{'lang':6}{'name':14}{'translated':>12}  review")
    for row in language_status():
        review = row["review"]
        if review == "reviewed":
            review += f" by {row['reviewed_by']} on {row['reviewed_on']}"
        click.echo(
            f"{row['code']:6}{row['name']:14}{row['percent']:>5}% "
            f"({row['translated']}/{row['messages']})  {review}"
        )


def _require_language(code: str) -> Language:
    if not is_supported(code):
        raise click.BadParameter(f"'{code}' is not in locales/languages.toml")
    return get_language(code)


@translate.command("export")
@click.argument("code")
@click.option("--format", "fmt", type=click.Choice(["po", "csv"]), default="csv")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(code: str, fmt: str, output: Path) -> None:
    """Write one language for an outside translator: CSV (spreadsheet) or PO."""
    language = _require_language(code)
    catalog = read_catalog(catalog_path(language.code), language)
    english = read_catalog(catalog_path("en"), get_language("en"))
    if fmt == "po":
        for message in catalog:
            reference = english.get(message.id)
            if message.id and reference and reference.string and is_translated(reference):
                text = (
                    reference.string if isinstance(reference.string, str) else reference.string[0]
                )
                message.auto_comments = [
                    c for c in message.auto_comments if not c.startswith("en:")
                ]
                message.auto_comments.append(f"en: {text}")
        write_catalog(output, catalog)
    else:
        with output.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.DictWriter(fh, CSV_FIELDS)
            writer.writeheader()
            for row in csv_rows(catalog, english):
                writer.writerow(row)
    click.echo(f"Wrote {output}.")


def csv_rows(catalog: Catalog, english: Catalog) -> list[dict]:
    """One row per message (per plural form for plural messages)."""
    rows = []
    for message in catalog:
        if not message.id:
            continue
        reference = english.get(message.id)
        note = " ".join(message.auto_comments)
        if isinstance(message.id, tuple | list):
            forms = list(message.string or ()) or [""] * catalog.num_plurals
            en_forms = list(reference.string) if reference and reference.string else ["", ""]
            for index, text in enumerate(forms):
                rows.append({
                    "id": message.id[0], "form": index,
                    "swedish": message.id[0] if index == 0 else message.id[1],
                    "english": en_forms[min(index, len(en_forms) - 1)], "note": note,
                    "translation": text,
                })  # fmt: skip
        else:
            rows.append({
                "id": message.id, "form": "", "swedish": message.id,
                "english": reference.string if reference else "", "note": note,
                "translation": message.string,
            })  # fmt: skip
    return rows


@translate.command("import")
@click.argument("code")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(code: str, source: Path) -> None:
    """Take a translator's CSV or PO into a catalog; the language becomes a draft again."""
    language = _require_language(code)
    path = catalog_path(language.code)
    catalog = read_catalog(path, language)
    incoming = _read_incoming(source, language)
    changed, refused = 0, []
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple | list) else message.id
        if key not in incoming:
            continue
        new = incoming[key]
        candidate = type(message)(message.id, new)
        problems = variable_mismatches(candidate)
        if problems:
            refused.extend(problems)
            continue
        if new != message.string:
            message.string = new
            message.flags.discard("fuzzy")
            changed += 1
    write_catalog(path, catalog)
    if changed:
        set_review(language.code, Review("draft"))
    click.echo(f"{language.code}: {changed} translations taken in, {len(refused)} refused.")
    for problem in refused:
        click.echo(f"  refused: {problem}", err=True)


def _read_incoming(source: Path, language: Language) -> dict:
    if source.suffix.lower() == ".po":
        catalog = read_catalog(source, language)
        return {
            (m.id[0] if isinstance(m.id, tuple | list) else m.id): (
                tuple(m.string) if isinstance(m.id, tuple | list) else m.string
            )
            for m in catalog
            if m.id and m.string and is_translated(m)
        }
    with source.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    missing = set(CSV_FIELDS) - set(rows[0] if rows else CSV_FIELDS)
    if missing:
        raise click.UsageError(f"{source.name} lacks the columns: {', '.join(sorted(missing))}")
    singles: dict[str, str | tuple[str, ...]] = {}
    plurals: dict[str, dict[int, str]] = {}
    for row in rows:
        text = (row["translation"] or "").strip()
        if not text:
            continue
        if row["form"] not in ("", None):
            plurals.setdefault(row["id"], {})[int(row["form"])] = text
        else:
            singles[row["id"]] = text
    for key, forms in plurals.items():
        singles[key] = tuple(forms[i] for i in sorted(forms))
    return singles


@translate.command("review")
@click.argument("code")
@click.option("--by", "reviewer", required=True, help="Who reviewed it (name, qualification).")
@click.option("--draft", is_flag=True, help="Set the language back to draft.")
def review_command(code: str, reviewer: str, draft: bool) -> None:
    """Record that a qualified translator has reviewed a language."""
    language = _require_language(code)
    review = Review("draft") if draft else Review("reviewed", reviewer, date.today())
    set_review(language.code, review)
    click.echo(f"{language.code}: {review.status}")


@translate.command("check")
@click.argument("code")
def check_command(code: str) -> None:
    """List what is missing, inconsistent or over budget in one language; exit 1 if any."""
    from app.words.compose import sms_budget
    from app.words.preview import VARIANTS, preview_rows

    language = _require_language(code)
    catalog = read_catalog(catalog_path(language.code), language)
    problems = [f"untranslated: {m.id!r}" for m in catalog if m.id and not is_translated(m)]
    problems += [f"fuzzy: {m.id!r}" for m in catalog if m.id and m.fuzzy]
    problems += [f"variables: {p}" for m in catalog if m.id for p in variable_mismatches(m)]
    for row in preview_rows(VARIANTS, only=language.code):
        if row["fallback"]:
            problems.append(f"falls back to Swedish: {row['kind']} {row['channel']}")
        elif row["channel"] == "sms":
            budget = sms_budget(row["kind"], row["encoding"], copy=row["variant"] == "copy")
            if row["segments"] > budget:
                problems.append(
                    f"too long: {row['kind']} {row['variant']} sms has {row['segments']} "
                    f"segments, budget {budget}:\n{row['text']}"
                )
    for problem in problems:
        click.echo(problem)
    click.echo(f"{language.code}: {len(problems)} problems")
    if problems:
        raise click.exceptions.Exit(1)
