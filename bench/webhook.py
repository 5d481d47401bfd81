"""Benchmark 1: the inbound SMS webhook under gunicorn on loopback.

The app (`app:create_app()`), a bare Flask app returning the same TwiML
(`bench.bare:create_app()`), a store-only app that checks the signature and stores the
text in the same database before answering (`bench.bare:create_store_app()`: the floor
under any webhook that keeps every text) and the same store through the app's engine and
model (`bench.bare:create_orm_store_app()`: what the ORM alone adds to the floor) run under
identical gunicorn settings. A load generator (bench/loadgen.py) drives each with 16
keep-alive connections of realistic, signed Twilio requests from known clients: "MENY",
"1" and a free text in turn, each with a fresh MessageSid (the webhook is idempotent on
it). The servers are measured in turn, several times, and the medians compared.
"""

import http.client
import os
import signal
import subprocess
import sys
import time
import uuid
from itertools import count
from pathlib import Path
from urllib.parse import urlencode

from sqlmodel import Session, func, select
from twilio.request_validator import RequestValidator

from bench.common import (
    ROOT,
    Context,
    Result,
    Table,
    Target,
    app_config,
    free_port,
    median,
    tree_cpu_seconds,
)
from bench.loadgen import LoadResult, http_post, run_load, run_rate

NAME = "webhook"
TITLE = "Inbound SMS webhook under gunicorn"

# The Procfile's settings: gunicorn.conf.py (read from the working folder: threaded
# workers, metrics from every worker) and WEB_CONCURRENCY's default of two workers.
GUNICORN = ["--config", "gunicorn.conf.py", "--workers", "2"]  # run in ROOT
GUNICORN += ["--log-level", "warning"]  # and no access log
CONNECTIONS = 16
BODIES = ("MENY", "1", "Hej! Jag blir tio minuter sen till mötet på tisdag.")
TOKEN = "bench-auth-token"
ACCOUNT = "AC" + "0" * 32
HOST = "127.0.0.1"
EXTRA_CLIENTS = 300  # beyond the nine demo clients, in the full run
STEADY_RATE = 20  # texts a second for the open-loop run: far above a unit's real traffic


def fill(database_url: str, folder: Path, extra_clients: int) -> tuple[list[str], str]:
    """Load the demo and `extra_clients` more clients with a planned meeting each.
    Returns the clients' phone numbers and the unit's number."""
    from datetime import timedelta

    from app import create_app, demo
    from app.casework import appointments, clients
    from app.db import get_engine
    from app.models import Client, ConsentMethod, Unit, utcnow
    from app.words.languages import language_codes

    app = create_app(app_config(database_url, folder))
    with app.app_context(), Session(get_engine(), expire_on_commit=False) as session:
        now = utcnow()
        demo.load_demo(session, now)
        unit = session.exec(select(Unit)).first()
        codes = language_codes()
        staff_id = session.exec(select(Client.caseworker_id)).first()
        for n in range(extra_clients):
            code = codes[n % len(codes)]
            spec = demo.CLIENTS[code]
            client = clients.enroll(
                session,
                unit_id=unit.id,
                caseworker_id=staff_id,
                first_name=f"{spec['first_name']}{n}",
                last_name=spec["last_name"],
                phone=f"+467000{10000 + n:05d}",
                language=code,
                consent_method=ConsentMethod.VERBAL,
                now=now,
            )
            appointments.book(
                session,
                client,
                now=now,
                starts_at=now + timedelta(days=2 + n % 10, hours=n % 7),
                mode=spec["mode"],
                location=demo.UNIT["address"] if spec["mode"] == "office" else "",
                staff_id=staff_id,
                purpose=spec["purpose"],
                bring=spec["bring"],
            )
        session.commit()
        phones = list(session.exec(select(Client.phone).order_by(Client.id)))
    app.extensions["tydligt.engine"].dispose()
    return phones, unit.phone


def stored_inbound(database_url: str) -> tuple[int, int]:
    """How many inbound texts the app stored (each with what it read in it), and how many
    the store-only baseline stored (with nothing read)."""
    from app.db import make_engine
    from app.models import InboundMessage

    engine = make_engine(database_url)
    with Session(engine) as session:
        counted = select(func.count()).select_from(InboundMessage)
        by_app = session.exec(counted.where(InboundMessage.intent.is_not(None))).one()
        by_store = session.exec(counted.where(InboundMessage.intent.is_(None))).one()
    engine.dispose()
    return by_app, by_store


