"""Authorization below the services: the token store (a store) and the pure checks the OAuth flow
and `baton serve` apply (SSRF guards, authorization-server metadata, authorization responses).

    UpstreamError
    └── AuthError         authorization with one server failed or was refused (names the server)
        └── NotLoggedIn   OAuth is needed and no usable token is stored: run `baton login NAME`
"""

from __future__ import annotations

from baton.auth.errors import AuthError, NotLoggedIn

__all__ = ["AuthError", "NotLoggedIn"]
