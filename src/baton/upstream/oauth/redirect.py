"""How the user's consent reaches Baton: the authorization redirect and its answer.

* `LoopbackRedirect` — `baton login`: a one-shot HTTP listener on 127.0.0.1 (ephemeral port)
  receives the redirect; the URL is opened with Python's `webbrowser` (never through a shell) and
  printed for the user when no browser opens.
* `HeadlessRedirect` — `--headless`: GET the authorization URL and read the redirect of an
  authorization server that approves without a person (test servers, CI).
* `NoRedirect` — a running gateway: nobody is there to consent, so it says to run `baton login`.
"""

from __future__ import annotations

import webbrowser
from collections.abc import Callable
from contextlib import suppress

import anyio
import httpx
from anyio.abc import Listener, SocketAttribute, SocketStream

from baton.auth.checks import AuthorizationResponse, parse_authorization_response
from baton.auth.errors import AuthError, NotLoggedIn
from baton.auth.ssrf import browser_url_refusal, url_refusal

__all__ = ["HeadlessRedirect", "LoopbackRedirect", "NoRedirect", "Redirect"]

# How long `baton login` waits for the user to finish in the browser.
LOGIN_TIMEOUT_SEC = 300.0
# An auto-approving server may bounce through a few of its own pages before redirecting back.
HEADLESS_HOPS = 5
HEADLESS_TIMEOUT_SEC = 30.0


class Redirect:
    """Base: `redirect_uri`, and the SDK's two callbacks (`open` then `wait`)."""

    redirect_uri = "http://127.0.0.1/callback"

    def __init__(self, server: str, server_url: str) -> None:
        self.server, self.server_url = server, server_url
        self.response: AuthorizationResponse | None = None

    async def open(self, authorization_url: str) -> None:
        """Send the user (or the headless follower) to `authorization_url`."""
        raise NotImplementedError

    async def wait(self) -> tuple[str, str | None]:
        """The code and state the redirect back carried."""
        response = self.response
        if response is None:
            raise AuthError(self.server, "no authorization response arrived")
        if response.error is not None:
            raise AuthError(self.server, f"authorization was refused: {response.error}")
        if not response.code:
            raise AuthError(self.server, "the authorization response carried no code")
        return response.code, response.state

    def _refuse_url(self, url: str) -> None:
        if reason := browser_url_refusal(url) or url_refusal(url, server_url=self.server_url):
            raise AuthError(self.server, f"refusing the authorization URL: {reason}")


class NoRedirect(Redirect):
    """For connections made without a person: never starts an authorization."""

    async def open(self, authorization_url: str) -> None:
        raise NotLoggedIn(
            self.server,
            "needs OAuth authorization and has no usable token",
            hint=f"run `baton login {self.server}`",
        )


class HeadlessRedirect(Redirect):
    """Follows an auto-approving authorization server without a browser."""

    async def open(self, authorization_url: str) -> None:
        url = authorization_url
        async with httpx.AsyncClient(timeout=HEADLESS_TIMEOUT_SEC) as client:
            for _ in range(HEADLESS_HOPS):
                self._refuse_url(url)
                response = await client.get(url)
                location = response.headers.get("location")
                if not response.is_redirect or not location:
                    raise AuthError(
                        self.server,
                        f"the authorization server answered HTTP {response.status_code} "
                        "instead of redirecting back (it needs a person: drop --headless)",
                    )
                url = str(response.url.join(location))
                if url.startswith(self.redirect_uri):
                    self.response = parse_authorization_response(url)
                    return
        raise AuthError(self.server, "the authorization server redirected too many times")


class LoopbackRedirect(Redirect):
    """Receives the redirect on a loopback listener; used as an async context manager."""

    def __init__(
        self, server: str, server_url: str, *, tell: Callable[[str], None] = print
    ) -> None:
        super().__init__(server, server_url)
        self._tell = tell
        self._listener: Listener[SocketStream] | None = None
        self._arrived = anyio.Event()
        self._url: str | None = None

    async def __aenter__(self) -> LoopbackRedirect:
        listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
        self._listener = listener
        port = listener.extra(SocketAttribute.local_port)
        self.redirect_uri = f"http://127.0.0.1:{port}/callback"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._listener is not None:
            await self._listener.aclose()

    async def open(self, authorization_url: str) -> None:
        """Print the URL; the browser is started by `wait`, once the listener is serving."""
        if reason := browser_url_refusal(authorization_url):
            raise AuthError(self.server, f"refusing the authorization URL: {reason}")
        self._tell(f"Authorize Baton for '{self.server}' in your browser:\n  {authorization_url}")
        self._url = authorization_url

    async def wait(self) -> tuple[str, str | None]:
        assert self._listener is not None and self._url is not None
        with anyio.fail_after(LOGIN_TIMEOUT_SEC):
            async with anyio.create_task_group() as group:
                group.start_soon(self._listener.serve, self._handle, group)
                group.start_soon(self._open_browser, self._url)
                await self._arrived.wait()
                group.cancel_scope.cancel()
        return await super().wait()

    @staticmethod
    async def _open_browser(url: str) -> None:
        # `webbrowser` may wait for the browser command to exit: keep it off the event loop.
        with suppress(webbrowser.Error):  # the printed URL is the fallback
            await anyio.to_thread.run_sync(webbrowser.open, url, abandon_on_cancel=True)

    async def _handle(self, stream: SocketStream) -> None:
        with suppress(anyio.EndOfStream, anyio.BrokenResourceError):
            await self._answer(stream)

    async def _answer(self, stream: SocketStream) -> None:
        async with stream:
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 16384:
                head += await stream.receive()
            target = head.split(b"\r\n", 1)[0].split(b" ")
            path = target[1].decode("latin-1") if len(target) > 1 else "/"
            if not path.startswith("/callback"):
                await stream.send(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                return
            self.response = parse_authorization_response(path)
            body = b"Baton: authorization received. You can close this tab."
            await stream.send(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            self._arrived.set()