class Server:
    """One gunicorn server on loopback, started and stopped by the benchmark."""

    def __init__(self, target: str, env: dict, port: int, log: Path) -> None:
        self.target, self.env, self.port, self.log = target, env, port, log
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        command = [sys.executable, "-m", "gunicorn", "--bind", f"{HOST}:{self.port}"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, *GUNICORN, self.target],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.target} stopped: see {self.log}")
            connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.2)
        raise RuntimeError(f"{self.target} did not answer within {timeout} s: see {self.log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


class Requests:
    """Signed Twilio SMS webhook requests from known clients, each with a fresh MessageSid."""

    def __init__(self, port: int, phones: list[str], unit_phone: str) -> None:
        self.port, self.phones, self.unit_phone = port, phones, unit_phone
        self.url = f"http://{HOST}:{port}/twilio/sms"
        self.validator = RequestValidator(TOKEN)
        self.counter = count()

    def params(self, n: int) -> dict[str, str]:
        sid = "SM" + uuid.uuid4().hex
        body = BODIES[n % len(BODIES)]
        return {
            "ToCountry": "SE",
            "ToState": "",
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "ToCity": "",
            "FromZip": "",
            "SmsSid": sid,
            "FromState": "",
            "SmsStatus": "received",
            "FromCity": "",
            "Body": body,
            "FromCountry": "SE",
            "To": self.unit_phone,
            "ToZip": "",
            "NumSegments": "1",
            "MessageSid": sid,
            "AccountSid": ACCOUNT,
            "From": self.phones[(n // len(BODIES)) % len(self.phones)],
            "ApiVersion": "2010-04-01",
        }

    def signed(self) -> tuple[bytes, dict[str, str]]:
        params = self.params(next(self.counter))
        signature = self.validator.compute_signature(self.url, params)
        return urlencode(params).encode(), {"X-Twilio-Signature": signature}

    def __call__(self) -> bytes:
        body, headers = self.signed()
        return http_post(HOST, self.port, "/twilio/sms", body, headers)

    def one(self) -> tuple[int, bytes]:
        """Send one request outside the load (to see what the app answers)."""
        body, headers = self.signed()
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            connection.request(
                "POST",
                "/twilio/sms",
                body=body,
                headers=headers | {"Content-Type": "application/x-www-form-urlencoded"},
            )
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


def _good(status: int, body: bytes) -> bool:
    return status == 200 and b"<Message>" in body


def _measure(context, server, requests, warmup, duration) -> tuple[LoadResult, LoadResult]:
    """One closed-loop run (16 connections, as fast as answered) with the CPU the server
    and PostgreSQL used, then one open-loop run at STEADY_RATE."""
    postgres = context.database.server_pid()
    before = tree_cpu_seconds(server.process.pid), tree_cpu_seconds(postgres) if postgres else 0
    closed = run_load(
        HOST, server.port, requests, connections=CONNECTIONS, warmup=warmup, duration=duration,
        check=_good,
    )  # fmt: skip
    after = tree_cpu_seconds(server.process.pid), tree_cpu_seconds(postgres) if postgres else 0
    closed.server_cpu_ms = (after[0] - before[0]) * 1000 / max(1, closed.sent)
    closed.database_cpu_ms = (after[1] - before[1]) * 1000 / max(1, closed.sent)
    steady = run_rate(
        HOST, server.port, requests, rate=STEADY_RATE, connections=CONNECTIONS,
        warmup=min(1.0, warmup), duration=duration, check=_good,
    )  # fmt: skip
    return closed, steady


def run(context: Context) -> Result:
    """Measure the app against the bare endpoint; return the result table."""
    if context.tiny:
        warmup, duration, repetitions, extra = 0.5, 1.0, 1, 0
    else:
        warmup, duration, repetitions, extra = 3.0, 10.0, 5, EXTRA_CLIENTS
    folder = context.scratch / "webhook"
    folder.mkdir(parents=True, exist_ok=True)
    database_url = context.database.fresh()
    phones, unit_phone = fill(database_url, folder, extra)

    app_port, bare_port = free_port(), free_port()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "SMS_"))}
    app_env = base_env | {
        "DATABASE_URL": database_url,
        "SMS_TRANSPORT": "console",
        "CONSOLE_OUTBOX_FILE": str(folder / "outbox.jsonl"),
        "PUBLIC_BASE_URL": f"http://{HOST}:{app_port}",
        "TWILIO_AUTH_TOKEN": TOKEN,
        "SEND_RATE_PER_SECOND": "0",
        "LOG_LEVEL": "WARNING",
        # The load is a flood by design (hundreds of texts a minute from each number):
        # measure the full answer path, not the silence that app/sms/floods.py gives a flood.
        "SMS_FLOOD_ANSWERS": "1000000",
    }
    app_server = Server("app:create_app()", app_env, app_port, folder / "app.log")
    baselines: list[Server] = []
    app_requests = Requests(app_port, phones, unit_phone)
    runs: dict[str, list[tuple[LoadResult, LoadResult]]] = {
        "bare": [],
        "store": [],
        "orm": [],
        "app": [],
    }
    try:
        app_server.start()
        status, twiml = app_requests.one()  # the menu, as the baselines will answer it
        if status != 200 or b"<Message>" not in twiml:
            raise RuntimeError(f"the app answered {status}: see {folder / 'app.log'}")
        bare_env = base_env | {"BENCH_TWIML": twiml.decode()}
        bare_server = Server("bench.bare:create_app()", bare_env, bare_port, folder / "bare.log")
        baselines.append(bare_server)
        bare_server.start()
        store_port = free_port()
        store_env = bare_env | {
            "DATABASE_URL": database_url,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "PUBLIC_BASE_URL": f"http://{HOST}:{store_port}",
        }
        store_server = Server(
            "bench.bare:create_store_app()", store_env, store_port, folder / "store.log"
        )
        baselines.append(store_server)
        store_server.start()
        orm_port = free_port()
        orm_env = store_env | {"PUBLIC_BASE_URL": f"http://{HOST}:{orm_port}"}
        orm_server = Server(
            "bench.bare:create_orm_store_app()", orm_env, orm_port, folder / "orm.log"
        )
        baselines.append(orm_server)
        orm_server.start()
        servers = (
            ("bare", bare_server, Requests(bare_port, phones, unit_phone)),
            ("store", store_server, Requests(store_port, phones, unit_phone)),
            ("orm", orm_server, Requests(orm_port, phones, unit_phone)),
            ("app", app_server, app_requests),
        )
        for _ in range(repetitions):  # in turn, so a noisy neighbour hurts all alike
            for name, server, requests in servers:
                runs[name].append(_measure(context, server, requests, warmup, duration))
    finally:
        app_server.stop()
        for server in baselines:
            server.stop()
    stored, stored_bare = stored_inbound(database_url)
    context.database.drop(database_url)
    return _result(context, runs, warmup, duration, stored, stored_bare)


