"""Headless Chromium (Debian's) with axe-core, shared by the page and admin browser tests."""

import atexit
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
from flask import Flask
from werkzeug.serving import make_server

from app import create_app
from app.config import PROJECT_ROOT
from app.db import make_engine, upgrade_database
from app.models import utcnow
from tests.factories import TOTP_SECRET

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
    <head> yet to add axe to (that failed once in CI): the page is checked once loaded.
    Only violations are asked for (`resultTypes`): every violation is still reported with
    each of its elements, while the rules that pass report one element instead of all of
    them, which halves the time axe takes."""
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['html'][:160]})"
        for v in result["violations"]
    ]


@cache
def _migrated() -> Path:
    """A SQLite file migrated once per process, for each site to copy (migrating took
    longer than most of the tests that use a site)."""
    folder = Path(tempfile.mkdtemp(prefix="tydligt-browser-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "migrated.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()
    return path


def app_on_fresh_database(folder: Path) -> Flask:
    """The app on a new, migrated SQLite file in `folder`; messages go to
    folder/outbox.jsonl (the console transport), as fast as the sweep can send them."""
    path = folder / "tydligt.sqlite3"
    shutil.copy(_migrated(), path)
    return create_app(
        {
            "INSTANCE_PATH": folder,
            "DATABASE_URL": f"sqlite:///{path}",
            "CONSOLE_OUTBOX_FILE": str(folder / "outbox.jsonl"),
            "PUBLIC_BASE_URL": "http://127.0.0.1:0",
            "SEND_RATE_PER_SECOND": 0,  # no pause between texts: nothing real is paced here
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


# The authenticator codes each (site, e-mail) signed in with here, and the secrets of those
# set up here: a code is accepted once, and a test signs the same person in more than once.
_LAST_STEPS: dict[tuple[str, str], int] = {}
_SECRETS: dict[tuple[str, str], str] = {}


def _unused_code(key: tuple[str, str], secret: str) -> str:
    """A code of the app's window of steps not used before here (at worst after waiting for
    the next 30-second step)."""
    for _second in range(31):
        now = int(utcnow().timestamp()) // 30
        last = _LAST_STEPS.get(key, now - 2)
        step = next((s for s in range(now - 1, now + 2) if s > last), None)
        if step is not None:
            _LAST_STEPS[key] = step
            return pyotp.TOTP(secret).generate_otp(step)
        time.sleep(1)
    raise AssertionError("no unused code within 30 seconds: is the clock frozen?")


def pass_second_factor(tab, email: str, secret: str = TOTP_SECRET) -> None:
    """After a right password in `tab`: type a code from the person's authenticator (test
    administrators have TOTP_SECRET), or, when Tydligt asks to set one up (the demo's
    administrator at first sign-in), set it up from the key on the page and go on past the
    recovery codes. Nothing happens for someone without a second factor."""
    tab.wait_for_load_state("load")
    parts = urlsplit(tab.url)
    key = (parts.netloc, email)
    if parts.path.endswith("/admin/login/set-up"):
        _SECRETS[key] = tab.locator("#secret").inner_text().replace(" ", "")
    elif not parts.path.endswith("/admin/login/code"):
        return
    tab.fill("input[name=code]", _unused_code(key, _SECRETS.get(key, secret)))
    tab.locator("main form button.primary").click()
    tab.wait_for_load_state("load")
    if tab.locator("ol.recovery-codes").count():
        tab.locator("main a.button.primary").click()
        tab.wait_for_load_state("load")
