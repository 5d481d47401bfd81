"""`flask preview`: every message kind in every language and channel, for review, and what
each SMS costs in each language (encoding, segments, how many texts)."""

import json
from datetime import date

import click

from app.models import utcnow
from app.outbox.kinds import KINDS
from app.outbox.planner import local_date
from app.words.compose import CHANNELS, compose
from app.words.languages import language_codes
from app.words.plain_language import lix
from app.words.samples import sample_facts

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
                "messages": c.messages,
                "budget": c.budget,
                "dropped": list(c.dropped),
                "lix": lix(c.text),
                "fallback": c.fallback,
                "pictures": [r.picture for r in c.rows],
            }
        )
    return rows


def sms_costs(kind: str, facts: dict) -> list[dict]:
    """What the SMS of a kind with these facts costs in each language: its encoding, its
    segments (all texts together), how many texts it is sent as, and one text's budget.
    The same facts in every language: the words differ, the information does not."""
    costs = []
    for lang in language_codes():
        c = compose(kind, facts, lang, "sms")
        costs.append(
            {
                "lang": lang,
                "encoding": c.encoding,
                "segments": c.segments,
                "messages": c.messages,
                "budget": c.budget,
                "fallback": c.fallback,
            }
        )
    return costs


def cost_table(rows: list[dict]) -> list[str]:
    """Lines of a table: per kind, each language's standard SMS as segments/texts."""
    sms = [r for r in rows if r["channel"] == "sms" and r["variant"] == "standard"]
    codes = list(dict.fromkeys(r["lang"] for r in sms))
    cells = {(r["kind"], r["lang"]): r for r in sms}
    width = max((len(k) for k in KINDS), default=4)
    lines = [f"{'kind':<{width}}  " + "  ".join(f"{code:>7}" for code in codes)]
    for kind in dict.fromkeys(r["kind"] for r in sms):
        row = [cells.get((kind, code)) for code in codes]
        lines.append(
            f"{kind:<{width}}  "
            + "  ".join(
                f"{r['segments']}/{r['messages']}{'U' if r['encoding'] != 'GSM-7' else ' '}".rjust(
                    7
                )
                if r
                else " " * 7
                for r in row
            )
        )
    lines.append("Cells: segments/texts, U = UCS-2.")
    return lines


@click.command("preview")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--all-variants", is_flag=True, help="Also representatives' copies and discreet SMS.")
@click.option("--costs", is_flag=True, help="Only the SMS cost of each kind in each language.")
def preview_command(fmt: str, all_variants: bool, costs: bool) -> None:
    """Render every message kind for the demo data in every language and channel."""
    channels = ("sms",) if costs else CHANNELS
    rows = preview_rows(VARIANTS if all_variants else ("standard",), channels=channels)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if costs:
        click.echo("\n".join(cost_table(rows)))
        return
    for row in rows:
        texts = f" in {row['messages']} texts" if row["messages"] > 1 else ""
        click.echo(
            f"== {row['kind']} [{row['lang']}/{row['channel']}/{row['variant']}] "
            f"{row['encoding']} {row['segments']} seg{texts}, LIX {row['lix']}"
        )
        click.echo(row["text"])
        click.echo()
