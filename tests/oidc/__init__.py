"""A real OpenID provider on loopback for the single sign-on tests: the `oidc-provider` npm
package (tests/oidc/provider.mjs), started once per test session on a free port.

Tests say who exists at the provider with `oidc.accounts(...)` (login name -> claims; the
login name is the account's `sub`) and walk its pages over real HTTP with `sign_in_at` and
`cancel_at`, as a browser would. The ID tokens are signed with the real clock, so these
tests do not freeze it. Without node or the package the tests fail (`make test` installs
both): a sign-in that is never tried must not look like one that works.
"""

import json
import re
import selectors
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from app.config import PROJECT_ROOT

SCRIPT = Path(__file__).with_name("provider.mjs")
PACKAGE = PROJECT_ROOT / "node_modules" / "oidc-provider" / "package.json"
CLIENT_ID = "tydligt"
CLIENT_SECRET = "test-client-secret-for-the-loopback-provider"
TEST_APP_CALLBACK = "https://tydligt.ekby.example/admin/sso/callback"  # tests/conftest.py
START_SECONDS = 20


class Provider:
    """The provider process and the file it reads its clients and accounts from."""

    def __init__(self, folder: Path) -> None:
        self.world_file = folder / "world.json"
        self.log_file = folder / "provider.log"
        self.issuer = ""
        self.redirect_uris = [TEST_APP_CALLBACK]
        self._accounts: dict[str, dict] = {}
        self._process: subprocess.Popen | None = None

    def start(self) -> str:
        """Start node on a free loopback port; the issuer's address."""
        node = shutil.which("node")
        if node is None or not PACKAGE.exists():
            pytest.fail("node or node_modules/oidc-provider missing: `make test` installs both")
        self._write()
        with self.log_file.open("wb") as log:
            self._process = subprocess.Popen(
                [node, str(SCRIPT), str(self.world_file)],
                stdout=subprocess.PIPE,
                stderr=log,
                cwd=PROJECT_ROOT,
            )
        assert self._process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout=START_SECONDS)
        line = self._process.stdout.readline().decode().strip() if ready else ""
        if not line.startswith("http://127.0.0.1:"):
            self.stop()
            pytest.fail(f"The OpenID provider did not start: {self.log_file.read_text()[-2000:]}")
        self.issuer = line
        return line

    def stop(self) -> None:
        """Stop the process and wait for it."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process is not None and self._process.stdout is not None:
            self._process.stdout.close()
        self._process = None

    def _write(self) -> None:
        client = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": self.redirect_uris,
            "post_logout_redirect_uris": [
                uri.replace("/admin/sso/callback", "/admin/login") for uri in self.redirect_uris
            ],
            "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
        }
        world = {"clients": {CLIENT_ID: client}, "accounts": self._accounts}
        self.world_file.write_text(json.dumps(world))

    def accounts(self, **accounts: dict) -> None:
        """Who exists at the provider from now on: login name -> claims."""
        self._accounts = accounts
        self._write()

    def allow_redirect(self, uri: str) -> None:
        """Let the test client send browsers back to `uri` too (a browser test's app)."""
        self.redirect_uris = [TEST_APP_CALLBACK, uri]
        self._write()

    def settings(self, **more) -> dict:
        """The app's configuration for this provider."""
        return {
            "OIDC_ISSUER": self.issuer,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        } | more


def _login_page(browser: requests.Session, provider: Provider, url: str) -> tuple[str, str]:
    """Follow redirects at the provider to its sign-in page: (its address, its html)."""
    for _hop in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200:
            return url, response.text
        assert response.status_code in (302, 303), response.text[:500]
        url = urljoin(url, response.headers["Location"])
        assert url.startswith(provider.issuer), url
    raise AssertionError("no sign-in page at the provider")


def _back(browser: requests.Session, provider: Provider, url: str, response) -> str:
    """Follow the provider's redirects until one leaves it: that address (Tydligt's)."""
    for _hop in range(10):
        assert response.status_code in (302, 303), response.text[:500]
        url = urljoin(url, response.headers["Location"])
        if not url.startswith(provider.issuer):
            return url
        response = browser.get(url, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back")


def sign_in_at(provider: Provider, authorize_url: str, login: str) -> str:
    """Sign in on the provider's own page as `login` (any password), as a browser would;
    the address the provider sends the browser back to."""
    browser = requests.Session()
    page_url, html = _login_page(browser, provider, authorize_url)
    action = re.search(r'<form[^>]*action="([^"]+)"', html)
    assert action, html[:500]
    url = urljoin(page_url, action.group(1))
    response = browser.post(
        url,
        data={"prompt": "login", "login": login, "password": "anything"},
        allow_redirects=False,
        timeout=10,
    )
    return _back(browser, provider, url, response)


def cancel_at(provider: Provider, authorize_url: str) -> str:
    """Press the provider's cancel link instead of signing in; where it sends the browser."""
    browser = requests.Session()
    page_url, html = _login_page(browser, provider, authorize_url)
    abort = re.search(r'href="([^"]*/abort)"', html)
    assert abort, html[:500]
    url = urljoin(page_url, abort.group(1))
    return _back(browser, provider, url, browser.get(url, allow_redirects=False, timeout=10))


def local(url: str) -> str:
    """The path and query of an address, for the Flask test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory) -> Iterator[Provider]:
    """The provider process, once per test session."""
    provider = Provider(tmp_path_factory.mktemp("oidc"))
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
def oidc(oidc_provider: Provider) -> Iterator[Provider]:
    """The provider with nobody at it yet (each test says who exists)."""
    oidc_provider.accounts()
    yield oidc_provider
    oidc_provider.redirect_uris = [TEST_APP_CALLBACK]
    oidc_provider.accounts()
