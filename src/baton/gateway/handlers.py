"""The gateway's request handlers: each forwards one MCP method to the upstream(s) behind it.

Handlers are registered raw on the SDK's low-level server (not through its decorators) so a
pass-through result is returned as the upstream sent it, with no re-validation or re-wrapping.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
from mcp import types
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import McpError

from baton.delegation.result import RUN_URI_PREFIX
from baton.errors import BatonError, UpstreamError
from baton.gateway.catalog import Catalog, Target
from baton.gateway.delegation_tools import DELEGATION_TOOLS, DelegationTools
from baton.gateway.guard import Guard
from baton.gateway.relay import Relay
from baton.gateway.routing import ResourceMap
from baton.upstream import ProgressFnT, Upstream, UpstreamPool

__all__ = ["Handlers"]

R = TypeVar("R", bound=types.Result)
# The MCP spec's code for resources/read of a URI no server holds (the SDK names no constant).
RESOURCE_NOT_FOUND = -32002
log = logging.getLogger(__name__)


def _invalid(message: str) -> McpError:
    return McpError(types.ErrorData(code=types.INVALID_PARAMS, message=message))


def _for_upstream(request: Any) -> Any:
    """A copy of a lead's request fit to send on: no JSON-RPC envelope keys, no progress token.

    The SDK parses a request from its whole JSON-RPC message, so `jsonrpc` and `id` ride along as
    extra fields; the upstream request gets its own id and, when asked for, its own progress token.
    """
    fields = request.model_dump(by_alias=True, exclude_none=True, exclude={"jsonrpc", "id"})
    meta = fields.get("params", {}).get("_meta")
    if meta is not None:
        meta.pop("progressToken", None)
        if not meta:
            del fields["params"]["_meta"]
    return type(request).model_validate(fields)


def _error_result(error: UpstreamError) -> types.ServerResult:
    """An upstream's failure as the tool result the lead's model reads."""
    text = types.TextContent(type="text", text=f"[baton] {error}")
    return types.ServerResult(types.CallToolResult(content=[text], isError=True))


class Handlers:
    """Installs forwarding handlers for every MCP method a gateway serves."""

    def __init__(
        self,
        server: Server[Any, Any],
        pool: UpstreamPool,
        catalog: Catalog,
        relay: Relay,
        guard: Guard | None = None,
        own: DelegationTools | None = None,
    ):
        self._server, self._pool, self._catalog, self._relay = server, pool, catalog, relay
        self._guard = guard
        self._own = own  # Baton's own tools (delegate, apply, ...), beside the proxied ones
        self._resources = ResourceMap()

    def install(self) -> None:
        """Register the handlers on the low-level server."""
        table: dict[type, Callable[[Any], Awaitable[types.ServerResult]]] = {
            types.ListToolsRequest: self.list_tools,
            types.CallToolRequest: self.call_tool,
            types.ListPromptsRequest: self.list_prompts,
            types.GetPromptRequest: self.get_prompt,
            types.ListResourcesRequest: self.list_resources,
            types.ListResourceTemplatesRequest: self.list_resource_templates,
            types.ReadResourceRequest: self.read_resource,
            types.SubscribeRequest: self.subscribe,
            types.UnsubscribeRequest: self.subscribe,
            types.CompleteRequest: self.complete,
            types.SetLevelRequest: self.set_level,
        }
        self._server.request_handlers.update(table)

    # -- helpers -------------------------------------------------------------------------------

    def _progress_forwarder(self) -> ProgressFnT | None:
        context = self._server.request_context
        token = context.meta.progressToken if context.meta else None
        if token is None:
            return None
        session, request_id = context.session, context.request_id

        async def forward(progress: float, total: float | None, message: str | None) -> None:
            await session.send_progress_notification(
                token, progress, total, message, related_request_id=str(request_id)
            )

        return forward

    async def _forward(self, server: str, request: Any, result_type: type[R]) -> R:
        """Send `request` to one upstream on behalf of the current lead request."""
        session = self._server.request_context.session
        self._relay.seen(session)
        wrapped = types.ClientRequest(_for_upstream(request))
        try:
            with self._relay.calling(server, session):
                return await self._pool[server].send_request(
                    wrapped, result_type, progress_callback=self._progress_forwarder()
                )
        except UpstreamError as error:
            raise McpError(
                types.ErrorData(code=types.INTERNAL_ERROR, message=str(error))
            ) from error

    def _single(self) -> str | None:
        """The one upstream when the gateway is a transparent proxy, else None."""
        return next(iter(self._pool)) if not self._catalog.prefix and len(self._pool) == 1 else None

    async def _servers_with(self, capability: str) -> list[Upstream]:
        """Started upstreams that declare `capability` (starting all of them first)."""
        await self._pool.start_all()
        found = []
        for name in self._pool:
            upstream = self._pool[name]
            result = upstream.initialize_result
            if result is not None and getattr(result.capabilities, capability) is not None:
                found.append(upstream)
        return found

    # -- tools ---------------------------------------------------------------------------------

    async def list_tools(self, request: types.ListToolsRequest) -> types.ServerResult:
        """Every enabled upstream tool, under its gateway name."""
        self._relay.seen(self._server.request_context.session)
        own = list(DELEGATION_TOOLS) if self._own is not None else []
        return types.ServerResult(types.ListToolsResult(tools=own + await self._catalog.tools()))

    async def call_tool(self, request: types.CallToolRequest) -> types.ServerResult:
        """Call the upstream tool behind a gateway name; its failure becomes this call's error."""
        context = self._server.request_context
        self._relay.seen(context.session)
        if self._own is not None and self._own.owns_tool(request.params.name):
            progress = self._progress_forwarder()
            own = await self._own.call(request.params.name, request.params.arguments, progress)
            return types.ServerResult(own)
        if self._guard is not None:
            decision = self._guard.check(request.params.name, request.params.arguments)
            if decision.denied:  # never reaches the upstream; the model reads why
                return types.ServerResult(self._guard.refusal(decision))
        target = await self._catalog.resolve_tool(request.params.name)
        if target is None:
            if failed := self._catalog.failure_behind(request.params.name):
                return _error_result(failed)  # its server is down: say why, not "unknown tool"
            raise _invalid(
                f"unknown tool '{request.params.name}'; call tools/list to see the tools"
            )
        meta = request.params.meta
        extra = meta.model_dump(exclude={"progressToken"}, exclude_none=True) if meta else None
        try:
            with self._relay.calling(target.server, context.session):
                result = await self._pool[target.server].call_tool(
                    target.name,
                    request.params.arguments,
                    progress_callback=self._progress_forwarder(),
                    meta=extra or None,
                )
        except UpstreamError as error:
            return _error_result(error)
        if self._guard is not None:
            result = self._guard.redacted(result)  # the same object when there is nothing to hide
        return types.ServerResult.model_construct(result)  # validated as it arrived: no second pass

    # -- prompts -------------------------------------------------------------------------------

    async def list_prompts(self, request: types.ListPromptsRequest) -> types.ServerResult:
        """Prompts of every upstream, prefixed like tools."""
        if single := self._single():
            return types.ServerResult(await self._forward(single, request, types.ListPromptsResult))
        prompts: list[types.Prompt] = []
        for upstream in await self._servers_with("prompts"):
            listed = await self._list_all(
                upstream.name, types.ListPromptsRequest, types.ListPromptsResult
            )
            for result in listed:
                for prompt in result.prompts:
                    public = self._catalog.public_name(upstream.name, prompt.name)
                    prompts.append(prompt.model_copy(update={"name": public}))
        return types.ServerResult(types.ListPromptsResult(prompts=prompts))

    async def get_prompt(self, request: types.GetPromptRequest) -> types.ServerResult:
        """Get a prompt from the upstream its gateway name points to."""
        target = self._catalog.resolve_prefixed(request.params.name)
        if target is None:
            raise _invalid(f"unknown prompt '{request.params.name}'")
        renamed = request.model_copy(
            update={"params": request.params.model_copy(update={"name": target.name})}
        )
        return types.ServerResult(
            await self._forward(target.server, renamed, types.GetPromptResult)
        )

    async def _list_all(
        self, server: str, request_type: type[Any], result_type: type[R]
    ) -> list[R]:
        """Every page of a paginated list from one upstream."""
        pages: list[R] = []
        cursor: str | None = None
        while True:
            params = types.PaginatedRequestParams(cursor=cursor) if cursor else None
            page = await self._forward(server, request_type(params=params), result_type)
            pages.append(page)
            cursor = getattr(page, "nextCursor", None)
            if not cursor:
                return pages

    # -- resources -----------------------------------------------------------------------------

    async def list_resources(self, request: types.ListResourcesRequest) -> types.ServerResult:
        """Resources of every upstream, URIs unchanged; remembers who holds which."""
        if single := self._single():
            return types.ServerResult(
                await self._forward(single, request, types.ListResourcesResult)
            )
        resources = await self._own.resources() if self._own is not None else []
        for upstream in await self._servers_with("resources"):
            pages = await self._list_all(
                upstream.name, types.ListResourcesRequest, types.ListResourcesResult
            )
            found = [resource for page in pages for resource in page.resources]
            self._resources.learn_uris(upstream.name, [str(r.uri) for r in found])
            resources.extend(found)
        return types.ServerResult(types.ListResourcesResult(resources=resources))

    async def list_resource_templates(
        self, request: types.ListResourceTemplatesRequest
    ) -> types.ServerResult:
        """Resource templates of every upstream."""
        result_type = types.ListResourceTemplatesResult
        if single := self._single():
            return types.ServerResult(await self._forward(single, request, result_type))
        templates = self._own.templates() if self._own is not None else []
        for upstream in await self._servers_with("resources"):
            pages = await self._list_all(
                upstream.name, types.ListResourceTemplatesRequest, result_type
            )
            found = [template for page in pages for template in page.resourceTemplates]
            self._resources.learn_templates(upstream.name, [t.uriTemplate for t in found])
            templates.extend(found)
        return types.ServerResult(types.ListResourceTemplatesResult(resourceTemplates=templates))

    async def _resource_server(self, uri: str) -> str:
        if single := self._single():
            return single
        if (server := self._resources.server_for(uri)) is None:
            await self.list_resources(types.ListResourcesRequest())
            await self.list_resource_templates(types.ListResourceTemplatesRequest())
            server = self._resources.server_for(uri)
        if server is None:
            raise McpError(
                types.ErrorData(code=RESOURCE_NOT_FOUND, message=f"no upstream lists '{uri}'")
            )
        return server

    async def read_resource(self, request: types.ReadResourceRequest) -> types.ServerResult:
        """Read a run's artifact from the ledger, or a resource from the upstream that listed it."""
        uri = str(request.params.uri)
        if self._own is not None and uri.startswith(RUN_URI_PREFIX):
            try:
                return types.ServerResult(await self._own.read(uri))
            except BatonError as error:
                raise McpError(
                    types.ErrorData(code=RESOURCE_NOT_FOUND, message=str(error))
                ) from error
        server = await self._resource_server(str(request.params.uri))
        return types.ServerResult(await self._forward(server, request, types.ReadResourceResult))

    async def subscribe(
        self, request: types.SubscribeRequest | types.UnsubscribeRequest
    ) -> types.ServerResult:
        """(Un)subscribe at the upstream that holds the resource."""
        server = await self._resource_server(str(request.params.uri))
        return types.ServerResult(await self._forward(server, request, types.EmptyResult))

    # -- completion and logging ----------------------------------------------------------------

    async def complete(self, request: types.CompleteRequest) -> types.ServerResult:
        """Completion for a prompt or resource argument, from the upstream that owns it."""
        ref = request.params.ref
        if isinstance(ref, types.PromptReference):
            target: Target | None = self._catalog.resolve_prefixed(ref.name)
            if target is None:
                raise _invalid(f"unknown prompt '{ref.name}'")
            new_ref = ref.model_copy(update={"name": target.name})
            request = request.model_copy(
                update={"params": request.params.model_copy(update={"ref": new_ref})}
            )
            server = target.server
        else:
            server = await self._resource_server(str(ref.uri))
        return types.ServerResult(await self._forward(server, request, types.CompleteResult))

    async def set_level(self, request: types.SetLevelRequest) -> types.ServerResult:
        """Set the log level on every upstream that logs."""
        upstreams = await self._servers_with("logging")

        async def set_one(upstream: Upstream) -> None:
            try:
                await self._forward(upstream.name, request, types.EmptyResult)
            except McpError as error:  # one upstream refusing must not fail the others
                log.warning("%s", error.error.message)

        async with anyio.create_task_group() as group:
            for upstream in upstreams:
                group.start_soon(set_one, upstream)
        return types.ServerResult(types.EmptyResult())
