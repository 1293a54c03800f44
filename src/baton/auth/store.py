"""Where OAuth tokens and client registrations live between runs: the OS keyring when one is
available, otherwise one file per server, mode 0600, under the user config directory, written
atomically. `MemoryStore` keeps them for one process (`baton probe`).

A record is keyed by server name and holds the token, its absolute expiry and the client
registration; nothing here logs or formats a value.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Protocol

from mcp.shared.auth import (
    OAuthClientInformationFull,
    OAuthMetadata,
    OAuthToken,
    ProtectedResourceMetadata,
)
from pydantic import BaseModel

__all__ = [
    "FileStore",
    "KeyringStore",
    "MemoryStore",
    "TokenRecord",
    "TokenStore",
    "default_store",
    "token_dir",
]

KEYRING_SERVICE = "baton-mcp"


class TokenRecord(BaseModel):
    """Everything Baton keeps for one server's OAuth."""

    tokens: OAuthToken | None = None
    expires_at: float | None = None  # epoch seconds; None when the server gave no lifetime
    client_info: OAuthClientInformationFull | None = None
    resource_metadata: ProtectedResourceMetadata | None = None
    as_metadata: OAuthMetadata | None = None

    def __repr__(self) -> str:
        return (
            f"TokenRecord(tokens={'<held>' if self.tokens else None}, expires_at={self.expires_at})"
        )

    __str__ = __repr__

    @property
    def expired(self) -> bool:
        """Whether the access token's lifetime has run out."""
        return self.expires_at is not None and time.time() >= self.expires_at

    def with_tokens(self, tokens: OAuthToken) -> TokenRecord:
        """This record holding `tokens`, their expiry computed from now."""
        expires_at = time.time() + tokens.expires_in if tokens.expires_in is not None else None
        return self.model_copy(update={"tokens": tokens, "expires_at": expires_at})


class TokenStore(Protocol):
    """A place to keep `TokenRecord`s by server name."""

    where: str

    def load(self, key: str) -> TokenRecord | None:
        """The record for `key`, or None."""
        ...

    def save(self, key: str, record: TokenRecord) -> None:
        """Keep `record` for `key`, replacing any earlier one."""
        ...

    def delete(self, key: str) -> bool:
        """Forget `key`; True if something was stored."""
        ...


class MemoryStore:
    """Records kept for the life of the process only."""

    where = "memory (this process only)"

    def __init__(self) -> None:
        self._records: dict[str, TokenRecord] = {}

    def load(self, key: str) -> TokenRecord | None:
        return self._records.get(key)

    def save(self, key: str, record: TokenRecord) -> None:
        self._records[key] = record

    def delete(self, key: str) -> bool:
        return self._records.pop(key, None) is not None


def token_dir(environ: dict[str, str] | None = None) -> Path:
    """`$XDG_CONFIG_HOME/baton/tokens` (default `~/.config/baton/tokens`)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "baton" / "tokens"


class FileStore:
    """One JSON file per key, 0600 in a 0700 directory, replaced atomically."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.where = f"file {directory}"

    def path(self, key: str) -> Path:
        """The file holding `key` (readable name plus a hash, so distinct keys never collide)."""
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", key)[:60]
        digest = hashlib.sha256(key.encode()).hexdigest()[:12]
        return self.directory / f"{safe}-{digest}.json"

    def load(self, key: str) -> TokenRecord | None:
        try:
            text = self.path(key).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return TokenRecord.model_validate_json(text)

    def save(self, key: str, record: TokenRecord) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        target = self.path(key)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
        try:
            os.fchmod(fd, 0o600)  # mkstemp already creates 0600; say so for readers
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(record.model_dump_json(exclude_none=True))
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def delete(self, key: str) -> bool:
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            return False
        return True


class KeyringStore:
    """Records in the OS keyring (Secret Service, macOS Keychain, Windows Credential Locker)."""

    def __init__(self) -> None:
        import keyring

        self.where = f"keyring ({type(keyring.get_keyring()).__name__})"

    def load(self, key: str) -> TokenRecord | None:
        import keyring

        text = keyring.get_password(KEYRING_SERVICE, key)
        return None if text is None else TokenRecord.model_validate_json(text)

    def save(self, key: str, record: TokenRecord) -> None:
        import keyring

        keyring.set_password(KEYRING_SERVICE, key, record.model_dump_json(exclude_none=True))

    def delete(self, key: str) -> bool:
        import keyring
        from keyring.errors import PasswordDeleteError

        try:
            keyring.delete_password(KEYRING_SERVICE, key)
        except PasswordDeleteError:
            return False
        return True


def _keyring_usable() -> bool:
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return False
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken keyring configuration: fall back to files
        return False
    return not isinstance(backend, fail.Keyring) and getattr(backend, "priority", 0) > 0


def default_store(environ: dict[str, str] | None = None) -> TokenStore:
    """The keyring when one is usable (and `BATON_TOKEN_STORE` is not `file`), else 0600 files."""
    env = os.environ if environ is None else environ
    if env.get("BATON_TOKEN_STORE") != "file" and _keyring_usable():
        return KeyringStore()
    return FileStore(token_dir(dict(env)))
