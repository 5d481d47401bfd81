"""gunicorn settings for the `web` process (Procfile): threaded workers (WEB_THREADS each,
default 8), and metrics from every worker process.

prometheus_client keeps counters per process. So that /metrics, in whichever worker
answers, sums them all, every worker writes its values into PROMETHEUS_MULTIPROC_DIR.
This file runs in gunicorn's master before any worker starts and before the app is
imported. It sets that folder: a fresh one under the system's temporary folder, unless
the environment names one, which is made if it does not exist yet. It removes the *.db
files an earlier run left there, since their values would be counted again, and nothing
else (the folder may be one the operator shares). It also names the folder in
TYDLIGT_WEB_METRICS_DIR (app/metrics.py WEB_METRICS_FOLDER): only processes started by
gunicorn use it; `flask init-db` and the worker ignore PROMETHEUS_MULTIPROC_DIR.
When a worker exits, its live gauges are dropped (mark_process_dead); its counters and
histograms stay in the sums, as Prometheus expects of a counter.
"""

import os
import tempfile
from pathlib import Path


def _metrics_folder() -> str:
    named = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not named:
        return tempfile.mkdtemp(prefix="tydligt-metrics-")
    folder = Path(named)
    folder.mkdir(parents=True, exist_ok=True)
    # An earlier run's values, and only those: the folder may be one the operator shares.
    for leftover in folder.glob("*.db"):
        if leftover.is_file():
            leftover.unlink()
    return str(folder)


# Threads in each worker: a request waiting on the database, SMTP or a provider does not
# hold up the others (the webhook benchmark measures these settings, docs/benchmarks.md).
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))

os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_folder()
os.environ["TYDLIGT_WEB_METRICS_DIR"] = os.environ["PROMETHEUS_MULTIPROC_DIR"]


def child_exit(server, worker) -> None:
    """A worker process ended: drop its live gauges from what /metrics reports."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
