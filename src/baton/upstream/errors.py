"""Foreign failures of a connection attempt mapped to `UpstreamError`s that say what to do.

Messages name the URL as written in `baton.toml` (before `${VAR}` expansion, so a token in a query
string is never shown) and never include header values.
"""

from __future__ import annotations

import httpx
from mcp import types
from mcp.shared.exceptions import McpError

from baton.config.schema import ServerConfig
from baton.errors import UpstreamError, UpstreamStartError

__all__ = [
    "LEGACY_SSE_HINT",
    "HttpStatus",
    "http_status_error",
    "is_connection_closed",
    "start_error",
]

# How the SDK's Streamable HTTP client reports a 404 to a POST: as a JSON-RPC error with this
# (positive, non-standard) code, not as an HTTP error.
_SDK_SESSION_TERMINATED = 32600

LEGACY_SSE_HINT = (
    'this server speaks the legacy HTTP+SSE transport: set transport = "sse" or "auto"'
)


class HttpStatus(Exception):
    """An HTTP status that ended a probe; `start_error` turns it into the user-facing error."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


def _auth_hint(server: str, config: ServerConfig) -> str:
    if config.bearer_token_env_var:
        return (
            f"the server refused the bearer token from env {config.bearer_token_env_var}: check it "
            f"is current and has access, or run `baton login {server}` if it uses OAuth"
        )
    return f"needs authorization: set bearer_token_env_var or run `baton login {server}` (OAuth)"


def http_status_error(
    server: str, config: ServerConfig, status: int, transport: str | None
) -> UpstreamError:
    """The error for an HTTP status that stopped a connection to `config.url`."""
    message = f"{config.url} answered HTTP {status}"
    if status == 401:
        return UpstreamStartError(
            server, f"{message} (unauthorized)", hint=_auth_hint(server, config)
        )
    if status == 403:
        return UpstreamStartError(
            server, f"{message} (forbidden)", hint="the credentials are valid but lack access"
        )
    if status in (404, 405) and transport == "streamable-http":
        return UpstreamStartError(
            server,
            f"{message} to the initialize POST",
            hint=f"{LEGACY_SSE_HINT} (or check the URL)",
        )
    if status == 404:
        return UpstreamStartError(server, message, hint="check the URL")
    return UpstreamStartError(server, message)


def _leaf(exc: BaseException) -> BaseException:
    """The first real failure inside (nested) exception groups."""
    if not isinstance(exc, BaseExceptionGroup):
        return exc
    leaves = [_leaf(inner) for inner in exc.exceptions]
    return next((leaf for leaf in leaves if isinstance(leaf, Exception)), leaves[0])


def is_connection_closed(exc: BaseException) -> bool:
    """Whether `exc` is the SDK's report that the transport closed under a pending request."""
    leaf = _leaf(exc)
    return isinstance(leaf, McpError) and leaf.error.code == types.CONNECTION_CLOSED


def start_error(
    server: str, config: ServerConfig, exc: BaseException, transport: str | None
) -> UpstreamError:
    """Map what ended a connection attempt to an `UpstreamError` naming the server."""
    exc = _leaf(exc)
    if isinstance(exc, UpstreamError):
        return exc
    if isinstance(exc, HttpStatus):
        return http_status_error(server, config, exc.status, transport)
    if isinstance(exc, httpx.HTTPStatusError):
        return http_status_error(server, config, exc.response.status_code, transport)
    if isinstance(exc, httpx.HTTPError):
        return UpstreamStartError(
            server,
            f"cannot reach {config.url}: {type(exc).__name__}: {exc}",
            hint="is the server running, and is the URL right?",
        )
    if isinstance(exc, McpError):
        if exc.error.code == _SDK_SESSION_TERMINATED and transport == "streamable-http":
            return http_status_error(server, config, 404, transport)
        return UpstreamStartError(server, f"the server refused the handshake: {exc.error.message}")
    return UpstreamStartError(server, f"start-up failed: {type(exc).__name__}: {exc}")
