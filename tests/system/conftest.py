"""What the browser tests share: one headless Chromium per module (each test opens its
own context: cookies, storage and pages of its own). Not one per session: Playwright's
sync API keeps an event loop running while it is open, and later tests that run
asyncio themselves (the benchmarks' load generator) could not."""

import pytest

from tests.browser import launch


@pytest.fixture(scope="module")
def browser():
    with launch() as chromium:
        yield chromium
