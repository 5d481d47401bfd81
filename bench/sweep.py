"""Benchmark 2: the sweep over 1,000, 10,000 and 100,000 due reminders.

For each size, a fresh database is filled with due appointment reminders (bulk insert, a
thousand clients in all nine languages), then a fresh process runs one sweep
(`app.outbox.sweep.send_due` with a transport that does nothing), so its peak memory is its
own. The baseline, in the same run, claims and marks the same rows sent in the same
batches with one commit per batch, without composing: what the outbox alone costs. The
sweep also runs in two processes at once (two workers on the two cores), and once with
batches a quarter the size, to show that a batch's round trips do not depend on how many
messages it holds. Round trips are counted with SQLAlchemy events: statements, COMMITs
and (PostgreSQL) the BEGIN psycopg sends before each transaction.

The child process: `python -m bench.sweep '<json>'`; it prints one JSON line.
"""

import json
import resource
import select
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import ROOT, Context, Result, Table, Target, app_config, median

NAME = "sweep"
TITLE = "Sweep: claim, compose and hand over due reminders"

FULL = ((1_000, 3), (10_000, 3), (100_000, 1))  # (due reminders, repetitions)
TINY = ((20, 1), (60, 1))
BATCH_SIZE = 200  # SWEEP_BATCH_SIZE's default
TINY_BATCH_SIZE = 10
CLIENTS = 1_000
# (mode, worker processes, batch size divided by): the baseline, the sweep, the sweep in
# two processes at once, and the sweep in batches a quarter the size.
# Workers measured together wait for each other: each says READY once its app is made, and
# the parent says GO to all once every one has.
READY, GO = "ready", "go"
MODES = (("baseline", 1, 1), ("compose", 1, 1), ("compose", 2, 1), ("compose", 1, 4))
PARALLEL_UP_TO = 10_000  # two workers are measured up to this size
SMALL_BATCHES_UP_TO = 1_000  # and small batches at the smallest size


def sending_moment() -> datetime:
    """Now, or the next moment a unit sending at any hour may send (not on a holiday)."""
    from app.models import utcnow
    from app.outbox import sending_window

    now = utcnow()
    return sending_window.next_open("00:00-23:59", now, ZoneInfo("Europe/Stockholm"))


def fill(database_url: str, count: int, moment: datetime) -> None:
    """`count` due appointment reminders over up to CLIENTS clients, all languages."""
    from sqlalchemy import insert
    from sqlmodel import Session

    from app import demo
    from app.db import make_engine
    from app.models import Appointment, Client, OutboxMessage, StaffUser, Unit
    from app.words.languages import language_codes

    engine = make_engine(database_url)
    codes = language_codes()
    with Session(engine) as session:
        unit = Unit(name=demo.UNIT["name"], sender_name=demo.UNIT["sender_name"],
                    phone=demo.UNIT["phone"], phone_menu_number=demo.UNIT["phone_menu_number"],
                    address=demo.UNIT["address"], office_hours=demo.UNIT["office_hours"],
                    sending_window="00:00-23:59")  # fmt: skip
        session.add(unit)
        session.commit()
        staff = StaffUser(unit_id=unit.id, email="lina.berg@ekby.example", name="Lina Berg",
                          phone="+46701740605")  # fmt: skip
        session.add(staff)
        session.commit()
        people = []
        for n in range(min(count, CLIENTS)):
            spec = demo.CLIENTS[codes[n % len(codes)]]
            people.append(
                Client(
                    unit_id=unit.id,
                    caseworker_id=staff.id,
                    first_name=spec["first_name"],
                    last_name=spec["last_name"],
                    phone=f"+467000{n:05d}",
                    language=codes[n % len(codes)],
                    consent_at=moment - timedelta(days=30),
                    consent_method="verbal",
                )  # fmt: skip
            )
        session.add_all(people)
        session.commit()
        meetings = []
        for n, person in enumerate(people):
            spec = demo.CLIENTS[person.language]
            meetings.append(
                Appointment(
                    client_id=person.id,
                    staff_id=staff.id,
                    mode=spec["mode"],
                    starts_at=moment + timedelta(days=2, hours=n % 8),
                    location=demo.UNIT["address"] if spec["mode"] == "office" else "",
                    purpose=spec["purpose"],
                    bring=spec["bring"],
                )  # fmt: skip
            )
        session.add_all(meetings)
        session.commit()
        due = moment - timedelta(minutes=1)
        for start in range(0, count, 10_000):
            rows = [
                {"kind": "appointment_reminder", "channel": "sms",
                 "client_id": meetings[n % len(meetings)].client_id,
                 "subject_type": "appointment", "subject_id": meetings[n % len(meetings)].id,
                 "subject_version": 1, "dedupe_key": f"bench:{n}", "due_at": due,
                 "status": "pending", "urgent": False, "attempts": 0,
                 "created_at": due, "updated_at": due}
                for n in range(start, min(count, start + 10_000))
            ]  # fmt: skip
            session.exec(insert(OutboxMessage), params=rows)
            session.commit()
    engine.dispose()


