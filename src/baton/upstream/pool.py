"""`UpstreamPool`: every enabled upstream server, owning the task group their connections run in."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import TracebackType

import anyio
from anyio.abc import TaskGroup

from baton.config.schema import ServerConfig
from baton.errors import UpstreamError
from baton.upstream.hooks import UpstreamHooks
from baton.upstream.upstream import Upstream

__all__ = ["UpstreamPool"]


class UpstreamPool:
    """The enabled upstreams of a config, in config order; an async context manager.

    Enter and exit it in the same task (it owns one anyio task group). Upstreams start lazily on
    first use, or together with `start_all`. Exiting closes every connection and ends every stdio
    server's process group.
    """

    def __init__(
        self,
        servers: Mapping[str, ServerConfig],
        hooks: UpstreamHooks | None = None,
        *,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._upstreams = {
            name: Upstream(name, config, hooks=hooks, environ=environ)
            for name, config in servers.items()
            if config.enabled
        }
        self._group: TaskGroup | None = None

    async def __aenter__(self) -> UpstreamPool:
        group = anyio.create_task_group()
        await group.__aenter__()
        self._group = group
        for upstream in self._upstreams.values():
            upstream.attach(group)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        assert self._group is not None, "UpstreamPool exited without being entered"
        try:
            async with anyio.create_task_group() as closing:
                for upstream in self._upstreams.values():
                    closing.start_soon(upstream.close)
        finally:
            self._group.cancel_scope.cancel()  # anything left (a close cut short) ends now
            swallowed = await self._group.__aexit__(exc_type, exc, traceback)
        return swallowed

    def __getitem__(self, name: str) -> Upstream:
        try:
            return self._upstreams[name]
        except KeyError:
            known = ", ".join(self._upstreams) or "none"
            raise KeyError(f"no enabled upstream server '{name}' (known: {known})") from None

    def __contains__(self, name: object) -> bool:
        return name in self._upstreams

    def __iter__(self) -> Iterator[str]:
        return iter(self._upstreams)

    def __len__(self) -> int:
        return len(self._upstreams)

    async def start_all(
        self, names: Iterable[str] | None = None
    ) -> dict[str, UpstreamError | None]:
        """Start the named upstreams (default: all) together: name -> its error, or None."""
        chosen = [self[name].name for name in (self._upstreams if names is None else names)]
        results: dict[str, UpstreamError | None] = {}

        async def start_one(name: str) -> None:
            try:
                await self._upstreams[name].start()
                results[name] = None
            except UpstreamError as error:
                results[name] = error

        async with anyio.create_task_group() as group:
            for name in chosen:
                group.start_soon(start_one, name)
        return {name: results[name] for name in chosen}
