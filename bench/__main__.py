"""`python -m bench [--size tiny|full] [--only NAME] [--database sqlite|postgresql]
[--record docs/benchmarks.md]`: run the benchmarks, print their tables, record them."""

import argparse
import time
from pathlib import Path

from bench import compose, cost, phone_menu, sweep, webhook
from bench.common import (
    DATABASES,
    SIZES,
    Result,
    bench_context,
    format_table,
    mark,
    say,
)
from bench.record import machine, record

BENCHMARKS = {module.NAME: module for module in (webhook, sweep, compose, phone_menu, cost)}


def show(result: Result, seconds: float) -> None:
    """Print one benchmark's tables, targets and notes."""
    say(f"== {result.title} ({seconds:.0f} s)")
    for table in result.tables:
        say(format_table(table))
        say()
    for target in result.targets:
        say(f"target: {target.what}: {mark(target.met)} - {target.detail}")
    for note in result.notes:
        say(f"  {note}")
    say()


def run(size: str, database: str, only: list[str] | None = None) -> list[Result]:
    """Run the chosen benchmarks (all by default) and return their results."""
    names = only or list(BENCHMARKS)
    results = []
    with bench_context(size, database) as context:
        say(f"Benchmarks: {', '.join(names)}; size {size}; database {database}")
        for name in names:
            started = time.monotonic()
            result = BENCHMARKS[name].run(context)
            show(result, time.monotonic() - started)
            results.append(result)
        description = machine(context.database.server_version)
    for result in results:
        result.data["machine"] = description
    return results


def main(argv: list[str] | None = None) -> list[Result]:
    """Parse the command line, run, and record if asked."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument(
        "--only", action="append", choices=list(BENCHMARKS), help="run only this (repeatable)"
    )
    parser.add_argument("--database", choices=DATABASES, default="sqlite")
    parser.add_argument("--record", type=Path, help="write or update this Markdown file")
    args = parser.parse_args(argv)
    results = run(args.size, args.database, args.only)
    if args.record:
        record(args.record, results, size=args.size, database=args.database)
        say(f"Recorded in {args.record}")
    return results


if __name__ == "__main__":
    main()
