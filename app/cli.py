"""Registers the command-line commands (`flask --app app <command>`)."""

from flask import Flask

from app.alerts.operations import ops_check_command
from app.demo import demo_command
from app.retention import retention_command
from app.voice.commands import recordings
from app.words.preview import preview_command
from app.words.translate import translate
from app.worker import send_due_command, worker_command


def init_app(app: Flask) -> None:
    """Add demo, worker, send-due, preview, translate, retention, recordings and ops-check
    (init-db: app.db)."""
    commands = (
        demo_command,
        worker_command,
        send_due_command,
        preview_command,
        translate,
        retention_command,
        recordings,
        ops_check_command,
    )
    for command in commands:
        app.cli.add_command(command)
