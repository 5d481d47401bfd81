"""GET /metrics in the Prometheus text format, and the counters the app keeps.

Protected by METRICS_TOKEN (`Authorization: Bearer <token>`, compared in constant time):
401 with a wrong or missing token, 404 while no token is set (the endpoint is off).

Counters and histograms are kept per process by prometheus_client. Under gunicorn,
gunicorn.conf.py sets PROMETHEUS_MULTIPROC_DIR, and WEB_METRICS_FOLDER to the same folder,
before the app is imported: every gunicorn worker writes its values there and /metrics,
in whichever worker answers, sums them all (MultiProcessCollector). Any other process
(`flask init-db`, which the Procfile runs first, the worker, `flask run`) keeps its values
in its own memory even when PROMETHEUS_MULTIPROC_DIR is in the environment: the folder
may not exist yet, and the web would report their counts as its own.

What the database knows is read at scrape time, so it is the same whichever process
answers: messages due by channel, the age of the oldest due message, the last run of
each worker job, the webhook events waiting and the webhook subscriptions paused.
Labels are kinds, channels, outcomes, routes and job ids: never a phone number, a name or
a message body.
"""

import hmac
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlmodel import Session, col, select
from werkzeug.serving import BaseWSGIServer, make_server

from app import health
from app.db import get_session
from app.models import (
    DeliveryState,
    OutboxMessage,
    WebhookDelivery,
    WebhookSubscription,
    utcnow,
)
from app.models.providers import SmsProviderHealth

bp = Blueprint("metrics", __name__)
log = logging.getLogger(__name__)

# Set by gunicorn.conf.py (which names it too) in the web's processes only.
WEB_METRICS_FOLDER = "TYDLIGT_WEB_METRICS_DIR"


def _in_web_folder() -> bool:
    """Whether this process shares the web's metrics folder: only under gunicorn. Anywhere
    else the multiprocess setting is dropped before the first metric is made (for this
    process and what it starts), so its values stay its own."""
    folder = os.environ.get(WEB_METRICS_FOLDER)
    if folder:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
        return True
    for name in ("PROMETHEUS_MULTIPROC_DIR", "prometheus_multiproc_dir"):
        os.environ.pop(name, None)
    # prometheus_client chose its value class from the environment when imported.
    values.ValueClass = values.MutexValue
    return False


MULTIPROCESS = _in_web_folder()

WEBHOOK_PREFIXES = ("/twilio/", "/elks/")  # the providers' webhooks, timed by route
INBOUND_TEXT_ENDPOINTS = ("sms.inbound_sms", "elks.inbound_sms")  # Twilio's, 46elks'

INBOUND_CALL_ENDPOINT = "phone_menu.incoming"

OUTBOX_MESSAGES = Counter(
    "tydligt_outbox_messages",
    "Messages the sweep handled, by kind, channel and outcome (sent, retried, failed, "
    "skipped, cancelled, postponed, throttled).",
    ["kind", "channel", "outcome"],
)
PROVIDER_REFUSALS = Counter(
    "tydligt_provider_refusals",
    "Times the provider refused to take a message: throttled (HTTP 429) or auth.",
    ["reason"],
)
INBOUND_TEXTS = Counter(
    "tydligt_inbound_texts", "Texts received on the SMS webhooks (Twilio's and 46elks')."
)
INBOUND_CALLS = Counter("tydligt_inbound_calls", "Calls received on the voice webhook.")
WEBHOOK_SECONDS = Histogram(
    "tydligt_webhook_duration_seconds",
    "Time to answer a provider's webhook (Twilio, 46elks), by route.",
    ["route"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0),
)
SWEEP_SECONDS = Histogram(
    "tydligt_sweep_duration_seconds",
    "Time one sweep of due messages took.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0),
)


def count_outcome(kind: str, channel: str, outcome: str) -> None:
    """Count one message the sweep handled."""
    OUTBOX_MESSAGES.labels(kind=kind, channel=channel, outcome=outcome).inc()


WEBHOOK_DELIVERIES = Counter(
    "tydligt_webhook_deliveries",
    "Webhook deliveries the worker tried, by outcome (delivered, retried, failed: given up).",
    ["outcome"],
)


def count_webhook_delivery(outcome: str) -> None:
    """Count one try at a webhook delivery ("delivered", "retried" or "failed")."""
    WEBHOOK_DELIVERIES.labels(outcome=outcome).inc()


def count_refusal(reason: str) -> None:
    """Count one refusal by the provider ("throttled", "auth" or "account")."""
    PROVIDER_REFUSALS.labels(reason=reason).inc()


