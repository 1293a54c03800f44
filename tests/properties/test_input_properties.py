"""Config files and JSON-RPC lines Hypothesis makes up: a clean answer or error, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import types

from baton.config import load_config
from baton.errors import ConfigError
from baton.gateway.stdio import reject

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False), st.text(max_size=8)
)
keys = st.sampled_from(
    [
        "servers",
        "command",
        "url",
        "args",
        "env",
        "transport",
        "policy",
        "denied_paths",
        "review",
        "max_attempts",
        "gates",
        "name",
        "x",
        "github",
    ]
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(keys, documents, max_size=4))
def test_any_toml_document_loads_or_fails_with_a_config_error(
    tmp_path: Path, data: dict[str, object]
) -> None:
    try:
        text = tomlkit.dumps({k: v for k, v in data.items() if v is not None})
    except Exception:  # not representable as TOML: nothing to load
        return
    path = tmp_path / "baton.toml"
    path.write_text(text)
    try:
        load_config(config_path=path)
    except ConfigError as error:
        assert "baton.toml" in str(error)


def error_of(parsed: object) -> tuple[object, int]:
    """The id and code of the JSON-RPC error line `reject` answered."""
    assert isinstance(parsed, str), f"expected an error line, got {parsed!r}"
    error = json.loads(parsed)
    assert error["jsonrpc"] == "2.0", error
    return error["id"], error["error"]["code"]


def is_json(line: str) -> bool:
    try:
        json.loads(line)
    except (ValueError, RecursionError):
        return False
    return True


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
def test_any_line_is_a_message_an_error_or_nothing(line: str) -> None:
    parsed = reject(line)
    if not line.strip():
        assert parsed is None  # a blank line is skipped, never answered
    elif not is_json(line):
        assert error_of(parsed) == (None, -32700)  # parse error, with the null id the spec names
    elif not isinstance(parsed, types.JSONRPCMessage):
        assert error_of(parsed)[1] in (-32600, -32601)


KNOWN_METHODS = ("tools/list", "tools/call")
fractions = st.floats(0.5, 9.5).filter(lambda x: not x.is_integer())  # 2.0 is read as the int 2
messages = st.fixed_dictionaries(
    {
        "jsonrpc": st.sampled_from(["2.0", "1.0", 2]),
        "method": st.sampled_from([*KNOWN_METHODS, "nope", ""]),
        "id": st.one_of(st.integers(), st.text(max_size=4), st.none(), st.booleans(), fractions),
        "params": st.one_of(st.none(), st.dictionaries(st.text(max_size=4), scalars)),
    }
)


@given(messages)
def test_any_json_object_is_classified_as_the_spec_says(message: dict[str, object]) -> None:
    parsed = reject(json.dumps(message))
    request_id, method = message["id"], message["method"]
    usable_id = isinstance(request_id, int | str) and not isinstance(request_id, bool)
    echoed = request_id if usable_id else None
    if message["jsonrpc"] != "2.0":
        assert error_of(parsed) == (echoed, -32600)
    elif usable_id and method not in KNOWN_METHODS:
        assert error_of(parsed) == (request_id, -32601)
    elif usable_id:
        assert isinstance(parsed, types.JSONRPCMessage), parsed
        assert isinstance(parsed.root, types.JSONRPCRequest), parsed.root
        assert (parsed.root.id, parsed.root.method) == (request_id, method)
    else:  # an id that is not a string or an integer: invalid, answered (never left hanging)
        assert error_of(parsed) == (None, -32600)
