"""What the browser tests share: one headless Chromium for the whole session (each test
opens its own context: cookies, storage and pages of its own)."""

import pytest

from tests.browser import launch


@pytest.fixture(scope="session")
def browser():
    with launch() as chromium:
        yield chromium
