"""Tydligt: an accessible SMS- and phone-first assistant for clients of social services."""

import logging
from pathlib import Path

from dotenv import load_dotenv
from flask import Flask

from app.config import PROJECT_ROOT, load_config


def create_app(config: dict | None = None) -> Flask:
    """Build the app. `config` overrides the environment (tests pass their settings here)."""
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    config = dict(config or {})
    instance_path = Path(config.pop("INSTANCE_PATH", PROJECT_ROOT / "instance"))
    app = Flask(__name__, instance_path=str(instance_path), instance_relative_config=False)
    from app.routing import SharedBuilderRule
    from app.words.compiled_templates import SharedBytecodeCache

    app.url_rule_class = SharedBuilderRule  # URL builders compiled once per process

    app.jinja_options = {**app.jinja_options, "bytecode_cache": SharedBytecodeCache("staff")}
    instance_path.mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(instance_path, config))

    logging.basicConfig(
        level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    for noisy in ("apscheduler", "alembic.runtime.plugins"):  # one line per tick is noise
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from app import admin, api, cli, db, health, metrics, security, transports
    from app.calls import menu, reminder_calls
    from app.outbox import delivery
    from app.pages import pictograms, views
    from app.sms import elks_webhooks, webhook
    from app.words import i18n

    security.init_app(app)
    db.init_app(app)
    i18n.init_app(app)
    transports.init_app(app)
    cli.init_app(app)
    app.register_blueprint(health.bp)
    metrics.init_app(app)
    app.register_blueprint(delivery.bp)
    app.register_blueprint(webhook.bp)
    app.register_blueprint(elks_webhooks.bp)
    app.register_blueprint(reminder_calls.bp)
    app.register_blueprint(menu.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(pictograms.bp)
    admin.init_app(app)
    api.init_app(app)
    from app import webhooks

    webhooks.init_app(app)  # every flush records the events systems subscribed to
    return app
