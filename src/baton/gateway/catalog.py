"""The lead-facing catalogue: upstream tools and prompts under gateway names, and back again."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import anyio
from mcp import types

from baton.errors import UpstreamError
from baton.upstream import UpstreamPool

__all__ = ["SEPARATOR", "Catalog", "Target"]

SEPARATOR = "__"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Target:
    """Where a gateway name leads: an upstream server and the name it knows the item by."""

    server: str
    name: str


@dataclass
class Catalog:
    """Maps gateway names to upstream items; rebuilt lazily after a `list_changed`."""

    pool: UpstreamPool
    prefix: bool = True
    _tools: list[types.Tool] | None = None
    _last_tools: list[types.Tool] = field(default_factory=list)
    _tool_targets: dict[str, Target] = field(default_factory=dict)
    _failures: dict[str, UpstreamError] = field(default_factory=dict)
    _lock: anyio.Lock = field(default_factory=anyio.Lock)

    def public_name(self, server: str, name: str) -> str:
        """The name the lead sees for `name` on `server`."""
        return f"{server}{SEPARATOR}{name}" if self.prefix else name

    def invalidate_tools(self) -> None:
        """Forget the tool list so the next `tools/list` asks the upstreams again."""
        self._tools = None

    @property
    def failures(self) -> dict[str, UpstreamError]:
        """Upstreams whose tools could not be listed on the last rebuild."""
        return dict(self._failures)

    def failure_behind(self, public: str) -> UpstreamError | None:
        """The start-up error of the server a `<server>__<tool>` name points to, if it failed."""
        if not self.prefix:
            return next(iter(self._failures.values()), None)
        server, _, _ = public.partition(SEPARATOR)
        return self._failures.get(server)

    async def tools(self) -> list[types.Tool]:
        """Every enabled upstream tool under its gateway name; broken upstreams are left out."""
        async with self._lock:
            if self._tools is None:
                await self._rebuild_tools()
            return self._last_tools

    async def resolve_tool(self, public: str) -> Target | None:
        """The upstream tool behind a gateway name, or None when there is none."""
        if public not in self._tool_targets:
            await self.tools()
        return self._tool_targets.get(public)

    def resolve_prefixed(self, public: str) -> Target | None:
        """Split `<server>__<name>` (prompts) or, unprefixed, name the single upstream."""
        if not self.prefix:
            servers = list(self.pool)
            return Target(servers[0], public) if servers else None
        server, sep, name = public.partition(SEPARATOR)
        return Target(server, name) if sep and server in self.pool and name else None

    async def _rebuild_tools(self) -> None:
        listed: dict[str, list[types.Tool]] = {}
        failures: dict[str, UpstreamError] = {}

        async def list_one(server: str) -> None:
            try:
                listed[server] = await self.pool[server].list_tools()
            except UpstreamError as error:
                failures[server] = error
                log.warning("%s", error)

        async with anyio.create_task_group() as group:
            for server in self.pool:
                group.start_soon(list_one, server)
        tools: list[types.Tool] = []
        targets: dict[str, Target] = {}
        for server in self.pool:  # config order, not completion order
            for tool in listed.get(server, []):
                public = self.public_name(server, tool.name)
                targets[public] = Target(server, tool.name)
                tools.append(tool if not self.prefix else tool.model_copy(update={"name": public}))
        self._tool_targets, self._failures = targets, failures
        # A failed upstream is asked again on the next `tools/list` rather than hidden for good.
        self._tools = None if failures else tools
        self._last_tools = tools
