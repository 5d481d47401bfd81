"""Where the time goes: the sweep or the webhook in one process, to run under a profiler.

    make profile what=sweep        # py-spy flame graph in build/profile-sweep.svg
    .venv/bin/python -m bench.profile sweep 2000 --database postgresql

`sweep N`: N due reminders (as benchmark 2 fills them), one sweep with a transport that
does nothing. `webhook N`: N signed texts from known clients (as benchmark 1 sends them)
through the Flask test client, without gunicorn or sockets. Both print the time per
message; run them under `py-spy record` (sampling, no overhead in the program) or
pyinstrument to see the cost by function.
"""

import argparse
import tempfile
import time
from pathlib import Path

from bench import sweep as sweep_bench
from bench import webhook as webhook_bench
from bench.common import BenchDatabase, app_config, say


def profile_sweep(database: BenchDatabase, folder: Path, count: int) -> float:
    """Seconds per message of one sweep over `count` due reminders."""
    from app import create_app
    from app.outbox import sweep

    moment = sweep_bench.sending_moment()
    url = database.fresh()
    sweep_bench.fill(url, count, moment)
    app = create_app(app_config(url, folder))
    with app.app_context():
        started = time.perf_counter()
        result = sweep.send_due(moment, transport=sweep_bench.NoOpTransport())
        seconds = time.perf_counter() - started
    if result.sent != count:
        raise RuntimeError(f"the sweep sent {result.sent} of {count}")
    return seconds / count


def profile_webhook(database: BenchDatabase, folder: Path, count: int) -> float:
    """Seconds per text of `count` signed texts through the test client (after a warm-up
    that composes each answer once in each language)."""
    from twilio.request_validator import RequestValidator

    from app import create_app

    url = database.fresh()
    phones, unit_phone = webhook_bench.fill(url, folder, min(count, 300))
    base = "http://localhost"
    app = create_app(app_config(url, folder, PUBLIC_BASE_URL=base))
    client = app.test_client()
    requests = webhook_bench.Requests(0, phones, unit_phone)
    validator = RequestValidator(webhook_bench.TOKEN)

    def send(n: int) -> None:
        params = requests.params(n)
        signature = validator.compute_signature(f"{base}/twilio/sms", params)
        answer = client.post("/twilio/sms", data=params, headers={"X-Twilio-Signature": signature})
        if answer.status_code != 200 or b"<Message>" not in answer.data:
            raise RuntimeError(f"the webhook answered {answer.status_code}")

    warmup = len(webhook_bench.BODIES) * 9
    for n in range(warmup):
        send(n)
    started = time.perf_counter()
    for n in range(warmup, warmup + count):
        send(n)
    return (time.perf_counter() - started) / count


SCENARIOS = {"sweep": profile_sweep, "webhook": profile_webhook}


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("what", choices=sorted(SCENARIOS))
    parser.add_argument("count", type=int, nargs="?", default=2000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="postgresql")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tydligt-profile-") as scratch:
        folder = Path(scratch)
        database = BenchDatabase(options.database, folder)
        database.start()
        try:
            each = SCENARIOS[options.what](database, folder, options.count)
        finally:
            database.stop()
    say(f"{options.what}: {options.count} in {each * options.count:.2f} s, "
        f"{each * 1000:.2f} ms each ({options.database})")  # fmt: skip
    return each


if __name__ == "__main__":
    main()
