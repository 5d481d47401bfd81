"""Writing results to docs/benchmarks.md, with a description of the machine.

Generated parts sit between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` markers and
are replaced on each run (a run with --only replaces only its own); everything outside
the markers, such as the notes on fixes made, is written by hand and kept.
"""

import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path

from bench.common import Result, Table, mark, markdown_table

HEADER = """# Benchmarks

`make bench` runs `python -m bench --size full --database postgresql --record
docs/benchmarks.md`. Each benchmark is measured against a baseline taken in the same run,
because the machines are shared and noisy: read the ratios first, and the absolute
numbers as this machine on this day. Figures are medians of several runs unless a
section says otherwise. The parts between `bench:` markers are rewritten by each run;
the rest of this file is written by hand.
"""


def _read(path: Path, fallback: str = "") -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return fallback


def _cpu() -> tuple[str, int]:
    text = _read(Path("/proc/cpuinfo"))
    models = re.findall(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    count = len(re.findall(r"^processor\s*:", text, re.MULTILINE)) or os.cpu_count() or 0
    return (models[0].strip() if models else platform.processor() or "unknown"), count


def _ram() -> str:
    match = re.search(r"^MemTotal:\s*(\d+) kB", _read(Path("/proc/meminfo")), re.MULTILINE)
    return f"{int(match.group(1)) / 1024 / 1024:.1f} GiB" if match else "unknown"


def _os() -> str:
    match = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', _read(Path("/etc/os-release")), re.MULTILINE)
    name = match.group(1) if match else platform.system()
    return f"{name}, kernel {platform.release()}"


def machine(postgresql_version: str = "") -> dict[str, str]:
    """What the numbers were measured on."""
    model, count = _cpu()
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "CPU": f"{model}, {count} logical CPUs (shared with other work)",
        "RAM": _ram(),
        "OS": _os(),
        "Python": platform.python_version(),
        "PostgreSQL": postgresql_version or "not used in this run",
        "Date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "Load average at the end (1/5/15 min)": load,
    }


def _section(name: str, body: str) -> str:
    return f"<!-- bench:{name} -->\n{body.strip()}\n<!-- /bench:{name} -->"


def _replace(document: str, name: str, body: str, before: str | None = None) -> str:
    """Put a generated section in place of its old version (or before another, or last)."""
    pattern = re.compile(rf"<!-- bench:{name} -->.*?<!-- /bench:{name} -->", re.DOTALL)
    section = _section(name, body)
    if pattern.search(document):
        return pattern.sub(lambda _m: section, document)
    if before and f"<!-- bench:{before} -->" in document:
        return document.replace(f"<!-- bench:{before} -->", f"{section}\n\n<!-- bench:{before} -->")
    return document.rstrip() + "\n\n" + section + "\n"


def _machine_body(description: dict[str, str], size: str, database: str) -> str:
    lines = ["## The machine", ""]
    lines += [f"- **{key}**: {value}" for key, value in description.items()]
    lines += ["", f"Last run: `--size {size} --database {database}`."]
    return "\n".join(lines)


def _result_body(result: Result, size: str, database: str, when: str) -> str:
    lines = [f"## {result.title}", "", f"*Measured {when}, `--size {size} --database {database}`.*"]
    for table in result.tables:
        lines += ["", markdown_table(table)]
    if result.targets:
        lines += ["", "Targets:"]
        lines += [f"- {t.what}: **{mark(t.met)}** ({t.detail})" for t in result.targets]
    if result.notes:
        lines += [""] + [f"- {note}" for note in result.notes]
    return "\n".join(lines)


def _old_summary_rows(document: str) -> dict[str, list[list[str]]]:
    match = re.search(r"<!-- bench:summary -->(.*?)<!-- /bench:summary -->", document, re.DOTALL)
    rows: dict[str, list[list[str]]] = {}
    for line in (match.group(1) if match else "").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) == 4:
            rows.setdefault(cells[0].strip("`"), []).append(cells)
    return rows


def _summary_body(document: str, results: list[Result]) -> str:
    kept = _old_summary_rows(document)
    for result in results:
        kept[result.name] = [
            [f"`{result.name}`", t.what, f"**{mark(t.met)}**", t.detail] for t in result.targets
        ]
    rows = [row for name in kept for row in kept[name]]
    table = Table(["benchmark", "target", "verdict", "measured"], rows)
    return "## Targets met?\n\n" + markdown_table(table)


def record(path: Path, results: list[Result], *, size: str, database: str) -> None:
    """Write or update the Markdown file with the machine and these results."""
    document = _read(path, HEADER)
    description = results[0].data.get("machine", machine()) if results else machine()
    when = description["Date"]
    document = _replace(document, "machine", _machine_body(description, size, database))
    document = _replace(document, "summary", _summary_body(document, results))
    for result in results:
        document = _replace(document, result.name, _result_body(result, size, database, when))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document.rstrip() + "\n", encoding="utf-8")
