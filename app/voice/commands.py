"""`flask recordings`: the recording kit on the command line.

script  what an interpreter records for a language (CSV or a printable page)
check   per language: what is recorded, what is missing, which files are bad or no longer
        needed, and what callers get; exit status 1 when something needs fixing
export  a language's recordings as a zip with a manifest, for another installation
import  such a zip: checked file by file, existing recordings kept unless --replace
"""

from pathlib import Path

import click
from flask.cli import AppGroup

from app.voice import kit, sets
from app.voice.recordings import store
from app.words.languages import get_language, language_codes

recordings = AppGroup("recordings", help="The recorded phrases of the phone (see README).")


_CODES = click.Choice(language_codes())
_HELP = "A language code (sv en ar so fa prs ti fi uk)."
language_required = click.option("--lang", "code", type=_CODES, required=True, help=_HELP)
language_or_all = click.option("--lang", "code", type=_CODES, default=None, help=_HELP)


@recordings.command("script")
@language_required
@click.option(
    "--format",
    "kind",
    type=click.Choice(("csv", "html")),
    default=None,
    help="csv (a spreadsheet) or html (a page to print). Default: from --output, else csv.",
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def script_command(code: str, kind: str | None, output: Path | None) -> None:
    """Write what an interpreter must record for a language, to a file or stdout."""
    if kind is None:
        kind = "html" if output is not None and output.suffix in (".html", ".htm") else "csv"
    rows = kit.script_rows(code, kit.unit_names())
    text = kit.script_html(code, rows) if kind == "html" else kit.script_csv(code, rows)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        raise click.ClickException(f"Cannot write {output}: {error.strerror}") from None
    left = sum(1 for row in rows if row.translated and not row.recorded)
    click.echo(f"Wrote {output}: {len(rows)} recordings, {left} still to record.", err=True)


def _screens(check: kit.LanguageCheck) -> list[str]:
    complete = [kit.SCREEN_LABELS[s] for s, n in check.coverage.by_screen.items() if not n]
    lacking = [f"{kit.SCREEN_LABELS[s]} ({n})" for s, n in check.coverage.by_screen.items() if n]
    if not lacking:
        return ["every screen complete"]
    lines = [f"screens missing recordings: {', '.join(lacking)}"]
    if complete:
        lines.append(f"screens complete: {', '.join(complete)}")
    return lines


def _missing(missing: list, every: bool) -> list[str]:
    """The files still to record (all of them for one language, the first few for all)."""
    shown = missing if every else missing[:MISSING_SHOWN]
    lines = [f"  still to record ({len(missing)}):"] if missing else []
    lines += [f"    {item.name}.mp3  {item.text or '(translation missing)'}" for item in shown]
    if len(shown) < len(missing):
        lines.append(f"    … and {len(missing) - len(shown)} more: recordings check --lang <code>")
    return lines


MISSING_SHOWN = 10


def _report(check: kit.LanguageCheck, single: bool = False) -> list[str]:
    language = get_language(check.code)
    coverage = check.coverage
    lines = [f"{check.code} ({language.english_name}): {kit.CALLERS_GET[check.callers_get]}"]
    needed = [item for item in coverage.needed if not item.optional]
    recorded = [item for item in coverage.recorded if not item.optional]
    if check.has_voice:  # recordings are optional: the voice says the rest
        lines.append(f"  recorded {len(recorded)} of {len(needed)} (optional)")
    else:
        lines.append(
            f"  needed {len(needed)}, recorded {len(recorded)}, missing {len(coverage.missing)}"
        )
        untranslated = sum(1 for item in coverage.missing if not item.text)
        if untranslated:
            lines.append(f"  {untranslated} of the missing need a translation first")
        if coverage.recorded:
            lines += [f"  {line}" for line in _screens(check)]
            lines += _missing(coverage.missing, every=single)
    units = [item for item in coverage.needed if item.optional]
    if units:
        said = sum(1 for item in coverage.recorded if item.optional)
        lines.append(f"  units' names recorded: {said} of {len(units)} (optional)")
    if coverage.unused:
        lines.append(f"  files not needed any more ({len(coverage.unused)}):")
        files = store().files(check.code)
        lines += [f"    {files[name].name}" for name in coverage.unused if name in files]
    if check.bad:
        lines.append(f"  files that fail the audio check ({len(check.bad)}):")
        lines += [f"    {bad.file}: {bad.problem}" for bad in check.bad]
    return lines


@recordings.command("check")
@language_or_all
def check_command(code: str | None) -> None:
    """Say per language what is recorded and missing and what callers get; exit status 1
    when a language without a Twilio voice is incomplete or a file fails the audio check."""
    units = kit.unit_names()
    ok = True
    for each in [code] if code else language_codes():
        check = kit.check_language(each, units)
        click.echo("\n".join(_report(check, single=code is not None)))
        ok = ok and check.ok
    if not ok:
        raise click.exceptions.Exit(1)


@recordings.command("export")
@language_required
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(code: str, output: Path) -> None:
    """Write a language's recordings and a manifest.json (what each says, its SHA-256)
    into a zip, to copy the set to another installation."""
    if not store().has_any(code):
        raise click.ClickException(f"No recordings in {code} to export.")
    partial = output.with_name(f".{output.name}.part")
    try:
        with partial.open("wb") as target:
            count = sets.export_set(code, target, kit.unit_names())
        partial.replace(output)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"Cannot write {output}: {error.strerror}") from None
    click.echo(f"Wrote {output}: {count} recordings in {code}.")


@recordings.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Replace recordings this installation has.")
@click.option(
    "--lang",
    "code",
    type=click.Choice(language_codes()),
    default=None,
    help="The set's language, when its zip has no manifest.",
)
def import_command(source: Path, replace: bool, code: str | None) -> None:
    """Keep the recordings of a zip (from `export`): each file's name and audio are
    checked; names this installation does not need are reported, not kept. Exit status 1
    when a file was refused."""
    try:
        report = sets.import_set(source, code, replace, kit.unit_names())
    except sets.SetError as error:
        raise click.ClickException(str(error)) from None
    for label, done in (
        ("added", report.added),
        ("replaced", report.replaced),
        ("unchanged (the same file is here)", report.unchanged),
        ("kept (recorded here already; --replace to replace)", report.kept),
        ("not imported: not needed here (other translations or units)", report.unused),
    ):
        if done:
            click.echo(f"{label}: {len(done)}")
            if done is not report.added and done is not report.unchanged:
                click.echo("".join(f"  {file}\n" for file in done), nl=False)
    if report.renamed:  # made by another version of Tydligt, the same words
        click.echo(f"named as this version names them: {len(report.renamed)}")
        click.echo("".join(f"  {old} -> {new}\n" for old, new in report.renamed), nl=False)
    for entry, why in report.refused:
        click.echo(f"refused: {entry}: {why}")
    click.echo(
        f"{report.code}: {len(report.added) + len(report.replaced)} recordings imported, "
        f"{len(report.refused)} refused."
    )
    if report.refused:
        raise click.exceptions.Exit(1)
