"""What the browser tests share: one headless Chromium per module."""

import pytest

from tests.browser import launch


@pytest.fixture(scope="module")
def browser():
    with launch() as chromium:
        yield chromium
