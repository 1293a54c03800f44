"""Authorization errors: they name the server and never carry a token or a secret."""

from __future__ import annotations

from baton.errors import UpstreamError

__all__ = ["AuthError", "NotLoggedIn"]


class AuthError(UpstreamError):
    """Authorization with one server failed or was refused for safety."""


class NotLoggedIn(AuthError):
    """The server wants OAuth and there is no usable token; `baton login NAME` fixes it."""

    exit_code = 1
