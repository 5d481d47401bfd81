"""Connecting to the address that was checked. A name resolved once to check it and again
to connect could answer a public address the first time and an internal one the second
(DNS rebinding); a pinned connection goes to the checked address itself, while the Host
header, TLS SNI and the certificate check keep the original host name."""

from typing import Any
from urllib.parse import urlsplit

import requests
from requests import PreparedRequest
from requests.adapters import HTTPAdapter


class PinnedAdapter(HTTPAdapter):
    """An adapter whose connections go to `address`, whatever the URL's host resolves to
    now; https still sends `host` as SNI and checks the certificate against it."""

    def __init__(self, host: str, address: str) -> None:
        self.host = host
        self.address = address
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(
        self, request: PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The pool of the checked address, named for the original host in TLS."""
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        host_params["host"] = self.address
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self.host
            pool_kwargs["assert_hostname"] = self.host
        return host_params, pool_kwargs


def session_for(url: str, address: str) -> tuple[requests.Session, dict[str, str]]:
    """A session sending `url` to `address`, and the Host header it needs. It reads no
    proxies or .netrc from the environment: a proxy would resolve the name again."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    session = requests.Session()
    session.trust_env = False
    adapter = PinnedAdapter(host, address)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    netloc_host = f"[{host}]" if ":" in host else host
    return session, {"Host": netloc_host + (f":{parts.port}" if parts.port else "")}
