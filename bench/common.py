"""What every benchmark shares: results as tables, medians, a database to fill and an app.

A benchmark module has `NAME`, `TITLE` and `run(context) -> Result`. Results are plain
tables of formatted cells plus targets (met or not) and notes, so the runner can print
them and write them to docs/benchmarks.md the same way.
"""

import os
import shutil
import socket
import statistics
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
SIZES = ("tiny", "full")
DATABASES = ("sqlite", "postgresql")


@dataclass
class Table:
    """A table of formatted cells; the first column names the row."""

    columns: list[str]
    rows: list[list[str]]
    title: str = ""


@dataclass
class Target:
    """A target from the issue and whether this run met it (None: not measured here)."""

    what: str
    met: bool | None
    detail: str


@dataclass
class Result:
    """What one benchmark found: tables to show, targets, notes, and raw numbers."""

    name: str
    title: str
    tables: list[Table] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)


@dataclass
class Context:
    """How the benchmarks run: size, database, a scratch folder."""

    size: str
    database: "BenchDatabase"
    scratch: Path

    @property
    def tiny(self) -> bool:
        return self.size == "tiny"


def median(values: Sequence[float]) -> float:
    """The median (0.0 for no values)."""
    return statistics.median(values) if values else 0.0


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of the sorted values lie (nearest rank)."""
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def say(line: str = "") -> None:
    """Write a line of benchmark output (the project's lint rules keep print() out)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process, from /proc; None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (name) "
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) used so far by a process and all its descendants."""
    parents, cpu = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (found := _stat(int(entry.name))) is not None:
            parents[int(entry.name)], cpu[int(entry.name)] = found
    tree, added = {root}, True
    while added:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        added = bool(more)
    return sum(cpu.get(pid, 0.0) for pid in tree)


def app_config(database_url: str, folder: Path, **extra) -> dict:
    """Settings for the app under benchmark: console transport into `folder`, no pacing."""
    return {
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": folder / "instance",
        "CONSOLE_OUTBOX_FILE": str(folder / "outbox.jsonl"),
        "SMS_TRANSPORT": "console",
        "TWILIO_AUTH_TOKEN": "bench-auth-token",
        "SEND_RATE_PER_SECOND": "0",
        "LOG_LEVEL": "WARNING",
        "SMS_FLOOD_ANSWERS": "1000000",  # a benchmark's load is a flood: answer every text
    } | extra


class BenchDatabase:
    """Empty, migrated databases on demand: SQLite files, or databases on one throwaway
    PostgreSQL server (tests/pg_server.py) copied from a migrated template."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind = kind
        self.folder = folder
        self._server = None
        self._template = ""
        self._count = 0
        self.server_version = ""

    def start(self) -> None:
        """Start the server (PostgreSQL) and migrate the template once."""
        from app.db import make_engine, upgrade_database

        if self.kind == "postgresql":
            from tests.pg_server import PostgresServer

            self._server = PostgresServer()
            self._template = self._server.start()
            engine = make_engine(self._template)
            upgrade_database(engine)
            with engine.connect() as connection:
                self.server_version = connection.execute(text("SHOW server_version")).scalar()
            engine.dispose()
        else:
            self._template = str(self.folder / "template.sqlite3")
            engine = make_engine(f"sqlite:///{self._template}")
            upgrade_database(engine)
            engine.dispose()

    def fresh(self) -> str:
        """The URL of a new, empty, migrated database."""
        from app.db import make_engine

        self._count += 1
        name = f"bench_{self._count}"
        if self.kind == "sqlite":
            path = self.folder / f"{name}.sqlite3"
            shutil.copy(self._template, path)
            return f"sqlite:///{path}"
        admin = make_engine(self._template.rsplit("/", 1)[0] + "/postgres")
        with admin.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name} TEMPLATE tydligt"))
        admin.dispose()
        return self._template.rsplit("/", 1)[0] + f"/{name}"

    def drop(self, url: str) -> None:
        """Remove a database made by fresh() (its space matters at 100,000 rows)."""
        from app.db import make_engine

        if self.kind == "sqlite":
            path = Path(url.removeprefix("sqlite:///"))
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            return
        admin = make_engine(self._template.rsplit("/", 1)[0] + "/postgres")
        with admin.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]}"))
        admin.dispose()

    def server_pid(self) -> int | None:
        """The PostgreSQL postmaster's process id (None for SQLite)."""
        if self._server is None:
            return None
        return int((self._server.data / "postmaster.pid").read_text().split()[0])

    def stop(self) -> None:
        """Stop the server and remove its files."""
        if self._server is not None:
            self._server.stop()
            self._server = None


@contextmanager
def bench_context(size: str, database: str) -> Iterator[Context]:
    """A scratch folder and a database for one run of the benchmarks."""
    scratch = Path(tempfile.mkdtemp(prefix="tydligt-bench-"))
    db = BenchDatabase(database, scratch)
    try:
        db.start()
        yield Context(size=size, database=db, scratch=scratch)
    finally:
        db.stop()
        shutil.rmtree(scratch, ignore_errors=True)


def format_table(table: Table) -> str:
    """A table as aligned plain text for the terminal."""
    cells = [table.columns, *table.rows]
    widths = [max(len(str(row[i])) for row in cells) for i in range(len(table.columns))]
    lines = [
        "  ".join(
            str(c).rjust(w) if i else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(([table.title] if table.title else []) + lines)


def _numeric(cells: list[str]) -> bool:
    return all(not c or c == "-" or c[0].isdigit() for c in cells)


def markdown_table(table: Table) -> str:
    """A table as GitHub-flavoured Markdown: numbers to the right, words to the left."""
    head = "| " + " | ".join(table.columns) + " |"
    columns = [[str(row[i]) for row in table.rows] for i in range(len(table.columns))]
    rule = "|" + "|".join("---:" if i and _numeric(c) else "---" for i, c in enumerate(columns))
    rule += "|"
    body = ["| " + " | ".join(str(c) for c in row) + " |" for row in table.rows]
    title = [f"**{table.title}**", ""] if table.title else []
    return "\n".join(title + [head, rule, *body])


def mark(met: bool | None) -> str:
    """A target's verdict as a word."""
    return {True: "met", False: "MISSED", None: "n/a"}[met]
