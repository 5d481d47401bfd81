"""Pushes to connected systems (README "Webhooks"): subscriptions per API key, events
written with each change (`events.emit`), and the worker's signed deliveries."""

from flask import Flask

from app.webhooks.events import emit, listen

__all__ = ["emit", "init_app"]


def init_app(app: Flask) -> None:
    """Start recording events on every flush."""
    listen()
