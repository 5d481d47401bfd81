"""Benchmark 3: messages composed per second on one core, every kind, language and channel.

`app.words.compose.compose` with the demo facts of `app.words.samples.sample_facts`, against a
baseline in the same run: the same templates rendered with the same facts by the Swedish
environment, whose gettext is the identity (Swedish is the source language), with none
of compose's work after rendering (rows, GSM normalising, segments, the SMS budget).
Both run in this one thread, in turn, several rounds; medians shown.

The target (issue 24) is twice the rate recorded before that issue, 2,023 messages a
second: a fixed number, since the plain render renders the same templates and got
faster with them.
"""

import time

from bench.common import Context, Result, Table, Target, app_config, median

NAME = "compose"
TITLE = "Composition: messages per second per core"
# Recorded in docs/benchmarks.md on 2026-11-23 (03:55 UTC), before issue 24.
BEFORE_ISSUE_24 = 2023
TARGET_PER_SECOND = 2 * BEFORE_ISSUE_24


def _cases(today) -> list[tuple[str, str, str, dict]]:
    from app.outbox.kinds import KINDS
    from app.words.compose import CHANNELS
    from app.words.languages import language_codes
    from app.words.samples import sample_facts

    return [
        (kind, lang, channel, sample_facts(kind, lang, today))
        for lang in language_codes()
        for kind in KINDS
        for channel in CHANNELS
    ]


def _time_compose(cases) -> float:
    from app.words.compose import compose

    started = time.perf_counter()
    for kind, lang, channel, facts in cases:
        compose(kind, facts, lang, channel)
    return time.perf_counter() - started


def _time_baseline(cases, environment) -> float:
    started = time.perf_counter()
    for kind, _lang, channel, facts in cases:
        # compose() also says whether the page link leads (picture support); plainly, not
        environment.get_template(f"{kind}.j2").render(
            **facts, channel=channel, pictures_first=False
        )
    return time.perf_counter() - started


def run(context: Context) -> Result:
    """Time compose() and the plain render over every case, language by language."""
    from app import create_app
    from app.models import utcnow
    from app.outbox.planner import local_date
    from app.words.i18n import catalogs

    folder = context.scratch / "compose"
    folder.mkdir(parents=True, exist_ok=True)
    app = create_app(app_config(f"sqlite:///{folder / 'unused.sqlite3'}", folder))
    rounds = 1 if context.tiny else 7
    with app.app_context():
        cases = _cases(local_date(utcnow()))
        if context.tiny:
            cases = cases[::25]
        plain = catalogs().environment("sv")
        _time_compose(cases)  # compile every template once before timing
        _time_baseline(cases, plain)
        languages = sorted({c[1] for c in cases}, key=[c[1] for c in cases].index)
        by_language = {lang: [c for c in cases if c[1] == lang] for lang in languages}
        timings: dict[str, dict[str, list[float]]] = {
            lang: {"compose": [], "baseline": []} for lang in languages
        }
        for _ in range(rounds):
            for lang, subset in by_language.items():
                timings[lang]["compose"].append(len(subset) / _time_compose(subset))
                timings[lang]["baseline"].append(len(subset) / _time_baseline(subset, plain))
    app.extensions["tydligt.engine"].dispose()
    counts = {lang: len(s) for lang, s in by_language.items()}
    return _result(timings, counts, rounds, judged=not context.tiny)


def _result(timings: dict, counts: dict, rounds: int, *, judged: bool) -> Result:
    """The table, and the target judged only from a full run (a tiny one times a few cases
    once: too little to say)."""
    rows, rates = [], {}
    for lang, series in timings.items():
        composed, plain = median(series["compose"]), median(series["baseline"])
        rates[lang] = (composed, plain)
        rows.append(
            [lang, str(counts[lang]), f"{composed:,.0f}", f"{1e6 / composed:.0f}",
             f"{plain:,.0f}", f"{composed / plain:.0%}"]
        )  # fmt: skip
    total = sum(counts.values())
    composed_all = total / sum(counts[lang] / rates[lang][0] for lang in rates)
    plain_all = total / sum(counts[lang] / rates[lang][1] for lang in rates)
    rows.append(
        ["all", str(total), f"{composed_all:,.0f}", f"{1e6 / composed_all:.0f}",
         f"{plain_all:,.0f}", f"{composed_all / plain_all:.0%}"]
    )  # fmt: skip
    table = Table(
        ["language", "cases", "composed/s", "µs/message", "plain render/s", "compose / plain"],
        rows,
    )
    slowest = min(rates, key=lambda lang: rates[lang][0])
    notes = [
        "Cases: every message kind in app/outbox/kinds.py × sms, voice and page, with the demo "
        "client's facts for the language (app/words/samples.py).",
        "Plain render: the same template and facts in the Swedish environment (identity "
        "gettext, the same date and number filters), output not split into rows. It shows "
        "what compose() adds to rendering; it is not the target's baseline, since it renders "
        "the same templates and gets faster with them.",
        f"Target: twice the {BEFORE_ISSUE_24:,} messages/s recorded before issue 24 "
        "(2026-11-23 03:55 UTC), on one core.",
        f"{rounds} rounds, languages in turn; medians. One thread, so per core.",
    ]
    targets = [
        Target(
            f"composition ≥ 2x the {BEFORE_ISSUE_24:,} messages/s recorded before issue 24, "
            "on one core",
            composed_all >= TARGET_PER_SECOND if judged else None,
            f"{composed_all:,.0f} messages/s on one core, {composed_all / BEFORE_ISSUE_24:.1f}x "
            f"(target {TARGET_PER_SECOND:,}/s); slowest language {slowest} "
            f"({rates[slowest][0]:,.0f}/s)",
        )
    ]
    return Result(
        NAME,
        TITLE,
        [table],
        targets,
        notes,
        data={"per_second": composed_all, "baseline_per_second": plain_all, "languages": rates},
    )
