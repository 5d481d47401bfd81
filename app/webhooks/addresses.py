"""Where deliveries may go: https to public addresses only. Loopback and private
addresses (and plain http to loopback) only where WEBHOOK_ALLOW_PRIVATE_ADDRESSES is set,
for tests and development, so a key cannot make the worker reach the internal network."""

import ipaddress
import socket
from urllib.parse import urlsplit

from app.errors import N_

MAX_URL = 500


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _is_loopback_host(host: str) -> bool:
    address = _ip(host)
    return host == "localhost" or (address is not None and address.is_loopback)


def problem(url: str, allow_private: bool) -> str | None:
    """What is wrong with a subscription's URL (a staff message, N_), or None. Checks the
    form and literal addresses; names are checked again when each delivery resolves them."""
    if len(url) > MAX_URL:
        return N_("Use an address of at most 500 characters.")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return N_("This is not a web address.")
    if not host or parts.username or parts.password or any(c.isspace() for c in url):
        return N_("Give a web address like https://system.example/tydligt, without a password.")
    scheme = parts.scheme.lower()
    if scheme == "http" and allow_private and _is_loopback_host(host):
        return None
    if scheme != "https":
        return N_("Use an https address.")
    address = _ip(host)
    if address is not None and not address.is_global and not allow_private:
        return N_("Use a public address: private and local addresses are refused.")
    if host == "localhost" and not allow_private:
        return N_("Use a public address: private and local addresses are refused.")
    return None


def checked_address(url: str, allow_private: bool) -> str | None:
    """The address to connect to for the URL's host, resolved right before a delivery:
    its first address when every address it resolves to is public (any, where private
    ones are allowed), else None. The delivery connects to this very address
    (app/webhooks/pinning.py), so the name is not resolved again."""
    parts = urlsplit(url)
    try:
        found = socket.getaddrinfo(parts.hostname or "", parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        return None
    ordered = [str(info[4][0]).split("%")[0] for info in found]
    addresses = [_ip(text) for text in ordered]
    if not addresses or any(a is None for a in addresses):
        return None
    if not allow_private and any(a is not None and not a.is_global for a in addresses):
        return None
    return ordered[0]
