"""Headless Chromium (Debian's) with axe-core, shared by the page and admin browser tests."""

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app import create_app
from app.config import PROJECT_ROOT
from app.db import make_engine, upgrade_database

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found or not AXE.exists():
        pytest.fail("Chromium or axe-core missing: `make test` installs both (see Makefile)")
    return found


@contextmanager
def launch() -> Iterator:
    """A headless Chromium that never reaches the network by itself."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            yield chromium
        finally:
            chromium.close()


def axe_problems(page) -> list[str]:
    """What axe-core finds on the page as it is now (WCAG 2.2 AA and best practice).

    A click on a link returns once the next page has started to load, when it may have no
    <head> yet to add axe to (that failed once in CI): the page is checked once loaded."""
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['html'][:160]})"
        for v in result["violations"]
    ]


def app_on_fresh_database(folder: Path) -> Flask:
    """The app on a new, migrated SQLite file in `folder`; messages go to
    folder/outbox.jsonl (the console transport)."""
    url = f"sqlite:///{folder / 'tydligt.sqlite3'}"
    engine = make_engine(url)
    upgrade_database(engine)
    engine.dispose()
    return create_app(
        {
            "INSTANCE_PATH": folder,
            "DATABASE_URL": url,
            "CONSOLE_OUTBOX_FILE": str(folder / "outbox.jsonl"),
            "PUBLIC_BASE_URL": "http://127.0.0.1:0",
        }
    )


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """The app on a free loopback port, in a thread, for a real browser; its address."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        app.extensions["tydligt.engine"].dispose()