# The child process ----------------------------------------------------------------------


class NoOpTransport:
    """Takes every message and does nothing with it."""

    name = "noop"

    def send(self, outgoing):
        from app.transports import Accepted

        return Accepted(provider_id=f"NOOP{outgoing.message_id}")

    def find_sent(self, message_id, to, channel, since) -> list[str]:
        return []


class RoundTrips:
    """Counts what goes to the database, and where each batch starts."""

    def __init__(self, engine, postgresql: bool) -> None:
        from sqlalchemy import event

        self.statements = self.commits = self.begins = self.checkouts = 0
        self.postgresql = postgresql
        self.marks: list[tuple[int, int]] = []  # (round trips so far, rows claimed)
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "begin", self._begin)
        event.listen(engine.pool, "checkout", self._checkout)  # pinged first (pool_pre_ping)

    def _statement(self, *_args) -> None:
        self.statements += 1

    def _commit(self, *_args) -> None:
        self.commits += 1

    def _begin(self, *_args) -> None:
        self.begins += 1

    def _checkout(self, *_args) -> None:
        self.checkouts += 1

    @property
    def total(self) -> int:
        extra = self.begins + self.checkouts if self.postgresql else 0
        return self.statements + self.commits + extra

    def counting(self, claim_due):
        """Wrap app.outbox.sweep.claim_due to note where each batch starts."""

        def wrapper(*args, **kwargs):
            before = self.total
            batch = claim_due(*args, **kwargs)
            self.marks.append((before, len(batch)))
            return batch

        return wrapper

    def per_batch(self, batch_size: int) -> list[int]:
        """Round trips of each full batch, from its claim to the next claim."""
        ends = [m[0] for m in self.marks[1:]] + [self.total]
        return [end - start for (start, rows), end in zip(self.marks, ends, strict=True)
                if rows == batch_size]  # fmt: skip


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def claim_and_mark(moment: datetime, batch_size: int) -> int:
    """The baseline: claim batches as the sweep does (on one connection, as it does) and
    mark each row sent, with nothing composed, one commit per batch as the sweep does."""
    from sqlmodel import Session

    from app.db import get_engine
    from app.models import OutboxStatus
    from app.outbox import sweep

    done = 0
    with (
        get_engine().connect() as connection,
        Session(bind=connection, expire_on_commit=False) as session,
    ):
        while True:
            batch = sweep.claim_due(session, moment, batch_size)
            for message in batch:
                message.status = OutboxStatus.SENT
                message.provider_id = f"NOOP{message.id}"
                message.sent_at = moment
                session.add(message)
                done += 1
            session.commit()
            if len(batch) < batch_size:
                return done


def child(options: dict) -> dict:
    """One sweep (or the baseline) in this process; returns time, memory, round trips."""
    from app import create_app
    from app.db import get_engine
    from app.outbox import sweep

    folder = Path(options["folder"])
    moment = datetime.fromisoformat(options["moment"])
    batch_size = options["batch_size"]
    app = create_app(app_config(options["database_url"], folder, SWEEP_BATCH_SIZE=str(batch_size)))
    with app.app_context():
        engine = get_engine()
        trips = RoundTrips(engine, engine.dialect.name == "postgresql")
        sweep.claim_due = trips.counting(sweep.claim_due)
        rss_before = _rss_kb()
        if options.get("together"):  # workers started together begin together:
            sys.stdout.write(READY + "\n")  # this one's app is made; the parent answers GO
            sys.stdout.flush()
            if sys.stdin.readline().strip() != GO:  # once every worker is ready
                raise RuntimeError("the benchmark did not say go")
        began = time.time()
        started = time.perf_counter()
        if options["mode"] == "compose":
            result = sweep.send_due(moment, transport=NoOpTransport(), batch_size=batch_size)
            done = result.sent
            problems = result.handled - result.sent
        else:
            done, problems = claim_and_mark(moment, batch_size), 0
        seconds = time.perf_counter() - started
    return {
        "began": began,
        "ended": began + seconds,
        "done": done,
        "problems": problems,
        "seconds": seconds,
        "rss_before_mb": rss_before / 1024,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "per_batch": trips.per_batch(batch_size),
        "round_trips": trips.total,
    }


