"""The token store: the OS keyring when there is one, else 0600 files written atomically."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from mcp.shared.auth import OAuthToken

from baton.auth.store import FileStore, KeyringStore, TokenRecord, default_store, token_dir

SECRET = "at-never-print-me-0123456789"
RECORD = TokenRecord().with_tokens(
    OAuthToken(access_token=SECRET, expires_in=86400, refresh_token="rt-also-secret-987654321")
)


class DictKeyring(KeyringBackend):
    """A keyring backend in a dict: stands in for Secret Service / Keychain on this machine."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


@pytest.fixture
def os_keyring() -> Iterator[DictKeyring]:
    previous = keyring.get_keyring()
    backend = DictKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_without_a_keyring_tokens_go_to_a_0600_file(no_keyring: None, isolated_home: Path) -> None:
    store = default_store()
    assert isinstance(store, FileStore)
    store.save("github", RECORD)
    path = store.path("github")
    assert path.parent == isolated_home / ".config" / "baton" / "tokens" == token_dir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    loaded = store.load("github")
    assert loaded is not None and loaded.tokens is not None
    assert loaded.tokens.access_token == SECRET and not loaded.expired


def test_a_file_is_replaced_whole_and_leaves_no_temporary_behind(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "tokens")
    store.save("a", RECORD)
    store.save("a", RECORD.model_copy(update={"expires_at": 1.0}))
    assert [path.name for path in (tmp_path / "tokens").iterdir()] == [store.path("a").name]
    loaded = store.load("a")
    assert loaded is not None and loaded.expired
    assert store.delete("a") and not store.delete("a") and store.load("a") is None


def test_names_that_look_alike_never_share_a_file(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    assert store.path("a/b") != store.path("a_b")
    assert store.path("../../etc/passwd").parent == tmp_path


def test_with_a_keyring_tokens_go_there_and_not_to_disk(
    os_keyring: DictKeyring, isolated_home: Path
) -> None:
    store = default_store()
    assert isinstance(store, KeyringStore) and "DictKeyring" in store.where
    store.save("github", RECORD)
    assert [service for service, _ in os_keyring.items] == ["baton-mcp"]
    loaded = store.load("github")
    assert loaded is not None and loaded.tokens is not None
    assert loaded.tokens.access_token == SECRET
    assert not token_dir().exists()
    assert store.delete("github") and store.load("github") is None


def test_files_can_be_chosen_over_the_keyring(os_keyring: DictKeyring) -> None:
    assert isinstance(default_store({"BATON_TOKEN_STORE": "file"}), FileStore)


def test_a_record_never_shows_its_tokens() -> None:
    assert SECRET not in repr(RECORD) and SECRET not in str(RECORD)
