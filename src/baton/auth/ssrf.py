"""SSRF guards for URLs that a server hands the client (metadata, endpoints, redirects).

Pure functions: a URL and the MCP server's own URL in, a refusal reason (or None) out. No DNS
lookups: a hostname is judged by its text; an IP literal by its range.

Rules: `https`, or `http` to a loopback host; IP literals in private, link-local, shared, reserved
or unspecified ranges are refused unless the MCP server itself lives at that same host (a server
on the LAN may keep its authorization server on the LAN). URLs opened in a browser may only be
http(s).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

__all__ = ["browser_url_refusal", "is_loopback_host", "url_refusal"]

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_loopback_host(host: str) -> bool:
    """Whether `host` (a name or an IP literal) is this machine."""
    host = host.lower().rstrip(".")
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    ip = _ip(host)
    return ip is not None and ip.is_loopback


def _internal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return _internal(ip.ipv4_mapped)
    return (
        ip.is_private
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_unspecified
        or (ip.is_multicast)
    )


def url_refusal(url: str, *, server_url: str) -> str | None:
    """Why the client must not fetch `url`, found via the MCP server at `server_url`; or None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return f"{_shown(url)} is not an http(s) URL"
    if parts.username or parts.password:
        return f"{_shown(url)} carries credentials in the URL"
    server_host = (urlsplit(server_url).hostname or "").lower()
    if is_loopback_host(host):
        # A loopback endpoint is only reachable for a client on the same machine as the server.
        return None if is_loopback_host(server_host) else f"{_shown(url)} points at loopback"
    if parts.scheme != "https":
        return f"{_shown(url)} is plain http to a remote host (https is required)"
    ip = _ip(host)
    if ip is not None and _internal(ip) and host != server_host:
        return f"{_shown(url)} points into a private address range"
    return None


def browser_url_refusal(url: str) -> str | None:
    """Why an authorization URL must not be opened in a browser, or None."""
    if urlsplit(url).scheme not in ("http", "https"):
        return f"the authorization URL scheme {urlsplit(url).scheme!r} is not http(s)"
    return None


def _shown(url: str) -> str:
    """The URL without query or fragment (they may carry codes or tokens) or userinfo."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return f"{parts.scheme}://{netloc}{parts.path}"
