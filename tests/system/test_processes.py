"""End to end, as `make run` does it: init-db, demo and the worker as real processes."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.mark.slow
def test_worker_process_sends_demo_reminders_within_a_minute(database_url, tmp_path):
    outbox = tmp_path / "outbox.jsonl"
    env = os.environ | {
        "DATABASE_URL": database_url,
        "CONSOLE_OUTBOX_FILE": str(outbox),
        "SMS_TRANSPORT": "console",
        "WORKER_INTERVAL_SECONDS": "1",
    }
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    cwd = Path(__file__).resolve().parents[2]
    for command in (["init-db"], ["demo"]):
        subprocess.run(
            flask + command, env=env, cwd=cwd, check=True, capture_output=True, timeout=120
        )
    worker = subprocess.Popen(
        flask + ["worker"], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        lines = []
        while time.monotonic() < deadline:
            if outbox.exists():
                lines = outbox.read_text().splitlines()
                reached = {json.loads(line)["to"] for line in lines}
                if {"+46700000001", "+46700000002"} <= reached:
                    break
            time.sleep(0.5)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode()
    sent = [json.loads(line) for line in lines]
    assert {s["to"] for s in sent} >= {"+46700000001", "+46700000002"}, output
    assert "+46700000001" not in output, "the worker log must mask phone numbers"
