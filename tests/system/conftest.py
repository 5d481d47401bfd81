"""What the browser tests share: one headless Chromium for the whole run (each test opens
its own context: cookies, storage and pages of its own). Launching it for each module
took a few seconds each time. Playwright's sync API keeps an event loop running in this
thread while it is open; the benchmarks' load generator runs its own loop in a thread of
its own (bench/loadgen.py), so later tests need no loop of this thread's."""

import pytest

from tests.browser import launch


@pytest.fixture(scope="session")
def browser():
    with launch() as chromium:
        yield chromium
