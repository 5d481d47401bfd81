"""What the browser tests share: one headless Chromium for the whole run (each test opens
its own context: cookies, storage and pages of its own). Launching it for each module
took a few seconds each time. Playwright's sync API keeps an event loop running in this
thread while it is open; the benchmarks' load generator runs its own loop in a thread of
its own (bench/loadgen.py), so later tests need no loop of this thread's.

What a module leaves open in the browser (a test that failed before closing its context)
is closed when the module ends, so it cannot weigh on the modules after it."""

from collections.abc import Iterator

import pytest

from tests.browser import launch

_LAUNCHED: list = []  # the run's browser, once a test has asked for it


@pytest.fixture(scope="session")
def browser():
    with launch() as chromium:
        _LAUNCHED.append(chromium)
        try:
            yield chromium
        finally:
            _LAUNCHED.clear()


@pytest.fixture(scope="module", autouse=True)
def _contexts_closed_after_the_module() -> Iterator[None]:
    yield
    for chromium in _LAUNCHED:
        for context in list(chromium.contexts):
            context.close()