# The parent -----------------------------------------------------------------------------


def _batch_size(context: Context) -> int:
    return TINY_BATCH_SIZE if context.tiny else BATCH_SIZE


def _run_children(
    context: Context,
    database_url: str,
    mode: str,
    moment: datetime,
    workers: int,
    batch_size: int,
) -> dict:
    """Run `workers` child processes on one database at once; their results combined."""
    folder = context.scratch / "sweep"
    folder.mkdir(parents=True, exist_ok=True)
    options = {
        "database_url": database_url,
        "mode": mode,
        "moment": moment.isoformat(),
        "batch_size": batch_size,
        "folder": str(folder),
        "together": workers > 1,  # each waits for GO once every app is made
    }
    # What the children log goes to files: a pipe nobody reads while they start could fill
    # and stop a child before it is ready.
    logs = [(folder / f"child-{n}.log").open("w+") for n in range(workers)]
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.sweep", json.dumps(options)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        for log in logs
    ]
    try:
        if options["together"]:
            _start_together(children)
        outcomes = []
        for child, log in zip(children, logs, strict=True):
            stdout, _ = child.communicate(timeout=3600)
            if child.returncode != 0:
                log.seek(0)
                raise RuntimeError(f"sweep child failed:\n{log.read()[-3000:]}")
            outcomes.append(json.loads(stdout.strip().splitlines()[-1]))
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
        for log in logs:
            log.close()
    return {
        "done": sum(o["done"] for o in outcomes),
        "seconds": max(o["ended"] for o in outcomes) - min(o["began"] for o in outcomes),
        "rss_before_mb": max(o["rss_before_mb"] for o in outcomes),
        "peak_mb": max(o["peak_mb"] for o in outcomes),
        "per_batch": [n for o in outcomes for n in o["per_batch"]],
        "shares": [o["done"] for o in outcomes],
    }


def _start_together(children: list[subprocess.Popen], timeout: float = 600) -> None:
    """Wait until every child has said READY (or stopped), then say GO to each."""
    deadline = time.monotonic() + timeout
    for child in children:
        assert child.stdout is not None
        while True:
            if not select.select([child.stdout], [], [], max(0.0, deadline - time.monotonic()))[0]:
                raise RuntimeError(f"a sweep child was not ready within {timeout:.0f} s")
            line = child.stdout.readline()
            if not line or line.strip() == READY:  # ready, or stopped: reported after
                break
    for child in children:
        assert child.stdin is not None
        try:
            child.stdin.write(GO + "\n")
            child.stdin.flush()
        except BrokenPipeError:  # it stopped before it was ready: reported after
            pass


def run(context: Context) -> Result:
    """Each size, each mode, fresh database and processes each time."""
    runs: dict[tuple[int, str], list[dict]] = {}
    parallel_up_to = TINY[0][0] if context.tiny else PARALLEL_UP_TO
    small_up_to = TINY[0][0] if context.tiny else SMALL_BATCHES_UP_TO
    for size, repetitions in TINY if context.tiny else FULL:
        for _ in range(repetitions):
            for mode, workers, divided in MODES:
                if (workers > 1 and size > parallel_up_to) or (divided > 1 and size > small_up_to):
                    continue
                moment = sending_moment()
                url = context.database.fresh()
                fill(url, size, moment)
                batch_size = _batch_size(context) // divided
                outcome = _run_children(context, url, mode, moment, workers, batch_size)
                context.database.drop(url)
                if outcome["done"] != size:
                    raise RuntimeError(f"{mode} handled {outcome['done']} of {size} reminders")
                name = (
                    mode
                    + (f" x{workers}" if workers > 1 else "")
                    + (f" /{divided}" if divided > 1 else "")
                )
                runs.setdefault((size, name), []).append(outcome)
    return _result(context, runs)


