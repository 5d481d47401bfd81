"""Headless Chromium (Debian's) with axe-core, shared by the page and admin browser tests."""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from app.config import PROJECT_ROOT

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
    """What axe-core finds on the page as it is now (WCAG 2.2 AA and best practice)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['html'][:160]})"
        for v in result["violations"]
    ]
