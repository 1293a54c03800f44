"""The SDK's `TokenStorage` protocol over Baton's `TokenStore`: one server's record."""

from __future__ import annotations

from collections.abc import Callable

from mcp.shared.auth import (
    OAuthClientInformationFull,
    OAuthMetadata,
    OAuthToken,
    ProtectedResourceMetadata,
)

from baton.auth.store import TokenRecord, TokenStore

__all__ = ["Discovered", "RecordStorage"]

Discovered = tuple[ProtectedResourceMetadata | None, OAuthMetadata | None]


class RecordStorage:
    """Reads and writes the `TokenRecord` of `key`; the discovered metadata goes along with the
    tokens, so a later process can refresh them without discovering again."""

    def __init__(
        self,
        store: TokenStore,
        key: str,
        *,
        preregistered: OAuthClientInformationFull | None = None,
    ) -> None:
        self.store, self.key, self._preregistered = store, key, preregistered
        self.discovered: Callable[[], Discovered] = lambda: (None, None)

    def record(self) -> TokenRecord:
        """The stored record, or an empty one."""
        return self.store.load(self.key) or TokenRecord()

    async def get_tokens(self) -> OAuthToken | None:
        return self.record().tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        prm, asm = self.discovered()
        record = self.record().with_tokens(tokens)
        record = record.model_copy(
            update={"resource_metadata": prm or record.resource_metadata, "as_metadata": asm}
        )
        self.store.save(self.key, record)

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self._preregistered or self.record().client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        if client_info is self._preregistered:
            return  # configuration, not state
        self.store.save(self.key, self.record().model_copy(update={"client_info": client_info}))
