"""`flask preview`: every message kind in every language and channel, for review."""

import json
from datetime import timedelta

import click

from app import demo
from app.compose import CHANNELS, compose
from app.facts import display_phone
from app.kinds import KINDS
from app.languages import language_codes
from app.models import utcnow
from app.plain_language import lix

SAMPLE_LINK = "https://tydligt.ekby.example/p/Xq3vR8kLm2Tn5wYz7bCd9f"


def sample_facts(kind: str, lang: str) -> dict:
    """The facts of a kind for the demo client of a language (no database needed)."""
    spec = demo.CLIENTS[lang]
    staff = demo.STAFF[0]
    starts_at = (utcnow() + timedelta(days=3)).replace(hour=13, minute=0, second=0, microsecond=0)
    facts = {
        "sender": demo.UNIT["sender_name"],
        "unit_phone": display_phone(demo.UNIT["phone"]),
        "first_name": spec["first_name"],
        "link": SAMPLE_LINK,
    }
    if KINDS[kind].subject_type == "appointment":
        facts["appointment"] = {
            "starts_at": starts_at,
            "mode": spec["mode"],
            "location": demo.UNIT["address"] if spec["mode"] == "office" else "",
            "staff_name": staff["name"],
            "purpose": spec["purpose"],
            "bring": [k for k in spec["bring"].split(",") if k],
        }
    return facts


def preview_rows() -> list[dict]:
    """One row per kind, language and channel, with size and readability."""
    rows = []
    for kind in KINDS:
        for lang in language_codes():
            for channel in CHANNELS:
                c = compose(kind, sample_facts(kind, lang), lang, channel)
                rows.append(
                    {
                        "kind": kind,
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
def preview_command(fmt: str) -> None:
    """Render every message kind for the demo data in every language and channel."""
    rows = preview_rows()
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(
            f"== {row['kind']} [{row['lang']}/{row['channel']}] "
            f"{row['encoding']} {row['segments']} seg, LIX {row['lix']}"
        )
        click.echo(row["text"])
        click.echo()
