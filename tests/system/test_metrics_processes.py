"""/metrics under gunicorn with two worker processes (gunicorn.conf.py): whichever worker
answers the scrape, it reports what both counted."""

import os
import re
import runpy
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.error import HTTPError

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.alerts.conftest import free_port

TOKEN = "metrics-token-for-tests-0123456789"
ROOT = Path(__file__).resolve().parents[2]


def get(url: str, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except HTTPError as error:
        with error:
            return error.code, ""


def post_unsigned(url: str) -> int:
    request = urllib.request.Request(url, data=b"Body=Hej", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except HTTPError as error:
        with error:
            return error.code


def webhook_count(body: str) -> float:
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if (
                sample.name == "tydligt_webhook_duration_seconds_count"
                and sample.labels.get("route") == "/twilio/sms"
            ):
                return sample.value
    return 0.0


@pytest.mark.slow
def test_metrics_sum_the_counts_of_every_gunicorn_worker(database_url, tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_999999.db").write_bytes(b"left by an earlier run")
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": database_url,
        "METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "SMS_TRANSPORT": "console",
        "CONSOLE_OUTBOX_FILE": str(tmp_path / "outbox.jsonl"),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
               "--bind", f"127.0.0.1:{port}", "--workers", "2", "app:create_app()"]  # fmt: skip
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:  # not listening yet, or its workers still starting
                pass
            assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not start"
            time.sleep(0.2)
        assert not (folder / "counter_999999.db").exists()  # an earlier run's values are gone
        sent = 0
        pids: set[str] = set()
        with ThreadPoolExecutor(8) as pool:
            # Until both workers have answered a webhook (almost always the first round).
            for _round in range(10):
                codes = list(pool.map(lambda _: post_unsigned(f"{base}/twilio/sms"), range(40)))
                assert set(codes) == {403}
                sent += len(codes)
                pids = {
                    m[1]
                    for p in folder.iterdir()
                    if (m := re.match(r"histogram_(\d+)\.db", p.name))
                }
                if len(pids) >= 2:
                    break
        assert len(pids) == 2, "both workers answered webhooks"
        auth = {"Authorization": f"Bearer {TOKEN}"}
        for _ in range(6):  # whichever worker answers the scrape
            status, body = get(f"{base}/metrics", auth)
            assert status == 200
            assert webhook_count(body) == sent
        assert get(f"{base}/metrics")[0] == 401
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "Traceback" not in output, output


def test_flask_commands_leave_the_webs_metrics_folder_alone(database_url, tmp_path):
    """The Procfile's `web` runs `flask init-db` before gunicorn, and the worker is a flask
    command too: with PROMETHEUS_MULTIPROC_DIR in the environment they neither need the
    folder (it may not exist yet) nor write into it (the web would report their counts)."""
    missing = tmp_path / "metrics-not-yet"
    env = os.environ | {
        "DATABASE_URL": database_url,
        "SMS_TRANSPORT": "console",
        "CONSOLE_OUTBOX_FILE": str(tmp_path / "outbox.jsonl"),
        "PROMETHEUS_MULTIPROC_DIR": str(missing),
    }
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    done = subprocess.run([*flask, "init-db"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not missing.exists()
    folder = tmp_path / "metrics"
    folder.mkdir()
    env["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    done = subprocess.run([*flask, "send-due"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert list(folder.iterdir()) == []  # the sweep's counters are the worker's own


def test_gunicorn_makes_a_missing_folder_and_names_it_for_its_own_processes(tmp_path, monkeypatch):
    folder = tmp_path / "run" / "metrics"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    monkeypatch.delenv("TYDLIGT_WEB_METRICS_DIR", raising=False)
    runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert folder.is_dir()
    assert os.environ["TYDLIGT_WEB_METRICS_DIR"] == str(folder)  # what app/metrics.py reads


def test_gunicorn_empties_only_its_own_metrics_files(tmp_path, monkeypatch):
    """An operator may name a folder that holds other things: only prometheus_client's
    files of an earlier run (*.db) are removed, nothing else."""
    folder = tmp_path / "shared"
    (folder / "keep").mkdir(parents=True)
    (folder / "keep" / "notes.txt").write_text("not ours")
    (folder / "backup.sql").write_text("not ours")
    (folder / "counter_123.db").write_bytes(b"old values")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    monkeypatch.delenv("TYDLIGT_WEB_METRICS_DIR", raising=False)
    runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert sorted(p.name for p in folder.iterdir()) == ["backup.sql", "keep"]
    assert (folder / "keep" / "notes.txt").exists()
