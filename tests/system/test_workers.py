"""Several worker processes, and workers killed mid-sweep: every due message is sent
exactly once (console transport: each line names its outbox row)."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlmodel import Session, func, select

from app.db import make_engine
from app.models import AuditEvent, Client, OutboxMessage, StaffUser, Unit, utcnow
from tests.conftest import BACKEND

ROOT = Path(__file__).resolve().parents[2]
FLASK = [sys.executable, "-m", "flask", "--app", "app"]
pytestmark = pytest.mark.slow


def fill_outbox(database_url: str, count: int, clients: int = 50) -> None:
    """`count` due welcome messages spread over `clients` fictional clients."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        unit = Unit(name="Ekby", sender_name="Ekby kommun", phone="+46846500400",
                    sending_window="00:00-23:59")  # fmt: skip
        session.add(unit)
        session.commit()
        staff = StaffUser(unit_id=unit.id, email="lina@ekby.example", name="Lina Berg")
        session.add(staff)
        session.commit()
        now = utcnow()
        people = []
        for n in range(clients):
            person = Client(unit_id=unit.id, caseworker_id=staff.id, first_name=f"Klient{n}",
                            phone=f"+467000{n:05d}", consent_at=now - timedelta(days=1),
                            consent_method="verbal")  # fmt: skip
            session.add(person)
            people.append(person)
        session.commit()
        rows = [
            {"kind": "welcome", "channel": "sms", "client_id": people[n % clients].id,
             "subject_type": "client", "subject_id": people[n % clients].id,
             "dedupe_key": f"load:{n}", "due_at": now - timedelta(minutes=1),
             "status": "pending", "urgent": False, "attempts": 0,
             "created_at": now, "updated_at": now}
            for n in range(count)
        ]  # fmt: skip
        session.exec(insert(OutboxMessage), params=rows)
        session.commit()
    engine.dispose()


def worker_env(database_url: str, outbox: Path, **extra: str) -> dict:
    return os.environ | {
        "DATABASE_URL": database_url,
        "CONSOLE_OUTBOX_FILE": str(outbox),
        "SMS_TRANSPORT": "console",
        "SEND_RATE_PER_SECOND": "0",
        "SWEEP_BATCH_SIZE": "100",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def sent_lines(outbox: Path) -> list[int]:
    ids = []
    for line in outbox.read_text().splitlines():
        try:
            ids.append(json.loads(line)["message_id"])
        except ValueError:
            pytest.fail(f"a broken line in the outbox file: {line[:80]!r}")
    return ids


def statuses(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        found = dict(
            session.exec(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        )
    engine.dispose()
    return found


def test_four_workers_share_the_outbox_and_send_each_message_once(database_url, tmp_path):
    count = 5000 if BACKEND == "postgresql" else 800  # SQLite: one writer at a time
    fill_outbox(database_url, count)
    outbox = tmp_path / "outbox.jsonl"
    env = worker_env(database_url, outbox)
    workers = [
        subprocess.Popen(
            FLASK + ["send-due"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        for _ in range(4)
    ]
    outputs = [w.communicate(timeout=600)[0].decode() for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    ids = sent_lines(outbox)
    assert len(ids) == count and len(set(ids)) == count, "a message was sent twice or lost"
    assert statuses(database_url) == {"sent": count}
    shares = [int(o.split("Sent ")[1].split(",")[0]) for o in outputs]
    assert sum(shares) == count
    if BACKEND == "postgresql":
        assert sum(1 for s in shares if s > 0) >= 2, f"the work was not shared: {shares}"


def test_a_worker_killed_mid_sweep_again_and_again_loses_and_repeats_nothing(
    database_url, tmp_path
):
    count = 1500
    fill_outbox(database_url, count)
    outbox = tmp_path / "outbox.jsonl"
    env = worker_env(database_url, outbox, CLAIM_TIMEOUT_SECONDS="1", SWEEP_BATCH_SIZE="50")
    chance = random.Random(7)
    kills = 0
    for _ in range(6):
        before = len(outbox.read_text().splitlines()) if outbox.exists() else 0
        worker = subprocess.Popen(FLASK + ["send-due"], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 60
        while worker.poll() is None and time.monotonic() < deadline:  # until it is sending
            if outbox.exists() and len(outbox.read_text().splitlines()) > before:
                break
            time.sleep(0.02)
        time.sleep(chance.uniform(0.05, 0.3))
        if worker.poll() is None:
            worker.send_signal(signal.SIGKILL)
            kills += 1
        worker.wait(timeout=30)
        time.sleep(1.1)  # past CLAIM_TIMEOUT_SECONDS: what it held is stale now
    assert kills >= 3, "the worker should have been killed mid-sweep several times"
    finish = subprocess.run(FLASK + ["send-due"], env=env, cwd=ROOT, capture_output=True,
                            timeout=600)  # fmt: skip
    assert finish.returncode == 0, finish.stdout.decode() + finish.stderr.decode()
    ids = sent_lines(outbox)
    assert sorted(set(ids)) == sorted(ids), "a message was sent twice"
    assert len(ids) == count, "a message was lost"
    assert statuses(database_url) == {"sent": count}
    engine = make_engine(database_url)
    with Session(engine) as session:
        settled = session.exec(
            select(AuditEvent.detail).where(AuditEvent.action == "stale_claim_settled")
        ).all()
    engine.dispose()
    assert settled, "the kills should have left rows in sending for the rule to settle"