def _summary(runs: list[tuple[LoadResult, LoadResult]], warmup: float, duration: float) -> dict:
    closed = [c for c, _ in runs]
    steady = [s for _, s in runs]
    return {
        "per_second": median([r.per_second for r in closed]),
        "p50_ms": median([r.latency_ms(0.50) for r in closed]),
        "p99_ms": median([r.latency_ms(0.99) for r in closed]),
        "server_cpu_ms": median([r.server_cpu_ms for r in closed]),
        "database_cpu_ms": median([r.database_cpu_ms for r in closed]),
        "client_cpu": median([r.client_cpu_seconds / (warmup + duration) for r in closed]),
        "steady_p50_ms": median([r.latency_ms(0.50) for r in steady]),
        "steady_p99_ms": median([r.latency_ms(0.99) for r in steady]),
        "steady_per_second": median([r.per_second for r in steady]),
        "errors": sum(r.errors for r in closed + steady),
        "each_per_second": [round(r.per_second) for r in closed],
        "each_p99_ms": [round(r.latency_ms(0.99), 1) for r in closed],
    }


def _result(context, runs, warmup, duration, stored, stored_bare) -> Result:
    bare, store, orm, app = (
        _summary(runs[n], warmup, duration) for n in ("bare", "store", "orm", "app")
    )
    ratio = app["per_second"] / bare["per_second"] if bare["per_second"] else 0.0
    store_ratio = store["per_second"] / bare["per_second"] if bare["per_second"] else 0.0
    of_floor = app["per_second"] / store["per_second"] if store["per_second"] else 0.0
    orm_of_floor = orm["per_second"] / store["per_second"] if store["per_second"] else 0.0
    on_postgres = context.database.kind == "postgresql"
    labels = (
        ("bare Flask, same TwiML", bare),
        ("store only: signature, INSERT, COMMIT, same TwiML", store),
        ("store only through the ORM: the model added, COMMIT", orm),
        ("Tydligt /twilio/sms", app),
    )
    closed = Table(
        ["server", "requests/s", "p50 ms", "p99 ms", "server CPU ms/request",
         "PostgreSQL CPU ms/request", "load generator CPU", "errors"],
        [
            [label, f"{s['per_second']:.0f}", f"{s['p50_ms']:.1f}", f"{s['p99_ms']:.1f}",
             f"{s['server_cpu_ms']:.2f}", f"{s['database_cpu_ms']:.2f}" if on_postgres else "-",
             f"{s['client_cpu']:.0%}", str(s["errors"])]
            for label, s in labels
        ]
        + [["ratio app / bare", f"{ratio:.0%}",
            f"{app['p50_ms'] / bare['p50_ms']:.1f}x" if bare["p50_ms"] else "-",
            f"{app['p99_ms'] / bare['p99_ms']:.1f}x" if bare["p99_ms"] else "-",
            f"{app['server_cpu_ms'] / bare['server_cpu_ms']:.0f}x" if bare["server_cpu_ms"] else "",
            "", "", ""]],
        f"{CONNECTIONS} connections, each sending as soon as it has its answer (as wrk does)",
    )  # fmt: skip
    steady = Table(
        ["server", "requests/s", "p50 ms", "p99 ms"],
        [
            [label, f"{s['steady_per_second']:.0f}", f"{s['steady_p50_ms']:.1f}",
             f"{s['steady_p99_ms']:.1f}"]
            for label, s in labels
        ],
        f"A steady {STEADY_RATE} texts a second (open loop; latency from when each was due)",
    )  # fmt: skip
    cores = os.cpu_count() or 1
    per_request = app["server_cpu_ms"] + app["database_cpu_ms"]
    ceiling = cores * 1000 / per_request if per_request else 0.0
    targets = [
        Target(
            "throughput ≥ 50 % of the store-only floor (issue 24)",
            of_floor >= 0.5,
            f"{of_floor:.0%} of the floor "
            f"({app['per_second']:.0f} vs {store['per_second']:.0f} requests/s); the floor "
            f"is {store_ratio:.0%} of the bare endpoint ({bare['per_second']:.0f} requests/s), "
            f"the app {ratio:.0%}; storing alone through the ORM reaches "
            f"{orm_of_floor:.0%} of the floor ({orm['per_second']:.0f} requests/s)",
        ),
        Target(
            "p99 latency ≤ 50 ms on PostgreSQL (16 connections)",
            app["p99_ms"] <= 50 if on_postgres else None,
            f"{app['p99_ms']:.1f} ms; at a steady {STEADY_RATE} texts/s "
            f"{app['steady_p99_ms']:.1f} ms" + ("" if on_postgres else " (SQLite: not the target)"),
        ),
    ]
    repetitions = len(runs["app"])
    notes = [
        f"{repetitions} alternating runs per server, each {warmup:g} s warm-up and "
        f"{duration:g} s measured, then {duration:g} s at {STEADY_RATE} texts/s; medians.",
        f"gunicorn {' '.join(GUNICORN)} (gthread, 8 threads a worker), no access log; "
        f"database: {context.database.kind}; "
        f"{len(BODIES)} texts in turn: {', '.join(repr(b[:12]) for b in BODIES)}.",
        f"CPU per request: the server's process tree (and PostgreSQL's) over the run, "
        f"divided by the requests sent. The app needs {per_request:.1f} ms of CPU per text "
        f"with its database; on {cores} cores that caps it near {ceiling:.0f} texts/s "
        "before the load generator takes its share. With 16 connections always waiting, "
        "latency is 16 / throughput: p99 ≤ 50 ms needs about 16 / 0.04 s = 400 texts/s.",
        f"Runs, app: {app['each_per_second']} requests/s, p99 {app['each_p99_ms']} ms; "
        f"store only: {store['each_per_second']} requests/s, p99 {store['each_p99_ms']} ms; "
        f"through the ORM: {orm['each_per_second']} requests/s; "
        f"bare: {bare['each_per_second']} requests/s.",
        f"The app stored {stored} inbound texts and the two store-only apps {stored_bare} "
        "(warm-ups included), one per request.",
    ]
    return Result(
        NAME,
        TITLE,
        [closed, steady],
        targets,
        notes,
        data={
            "bare": bare,
            "store": store,
            "orm": orm,
            "app": app,
            "ratio": ratio,
            "stored": stored,
        },
    )
