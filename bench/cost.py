"""Benchmark 5: what messages cost, in SMS segments, against their budgets.

Every message kind in every language, composed by `app.words.preview.preview_rows` from the
demo data (the standard SMS, a representative's copy and the discreet SMS), measured
against the kind's budget: `app.outbox.kinds.KINDS[kind].sms_segments` as
`app.words.compose.sms_budget` applies it (UCS-2 languages get half as many again, a copy one
more).
"""

from collections import defaultdict

from bench.common import Context, Result, Table, Target, app_config, median

NAME = "cost"
TITLE = "Cost: SMS segments per kind and language"


def run(context: Context) -> Result:
    """Compose every kind, language and variant as SMS and compare with the budgets."""
    from app import create_app
    from app.words.compose import sms_budget
    from app.words.languages import get_language, language_codes
    from app.words.preview import VARIANTS, preview_rows

    folder = context.scratch / "cost"
    folder.mkdir(parents=True, exist_ok=True)
    app = create_app(app_config(f"sqlite:///{folder / 'unused.sqlite3'}", folder))
    with app.app_context():
        rows = preview_rows(VARIANTS, channels=("sms",))
        for row in rows:
            row["budget"] = sms_budget(row["kind"], row["encoding"], copy=row["variant"] == "copy")
        codes = language_codes()
        encodings = {code: get_language(code).sms_encoding for code in codes}
    app.extensions["tydligt.engine"].dispose()
    return _result(rows, codes, encodings)


def _result(rows: list[dict], codes: tuple[str, ...], encodings: dict) -> Result:
    standard = {(r["kind"], r["lang"]): r for r in rows if r["variant"] == "standard"}
    kinds = list(dict.fromkeys(r["kind"] for r in rows))
    by_kind = []
    for kind in kinds:
        cells = []
        for code in codes:
            r = standard[(kind, code)]
            cells.append(f"{r['segments']}" + ("!" if r["segments"] > r["budget"] else ""))
        budgets = sorted({standard[(kind, code)]["budget"] for code in codes})
        segments = [standard[(kind, code)]["segments"] for code in codes]
        by_kind.append(
            [kind, "/".join(map(str, budgets)), *cells, f"{sum(segments) / len(segments):.2f}"]
        )
    kind_table = Table(
        ["kind", "budget", *codes, "average"], by_kind, "Segments of the standard SMS"
    )
    per_language = defaultdict(lambda: defaultdict(list))
    for r in rows:
        per_language[r["lang"]][r["variant"]].append(r)
    lang_rows = []
    for code in codes:
        variants = per_language[code]
        mean = {v: sum(r["segments"] for r in rs) / len(rs) for v, rs in variants.items()}
        used = [r["segments"] / r["budget"] for rs in variants.values() for r in rs]
        over = sum(r["segments"] > r["budget"] for rs in variants.values() for r in rs)
        budget = sum(r["budget"] for r in variants["standard"]) / len(variants["standard"])
        lang_rows.append(
            [code, encodings[code], f"{mean['standard']:.2f}", f"{mean.get('copy', 0):.2f}",
             f"{mean.get('discreet', 0):.2f}", f"{budget:.2f}", f"{median(used):.0%}",
             f"{max(used):.0%}", str(over)]
        )  # fmt: skip
    lang_table = Table(
        ["language", "encoding", "standard", "copy", "discreet", "budget (standard)",
         "median of budget used", "most of a budget used", "over budget"],
        lang_rows,
        "Average segments per message, by language and variant",
    )  # fmt: skip
    over = [r for r in rows if r["segments"] > r["budget"]]
    fallbacks = [r for r in rows if r["fallback"]]
    targets = [
        Target(
            "every kind within its SMS budget, in every language and variant",
            not over,
            f"{len(rows)} messages, {len(over)} over budget"
            + (
                ": " + ", ".join(f"{r['kind']}/{r['lang']}/{r['variant']}" for r in over[:5])
                if over
                else ""
            )
            + f"; {len(fallbacks)} in Swedish for a missing translation",
        )  # fmt: skip
    ]
    notes = [
        "Budgets (app/outbox/kinds.py): 2 segments for reminders and notices, 3 for checklists, "
        "decision summaries, the welcome, the menu and the language list; UCS-2 languages "
        "get half as many again (3 or 5), a representative's copy one more. '!' marks a "
        "message over its budget.",
        "An SMS over budget leaves out its optional rows first (app/words/compose.py), so these "
        "are the segments actually sent.",
    ]
    data = {"rows": len(rows), "over_budget": len(over), "standard": standard}
    return Result(NAME, TITLE, [kind_table, lang_table], targets, notes, data=data)
