"""`flask preview`: every message kind in every language and channel, for review."""

import json
from datetime import date

import click

from app.compose import CHANNELS, compose
from app.kinds import KINDS
from app.languages import language_codes
from app.models import utcnow
from app.plain_language import lix
from app.planner import local_date
from app.samples import sample_facts

VARIANTS = ("standard", "copy", "discreet")


def preview_rows(
    variants: tuple[str, ...] = ("standard",),
    only: str | None = None,
    today: date | None = None,
    channels: tuple[str, ...] = CHANNELS,
) -> list[dict]:
    """One row per kind, language, channel and variant, with size and readability.

    Variants: the standard message, a representative's copy (SMS), and the discreet SMS.
    """
    today = today or local_date(utcnow())
    rows = []
    combinations = [
        (kind, lang, channel, variant)
        for kind in KINDS
        for lang in language_codes()
        if only in (None, lang)
        for variant in variants
        if not (variant == "discreet" and KINDS[kind].reply)  # replies choose discretion themselves
        for channel in (channels if variant == "standard" else ("sms",))
        if channel in channels
    ]
    for kind, lang, channel, variant in combinations:
        facts = sample_facts(
            kind, lang, today, copy=variant == "copy", discreet=variant == "discreet"
        )
        c = compose(kind, facts, lang, channel)
        rows.append(
            {
                "kind": kind,
                "variant": variant,
                "lang": lang,
                "channel": channel,
                "text": c.text,
                "encoding": c.encoding,
                "segments": c.segments,
                "lix": lix(c.text),
                "fallback": c.fallback,
                "pictures": [r.picture for r in c.rows],
            }
        )
    return rows


@click.command("preview")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--all-variants", is_flag=True, help="Also representatives' copies and discreet SMS.")
def preview_command(fmt: str, all_variants: bool) -> None:
    """Render every message kind for the demo data in every language and channel."""
    rows = preview_rows(VARIANTS if all_variants else ("standard",))
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(
            f"== {row['kind']} [{row['lang']}/{row['channel']}/{row['variant']}] "
            f"{row['encoding']} {row['segments']} seg, LIX {row['lix']}"
        )
        click.echo(row["text"])
        click.echo()
