"""Baton's exception tree: every error a user can see is a `BatonError`.

    BatonError                  anything Baton reports to a user; `exit_code` is the CLI's code
    ├── ConfigError             a config file or a value in it is wrong (file, key, line)
    ├── UsageError              a command was called wrongly (a flag, a name, a combination)
    ├── TaskError               a delegation task is malformed (file:line or JSON path)
    ├── WorkerError             a worker agent failed, timed out or could not start
    │   └── ThreadLost          the worker no longer knows the thread a reply continues
    └── UpstreamError           one upstream MCP server failed (always names the server)
        ├── UpstreamConfigError the server's entry cannot be used (e.g. a missing env var)
        ├── UpstreamStartError  the server did not start or did not complete the handshake
        ├── UpstreamTimeout     a call or the start-up took longer than allowed
        ├── UpstreamCrashed     the connection broke while a call was in flight
        └── AuthError           authorization with one server failed (baton.auth.errors)
            └── NotLoggedIn     it wants OAuth and no usable token exists: `baton login NAME`

Foreign exceptions are mapped to these at the boundary with `raise ... from exc`, so the cause
is kept for debugging while the message stays one a user can act on.
"""

from __future__ import annotations

__all__ = [
    "BatonError",
    "ConfigError",
    "TaskError",
    "ThreadLost",
    "UpstreamConfigError",
    "UpstreamCrashed",
    "UpstreamError",
    "UpstreamStartError",
    "UpstreamTimeout",
    "UsageError",
    "WorkerError",
]


class BatonError(Exception):
    """Base of every error Baton reports; `hint` says what to do about it."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class ConfigError(BatonError):
    """A configuration file or value is invalid; says which file, key and line."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        key: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = ":".join(str(part) for part in (file, line) if part is not None)
        prefix = " ".join(part for part in (where, f"[{key}]" if key else None) if part)
        super().__init__(f"{prefix}: {message}" if prefix else message, hint=hint)
        self.file = file
        self.key = key
        self.line = line


class UsageError(BatonError):
    """A command was used wrongly."""


class TaskError(BatonError):
    """A task (Markdown, TOML or JSON) is malformed; the message starts with where."""

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None) -> None:
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.where = where


class WorkerError(BatonError):
    """A worker agent failed, timed out or could not be started; names the worker."""

    exit_code = 1

    def __init__(self, worker: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"worker '{worker}': {message}", hint=hint)
        self.worker = worker


class ThreadLost(WorkerError):
    """The worker does not know the thread a call continues (e.g. its server restarted)."""


class UpstreamError(BatonError):
    """One upstream server failed; the message always starts with its name."""

    exit_code = 1

    def __init__(self, server: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"upstream '{server}': {message}", hint=hint)
        self.server = server
        self.reason = message


class UpstreamConfigError(UpstreamError):
    """The server's entry cannot be used as written (e.g. its token variable is unset)."""

    exit_code = 2


class UpstreamStartError(UpstreamError):
    """The server could not be started or did not complete the MCP handshake."""


class UpstreamTimeout(UpstreamError):
    """The server took longer than its configured timeout."""


class UpstreamCrashed(UpstreamError):
    """The connection to the server broke (process exited, stream closed)."""