def _result(context: Context, runs: dict) -> Result:
    sizes = sorted({size for size, _ in runs})
    batch_size = _batch_size(context)
    rows, summary = [], {}
    for size in sizes:
        sweep, base = runs[(size, "compose")], runs[(size, "baseline")]
        seconds, base_seconds = (median([r["seconds"] for r in series]) for series in (sweep, base))
        parallel = runs.get((size, "compose x2"), [])
        two = median([r["seconds"] for r in parallel]) if parallel else None
        peak = median([r["peak_mb"] for r in sweep])
        before = median([r["rss_before_mb"] for r in sweep])
        per_batch = [n for r in sweep for n in r["per_batch"]]
        small = [n for r in runs.get((size, "compose /4"), []) for n in r["per_batch"]]
        summary[size] = {
            "seconds": seconds,
            "baseline_seconds": base_seconds,
            "two_workers_seconds": two,
            "peak_mb": peak,
            "per_batch": median(per_batch) if per_batch else None,
            "per_batch_range": (min(per_batch), max(per_batch)) if per_batch else None,
            "small_batch_range": (min(small), max(small)) if small else None,
        }
        rows.append(
            [f"{size:,}", str(len(sweep)), f"{seconds:.2f}", f"{size / seconds:,.0f}",
             f"{two:.2f}" if two else "-", f"{base_seconds:.2f}",
             f"{seconds / base_seconds:.1f}x" if base_seconds else "-",
             f"{peak:.0f} ({peak - before:+.0f})",
             _trips(per_batch, batch_size),
             _trips(small, batch_size // 4) if small else "-",
             _trips([n for r in base for n in r["per_batch"]], batch_size)]
        )  # fmt: skip
    table = Table(
        ["due reminders", "runs", "sweep s", "messages/s", "2 workers s", "baseline s",
         "sweep / baseline", "peak RSS MB (sweep's own)",
         f"round trips per batch of {batch_size}", f"per batch of {batch_size // 4}",
         "baseline's"],
        rows,
    )  # fmt: skip
    first, large = summary[sizes[0]], summary[sizes[-1]]
    growth = large["peak_mb"] - first["peak_mb"]
    ten = summary.get(10_000)
    ranges = [s["per_batch_range"] for s in summary.values() if s["per_batch_range"]]
    low, high = min(r[0] for r in ranges), max(r[1] for r in ranges)
    small_range = first["small_batch_range"]
    # Constant per batch: the same at every size, and no more in a batch four times as
    # big (a kind of record one batch lacks may cost a read more: 3 at most).
    constant = bool(small_range) and high - low <= 3 and high <= small_range[1] + 3
    targets = [
        Target(
            "10,000 reminders in ≤ 5 s with two workers on 2 cores (issue 24)",
            min(ten["seconds"], ten["two_workers_seconds"] or ten["seconds"]) <= 5 if ten else None,
            f"{ten['two_workers_seconds'] or 0:.1f} s in two worker processes, "
            f"{ten['seconds']:.1f} s in one; the baseline (claim and mark sent, nothing "
            f"composed) takes {ten['baseline_seconds']:.1f} s"
            if ten
            else "not run at this size",
        ),
        Target(
            f"peak memory grows ≤ 50 MB from {sizes[0]:,} to {sizes[-1]:,}",
            growth <= 50,
            f"{first['peak_mb']:.0f} MB -> {large['peak_mb']:.0f} MB ({growth:+.0f} MB)",
        ),
        Target(
            "a constant number of database round trips per batch",
            constant,
            f"{low}-{high} per batch of {batch_size} at every size; "
            + (
                f"{small_range[0]}-{small_range[1]} per batch of {batch_size // 4}"
                if small_range
                else "small batches not run"
            ),
        ),
    ]
    notes = [
        f"Batches of {batch_size} (SWEEP_BATCH_SIZE's default: 200); {CLIENTS:,} clients at "
        "most, spread over the nine languages; all reminders are SMS with a page link.",
        "Baseline: the same claims, then each row marked sent, one commit per batch, with "
        "nothing composed, no page link and no audit event. 2 workers: two sweeps at once "
        f"on the same outbox (up to {PARALLEL_UP_TO:,}), as two worker processes share it "
        "on two cores.",
        "Round trips: statements, COMMITs, and on PostgreSQL the BEGIN of each transaction "
        "and the ping of each connection checkout. A batch: claim (2), read its records "
        "(app/outbox/batch_reads.py: clients, units, staff, the records messages are about, "
        "handovers...), save its page links and the rows settled unsent (1 commit), hand "
        "the messages over, then record outcomes and audit events (1 commit).",
        f"Database: {context.database.kind}. Peak RSS is the child process's maximum "
        "resident size (ru_maxrss); in brackets, what the sweep added to the started app.",
    ]
    return Result(NAME, TITLE, [table], targets, notes, data={"sizes": summary})


def _trips(per_batch: list[int], batch_size: int) -> str:
    if not per_batch:
        return "-"
    low, high = min(per_batch), max(per_batch)
    spread = f"{low}" if low == high else f"{low}-{high}"
    each = median(per_batch) / batch_size
    return f"{spread} ({each:.1f}/message)" if each >= 1 else f"{spread} ({each:.2f}/message)"


if __name__ == "__main__":
    sys.stdout.write(json.dumps(child(json.loads(sys.argv[1]))) + "\n")