class DatabaseCollector(Collector):
    """Gauges read from the database when scraped (inside the request's app context)."""

    def collect(self) -> Iterator[Metric]:
        session = get_session()
        now = utcnow()
        due = GaugeMetricFamily(
            "tydligt_messages_due",
            "Messages due and not yet sent, by channel: also those waiting for a retry and "
            "those a sweep claimed and has not settled.",
            labels=["channel"],
        )
        rows = session.exec(
            select(OutboxMessage.channel, func.count())
            .where(health.waiting(now))
            .group_by(col(OutboxMessage.channel))
        )
        counts = dict(rows.all())
        for channel in ("sms", "voice", "email"):
            due.add_metric([channel], counts.get(channel, 0))
        yield due
        oldest = health.oldest_due(session, now)
        yield GaugeMetricFamily(
            "tydligt_oldest_due_message_age_seconds",
            "How long ago the message waiting longest was first due (0 when none waits).",
            value=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
        )
        beats = GaugeMetricFamily(
            "tydligt_worker_last_run_timestamp_seconds",
            "When each worker job last finished a run (Unix time).",
            labels=["job"],
        )
        ok = GaugeMetricFamily(
            "tydligt_worker_last_run_succeeded",
            "1 when the job's last run ended without error, else 0.",
            labels=["job"],
        )
        failed = GaugeMetricFamily(
            "tydligt_worker_failed_runs",
            "Runs of the job in a row that ended in an error (0 after a good one).",
            labels=["job"],
        )
        for job, beat in sorted(health.heartbeats(session).items()):
            beats.add_metric([job], beat.last_run_at.timestamp())
            ok.add_metric([job], 1.0 if beat.succeeded else 0.0)
            failed.add_metric([job], beat.failed_runs)
        yield beats
        yield ok
        yield failed
        yield GaugeMetricFamily(
            "tydligt_webhook_deliveries_waiting",
            "Webhook events waiting for delivery (also those of paused subscriptions).",
            value=session.exec(
                select(func.count()).where(WebhookDelivery.state == DeliveryState.PENDING)
            ).one(),
        )
        yield GaugeMetricFamily(
            "tydligt_webhook_subscriptions_paused",
            "Webhook subscriptions paused, by staff or after an event was refused for a day.",
            value=session.exec(
                select(func.count()).where(col(WebhookSubscription.paused_at).is_not(None))
            ).one(),
        )
        yield from sms_providers(session)


def sms_providers(session: Session) -> Iterator[Metric]:
    """Each configured SMS provider: up (1) or failed over from (0), and which one SMS go
    through now (app/transports/failover.py; its health is in the database)."""
    transport = current_app.extensions.get("tydligt.provider")
    primary = getattr(transport, "primary", transport)
    secondary = getattr(transport, "secondary", None)
    if primary is None:
        return
    names = [primary.name] + ([secondary.name] if secondary is not None else [])
    rows = session.exec(select(SmsProviderHealth).where(col(SmsProviderHealth.name).in_(names)))
    down = {row.name for row in rows if row.down_since is not None}
    through = secondary.name if secondary is not None and primary.name in down else primary.name
    up = GaugeMetricFamily(
        "tydligt_sms_provider_up",
        "1 while the SMS provider works, 0 while SMS are failed over from it.",
        labels=["provider"],
    )
    active = GaugeMetricFamily(
        "tydligt_sms_provider_active",
        "1 for the SMS provider texts go through now (the secondary while the primary is "
        "down), else 0.",
        labels=["provider"],
    )
    for name in names:
        up.add_metric([name], 0.0 if name in down else 1.0)
        active.add_metric([name], 1.0 if name == through else 0.0)
    yield up
    yield active


class _Process(Collector):
    """This process's own registry (outside multiprocess mode)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def registry(*, database: bool = True) -> CollectorRegistry:
    """The registry one scrape reads: every process's values (multiprocess mode) or this
    process's, and (unless database=False) the database's."""
    scrape = CollectorRegistry(auto_describe=False)
    if MULTIPROCESS:
        multiprocess.MultiProcessCollector(scrape)
    else:
        scrape.register(_Process())
    if database:
        scrape.register(DatabaseCollector())
    return scrape


def _authorised(token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


@bp.get("/metrics")
def metrics() -> Response:
    """The metrics, for a Prometheus that sends the bearer token."""
    token = current_app.config["METRICS_TOKEN"]
    if not token:
        abort(404)
    if not _authorised(token):
        return Response(
            "A bearer token is needed.\n",
            401,
            {"WWW-Authenticate": 'Bearer realm="metrics"', "Content-Type": "text/plain"},
        )
    database = not current_app.config.get("METRICS_WORKER_ONLY", False)
    return Response(
        generate_latest(registry(database=database)),
        headers={"Content-Type": CONTENT_TYPE_LATEST},
    )


def serve_worker_metrics(app: Flask) -> BaseWSGIServer | None:
    """In the worker: answer GET /metrics (the same token) on WORKER_METRICS_HOST and
    WORKER_METRICS_PORT in a thread of its own, with this process's counters (the sweep's,
    which no web process sees). Any other path is 404. None when the port is 0."""
    port = app.config["WORKER_METRICS_PORT"]
    if not port:
        return None
    app.config["METRICS_WORKER_ONLY"] = True  # the web's /metrics reports the database

    def only_metrics(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Not found\n"]
        return app(environ, start_response)

    server = make_server(app.config["WORKER_METRICS_HOST"], port, only_metrics, threaded=True)
    threading.Thread(target=server.serve_forever, name="worker-metrics", daemon=True).start()
    log.info("Worker metrics on %s:%s/metrics", app.config["WORKER_METRICS_HOST"], port)
    return server


def init_app(app: Flask) -> None:
    """Register /metrics and time every provider webhook (one hook, not one per route)."""
    app.register_blueprint(bp)

    @app.before_request
    def _start_timer() -> None:
        if request.path.startswith(WEBHOOK_PREFIXES):
            g.webhook_started = time.perf_counter()

    @app.after_request
    def _count_inbound(response: Response) -> Response:
        if 200 <= response.status_code < 300:  # 46elks' route answers 204 when it says nothing
            if request.endpoint in INBOUND_TEXT_ENDPOINTS:
                INBOUND_TEXTS.inc()
            elif request.endpoint == INBOUND_CALL_ENDPOINT:
                INBOUND_CALLS.inc()
        return response

    @app.teardown_request
    def _observe(_error: BaseException | None) -> None:
        started = g.pop("webhook_started", None)
        if started is None:
            return
        # The route's pattern, never the path: a path may hold an id.
        route = request.url_rule.rule if request.url_rule else "unmatched"
        WEBHOOK_SECONDS.labels(route=route).observe(time.perf_counter() - started)
