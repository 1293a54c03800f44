"""Claude Code `.mcp.json` import and export: transports, `${VAR}` kept verbatim, bearer headers."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from baton.config import Entries, export_claude, import_claude, load_config
from baton.errors import ConfigError

FIXTURES = Path(__file__).parent / "fixtures"
MCP_JSON = FIXTURES / "claude_mcp.json"


def servers_of(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8"))["mcpServers"])


def baton_servers(project: Path) -> dict[str, Any]:
    return dict(tomllib.loads((project / "baton.toml").read_text(encoding="utf-8"))["servers"])


def write_mcp(tmp_path: Path, servers: dict[str, Any]) -> Path:
    path = tmp_path / "in.mcp.json"
    path.write_text(json.dumps({"mcpServers": servers}), encoding="utf-8")
    return path


def test_stdio_http_and_sse_survive_import_then_export(project: Path, tmp_path: Path) -> None:
    report = import_claude(MCP_JSON, project / "baton.toml")
    assert (report.written, report.skipped, report.warnings) == (
        ["codex", "github", "atlassian"],
        {},
        [],
    )
    out = tmp_path / "out" / ".mcp.json"
    export_claude(load_config(project), out, entries=Entries.SERVERS)
    assert servers_of(out) == servers_of(MCP_JSON)


def test_references_are_kept_verbatim_and_headers_map_to_baton_keys(project: Path) -> None:
    import_claude(MCP_JSON, project / "baton.toml")
    assert baton_servers(project) == {
        "codex": {
            "command": "npx",
            "args": ["-y", "@openai/codex@0.153.0", "mcp-server"],
            "env": {
                "OPENAI_API_KEY": "${OPENAI_API_KEY}",
                "CODEX_HOME": "${CODEX_HOME:-/home/dev/.codex}",
            },
        },
        "github": {
            "url": "https://api.githubcopilot.com/mcp/",
            "transport": "streamable-http",
            "bearer_token_env_var": "GITHUB_TOKEN",
            "http_headers": {"X-MCP-Toolsets": "repos,issues"},
        },
        "atlassian": {
            "url": "${ATLASSIAN_URL:-https://mcp.atlassian.com/v1/sse}",
            "transport": "sse",
            "env_http_headers": {"X-Api-Key": "ATLASSIAN_KEY"},
        },
    }


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Authorization": "Bearer ${TOKEN}"}, {"bearer_token_env_var": "TOKEN"}),
        ({"authorization": "bearer ${TOKEN}"}, {"bearer_token_env_var": "TOKEN"}),
        ({"Authorization": "${AUTH}"}, {"env_http_headers": {"Authorization": "AUTH"}}),
        (
            {"Authorization": "Bearer ${TOKEN:-dev}"},
            {"http_headers": {"Authorization": "Bearer ${TOKEN:-dev}"}},
        ),
        ({"X-Org": "${ORG:-acme}"}, {"http_headers": {"X-Org": "${ORG:-acme}"}}),
        (
            {"Authorization": "Token ${T}", "X-Key": "${K}"},
            {"http_headers": {"Authorization": "Token ${T}"}, "env_http_headers": {"X-Key": "K"}},
        ),
    ],
)
def test_header_conversion(
    headers: dict[str, str], expected: dict[str, Any], project: Path, tmp_path: Path
) -> None:
    source = write_mcp(
        tmp_path, {"s": {"type": "http", "url": "https://x/mcp", "headers": headers}}
    )
    import_claude(source, project / "baton.toml")
    assert baton_servers(project)["s"] == {
        "url": "https://x/mcp",
        "transport": "streamable-http",
        **expected,
    }


def test_a_literal_secret_header_is_kept_with_a_warning(project: Path, tmp_path: Path) -> None:
    source = write_mcp(
        tmp_path,
        {"s": {"type": "http", "url": "https://x", "headers": {"Authorization": "Bearer ghp_123"}}},
    )
    report = import_claude(source, project / "baton.toml")
    assert baton_servers(project)["s"]["http_headers"] == {"Authorization": "Bearer ghp_123"}
    assert report.warnings == [
        "s: http_headers.Authorization holds a literal value that looks like a secret; "
        "move it to an environment variable and write ${VAR} there instead"
    ]


def test_unsupported_types_are_skipped_and_unknown_keys_warned(
    project: Path, tmp_path: Path
) -> None:
    source = write_mcp(
        tmp_path,
        {
            "ws": {"type": "ws", "url": "wss://x"},
            "plain": {"command": "tool", "timeout": 5},
            "url_only": {"url": "https://x/mcp"},
        },
    )
    report = import_claude(source, project / "baton.toml")
    assert report.written == ["plain", "url_only"]
    assert report.skipped == {"ws": "type 'ws' is not one Baton connects to (stdio, http, sse)"}
    assert report.warnings == ["plain: skipped keys Baton does not know: timeout"]
    assert baton_servers(project)["url_only"] == {"url": "https://x/mcp"}


def test_invalid_json_names_file_line_and_column(project: Path, tmp_path: Path) -> None:
    source = tmp_path / ".mcp.json"
    source.write_text('{\n  "mcpServers": {\n    "a": {"command": "x",}\n  }\n}\n')
    with pytest.raises(ConfigError) as caught:
        import_claude(source, project / "baton.toml")
    assert (caught.value.file, caught.value.line) == (str(source), 3)
    assert "(column 26)" in caught.value.message
    assert not (project / "baton.toml").exists()


def test_export_merges_into_an_existing_mcp_json(project: Path, tmp_path: Path) -> None:
    (project / "baton.toml").write_text('[servers.a]\ncommand = "a"\n')
    target = tmp_path / ".mcp.json"
    existing = {"$schema": "x", "mcpServers": {"mine": {"command": "m"}}, "zzz": [1, 2]}
    target.write_text(json.dumps(existing))
    report = export_claude(load_config(project), target, entries=Entries.BOTH, command="baton")
    data = json.loads(target.read_text())
    assert list(data) == ["$schema", "mcpServers", "zzz"] and data["zzz"] == [1, 2]
    assert list(data["mcpServers"]) == ["mine", "a", "baton"]
    assert data["mcpServers"]["baton"] == {
        "type": "stdio",
        "command": "baton",
        "args": ["serve", "--config", str((project / "baton.toml").resolve())],
        "env": {},
    }
    assert report.written == ["a", "baton"]
    assert target.read_text().startswith('{\n  "$schema": "x",\n')


def test_export_names_what_claude_cannot_express(project: Path, tmp_path: Path) -> None:
    (project / "baton.toml").write_text(
        '[servers.a]\ncommand = "a"\ncwd = "/srv"\ndisabled_tools = ["rm"]\n'
        '[servers.b]\nurl = "https://b"\nstartup_timeout_sec = 30\n'
    )
    report = export_claude(load_config(project), tmp_path / ".mcp.json", entries=Entries.SERVERS)
    assert [w.split(";")[0] for w in report.warnings] == [
        "a: Claude Code's .mcp.json has no equivalent of cwd, disabled_tools",
        "b: Claude Code's .mcp.json has no equivalent of startup_timeout_sec",
    ]
    assert servers_of(tmp_path / ".mcp.json")["b"] == {"type": "http", "url": "https://b"}


def test_export_skips_an_existing_entry_unless_forced(project: Path, tmp_path: Path) -> None:
    (project / "baton.toml").write_text("")
    target = tmp_path / ".mcp.json"
    target.write_text('{"mcpServers": {"baton": {"command": "old"}}}')
    report = export_claude(load_config(project), target)
    assert report.written == [] and "baton" in report.skipped
    assert target.read_text() == '{"mcpServers": {"baton": {"command": "old"}}}'
    export_claude(load_config(project), target, force=True)
    assert servers_of(target)["baton"]["command"] != "old"
