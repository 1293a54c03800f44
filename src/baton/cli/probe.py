"""`baton probe URL`: connect to an MCP server by URL (auto transport, auto auth), initialize,
list its tools, optionally call one. It is also the client the MCP conformance suite drives."""

from __future__ import annotations

import json
import os
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from baton.cli._app import JsonOption, app, die, emit, stderr, stdout
from baton.errors import BatonError, UsageError

if TYPE_CHECKING:
    from baton.upstream.oauth import BatonOAuth
    from baton.upstream.probe import ProbeResult

__all__ = ["probe"]


def _headers(header: list[str], bearer_env: str | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    for item in header:
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            raise UsageError(f"--header {name.strip()!r}: expected 'Name: value'")
        headers[name.strip()] = value.strip()
    if bearer_env:
        token = os.environ.get(bearer_env)
        if not token:
            raise UsageError(f"--bearer-env: environment variable {bearer_env} is not set")
        headers["Authorization"] = f"Bearer {token}"
    return headers


def _client_from_env(variable: str | None) -> tuple[str | None, str | None]:
    """A pre-registered client as JSON `{"client_id", "client_secret"}` in `variable`, if set."""
    text = os.environ.get(variable) if variable else None
    if not text:
        return None, None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--client-json-env: {variable} does not hold JSON") from exc
    if not isinstance(data, dict):
        return None, None
    client_id, secret = data.get("client_id"), data.get("client_secret")
    return (client_id if isinstance(client_id, str) else None), (
        secret if isinstance(secret, str) else None
    )


def _render(result: dict[str, Any]) -> None:
    who = " ".join(filter(None, [result["server_name"], result["server_version"]]))
    stdout.print(
        f"[green]ok[/] {escape(result['url'])} over {result['transport']} "
        f"(auth: {result['auth']}); server {escape(who)}, protocol {result['protocol_version']}"
    )
    stdout.print(f"tools ({len(result['tools'])}): " + escape(", ".join(result["tools"])))
    if result["call"] is not None:
        stdout.print_json(json.dumps(result["call"]))


@app.command("probe")
def probe(
    url: Annotated[str, typer.Argument(help="The MCP server's URL.", show_default=False)],
    call: Annotated[str | None, typer.Option("--call", help="Call this tool.")] = None,
    args: Annotated[str, typer.Option("--args", help="The tool's arguments as JSON.")] = "{}",
    transport: Annotated[
        str, typer.Option(help="auto | streamable-http | sse (auto follows the spec's probe).")
    ] = "auto",
    header: Annotated[
        list[str], typer.Option("--header", "-H", help="Extra header 'Name: value' (repeatable).")
    ] = [],  # noqa: B006 (typer reads the default; it is never mutated)
    bearer_env: Annotated[
        str | None, typer.Option(help="Send a bearer token read from this env variable.")
    ] = None,
    headless: Annotated[
        bool, typer.Option(help="OAuth without a browser: follow an auto-approving server.")
    ] = False,
    client_id: Annotated[str | None, typer.Option(help="Pre-registered OAuth client id.")] = None,
    client_secret_env: Annotated[
        str | None, typer.Option(help="Env variable holding the pre-registered client secret.")
    ] = None,
    client_json_env: Annotated[
        str | None,
        typer.Option(help='Env variable holding {"client_id", "client_secret"} JSON, if set.'),
    ] = None,
    client_metadata_url: Annotated[
        str | None, typer.Option(help="https URL of a client ID metadata document to use.")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds for each step.")] = 30.0,
    as_json: JsonOption = False,
) -> None:
    """Connect to URL, initialize, list tools, optionally call one; exit 1 if the call failed."""
    import logging

    import anyio

    # The SDK logs its OAuth failures with tracebacks; the error below says it once, plainly.
    logging.getLogger("mcp.client.auth").setLevel(logging.CRITICAL)
    try:
        arguments = json.loads(args)
        if not isinstance(arguments, dict):
            raise UsageError("--args must be a JSON object")
        if transport not in ("auto", "streamable-http", "sse"):
            raise UsageError(f"--transport {transport!r}: use auto, streamable-http or sse")
        headers = _headers(header, bearer_env)
        found_id, found_secret = _client_from_env(client_json_env)
        secret = os.environ.get(client_secret_env) if client_secret_env else found_secret
        client = (client_id or found_id, secret, client_metadata_url)
        result = anyio.run(
            _run, url, headers, headless, client, transport, call, arguments, timeout
        )
    except json.JSONDecodeError:
        die(UsageError("--args is not valid JSON"))
    except BatonError as error:
        die(error)
    data = result.model_dump(mode="json")
    emit(data, as_json, _render)
    if result.call is not None and result.call.get("isError"):
        raise typer.Exit(1)


async def _run(
    url: str,
    headers: dict[str, str],
    headless: bool,
    client: tuple[str | None, str | None, str | None],
    transport: Any,
    call: str | None,
    arguments: dict[str, Any],
    timeout: float,
) -> ProbeResult:
    from baton.upstream.probe import probe as run_probe

    own = any(name.lower() == "authorization" for name in headers)
    kind = "bearer" if headers.get("Authorization", "").startswith("Bearer ") else "headers"
    async with AsyncExitStack() as stack:
        auth = None if own else await _oauth(stack, url, headless, client)
        result = await run_probe(
            url,
            headers=headers,
            auth=auth,
            auth_kind=kind,
            transport=transport,
            call=call,
            args=arguments,
            timeout_sec=timeout,
        )
        if auth is not None:  # OAuth was on offer: did the server take it up?
            result.auth = "oauth" if auth.context.current_tokens is not None else "none"
        return result


async def _oauth(
    stack: AsyncExitStack,
    url: str,
    headless: bool,
    client: tuple[str | None, str | None, str | None],
) -> BatonOAuth:
    from baton.auth.store import MemoryStore
    from baton.config.schema import OAuthConfig
    from baton.upstream.oauth import HeadlessRedirect, LoopbackRedirect, Redirect, build_oauth

    client_id, secret, metadata_url = client
    redirect: Redirect = HeadlessRedirect("probe", url)
    if not headless:
        redirect = await stack.enter_async_context(
            LoopbackRedirect("probe", url, tell=lambda text: stderr.print(text, highlight=False))
        )
    environ = {"BATON_PROBE_CLIENT_SECRET": secret} if secret else {}
    oauth = OAuthConfig(
        client_id=client_id,
        client_secret_env_var="BATON_PROBE_CLIENT_SECRET" if secret else None,
        client_metadata_url=metadata_url,
    )
    return build_oauth("probe", url, oauth, environ, redirect=redirect, store=MemoryStore())
