"""Codex `[mcp_servers]` import and export, with the seed article's four examples."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from baton.config import Entries, export_codex, import_codex, load_config
from baton.errors import ConfigError

FIXTURES = Path(__file__).parent / "fixtures"

SEED = FIXTURES / "codex_seed.toml"


def codex_tables(path: Path) -> dict[str, object]:
    return dict(tomllib.loads(path.read_text(encoding="utf-8"))["mcp_servers"])


def baton_with(project: Path, text: str) -> Path:
    path = project / "baton.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_seed_examples_survive_import_then_export(project: Path, tmp_path: Path) -> None:
    report = import_codex(SEED, project / "baton.toml")
    assert report.written == ["serena", "github_proxy", "github", "atlassian_proxy", "atlassian"]
    config = load_config(project)
    assert config.servers["serena"].startup_timeout_sec == 30
    assert config.servers["github"].bearer_token_env_var == "GITHUB_TOKEN"
    fresh = tmp_path / "fresh" / "config.toml"
    export_codex(config, fresh)
    assert codex_tables(fresh) == codex_tables(SEED)


def test_import_keeps_references_out_of_values_and_warns_about_literal_tokens(
    project: Path,
) -> None:
    report = import_codex(SEED, project / "baton.toml")
    assert report.warnings == [
        "github_proxy: args holds a literal value that looks like a secret; "
        "move it to an environment variable and write ${VAR} there instead"
    ]


def test_legacy_startup_timeout_ms_becomes_seconds(project: Path, tmp_path: Path) -> None:
    source = tmp_path / "codex.toml"
    source.write_text(
        '[mcp_servers.slow]\ncommand = "slow"\nstartup_timeout_ms = 20_000\n'
        '[mcp_servers.both]\ncommand = "b"\nstartup_timeout_ms = 1500\nstartup_timeout_sec = 4\n'
        '[mcp_servers.half]\ncommand = "h"\nstartup_timeout_ms = 2500\n'
    )
    import_codex(source, project / "baton.toml")
    servers = tomllib.loads((project / "baton.toml").read_text())["servers"]
    assert servers["slow"] == {"command": "slow", "startup_timeout_sec": 20}
    assert servers["both"]["startup_timeout_sec"] == 4
    assert servers["half"]["startup_timeout_sec"] == 2.5


def test_unknown_codex_keys_are_named_and_skipped(project: Path, tmp_path: Path) -> None:
    source = tmp_path / "codex.toml"
    source.write_text('[mcp_servers.a]\ncommand = "a"\nscopes = ["x"]\noauth_resource = "r"\n')
    report = import_codex(source, project / "baton.toml")
    assert report.written == ["a"]
    assert report.warnings == ["a: skipped keys Baton does not know: scopes, oauth_resource"]
    assert tomllib.loads((project / "baton.toml").read_text())["servers"]["a"] == {"command": "a"}


def test_env_vars_become_references_and_back(project: Path, tmp_path: Path) -> None:
    source = tmp_path / "codex.toml"
    source.write_text(
        '[mcp_servers.a]\ncommand = "a"\nenv = { MODE = "x" }\nenv_vars = ["TOKEN"]\n'
    )
    import_codex(source, project / "baton.toml")
    config = load_config(project)
    assert config.servers["a"].env == {"TOKEN": "${TOKEN}", "MODE": "x"}
    export_codex(config, tmp_path / "out.toml")
    assert codex_tables(tmp_path / "out.toml")["a"] == {
        "command": "a",
        "env": {"MODE": "x"},
        "env_vars": ["TOKEN"],
    }


def test_an_invalid_server_is_skipped_with_the_reason(project: Path, tmp_path: Path) -> None:
    source = tmp_path / "codex.toml"
    source.write_text(
        '[mcp_servers.both]\ncommand = "a"\nurl = "https://x"\n[mcp_servers.ok]\ncommand = "b"\n'
    )
    report = import_codex(source, project / "baton.toml")
    assert report.written == ["ok"]
    assert report.skipped == {
        "both": "set exactly one of `command` (a local stdio server) or `url`"
    }


def test_an_existing_server_is_skipped_unless_forced(project: Path, tmp_path: Path) -> None:
    original = (
        '# mine\n[servers.github]\nurl = "https://old.example/mcp"  # keep\n'
        "\n[review]\nmax_attempts = 3\n"
    )
    path = baton_with(project, original)
    report = import_codex(SEED, path)
    assert "github" not in report.written
    assert report.skipped["github"] == f"already in {path} (use --force to replace it)"
    text = path.read_text()
    assert text.startswith(original.split("\n[review]")[0] + "\n[servers.serena]\n")
    assert text.endswith("\n\n[review]\nmax_attempts = 3\n")
    import_codex(SEED, path, force=True)
    text = path.read_text()
    assert text.startswith('# mine\n[servers.github]\nurl = "https://api.githubcopilot.com/mcp/"\n')
    assert "\n[review]\nmax_attempts = 3\n" in text and "old.example" not in text


def test_dry_run_writes_nothing_and_returns_the_text(project: Path) -> None:
    report = import_codex(SEED, project / "baton.toml", dry_run=True)
    assert not (project / "baton.toml").exists()
    assert report.dry_run and tomllib.loads(report.text)["servers"]["serena"]["command"] == "uvx"


EXISTING_CODEX = """\
# Codex settings, tuned by hand
model = "o3"   # the big one
approval_policy = "on-request"

[mcp_servers.notes]
command = "notes-mcp"  # local notes
args = ["--ro"]

# profiles, for quick switching
[profiles.fast]
model = "o4-mini"
"""


def test_export_into_an_existing_file_keeps_every_other_byte(project: Path, tmp_path: Path) -> None:
    import_codex(SEED, project / "baton.toml")
    target = tmp_path / "config.toml"
    target.write_text(EXISTING_CODEX)
    report = export_codex(load_config(project), target)
    text = target.read_text()
    head, tail = EXISTING_CODEX.split("\n# profiles", 1)
    assert text.startswith(head) and text.endswith("\n# profiles" + tail)
    added = text[len(head) : len(text) - len(tail) - len("\n# profiles")]
    assert added.startswith("\n[mcp_servers.serena]\n")
    assert set(tomllib.loads(added)["mcp_servers"]) == set(report.written)


def test_forced_export_replaces_only_that_table(project: Path, tmp_path: Path) -> None:
    baton_with(project, '[servers.notes]\ncommand = "notes-mcp"\nargs = ["--rw"]\n')
    target = tmp_path / "config.toml"
    target.write_text(EXISTING_CODEX)
    report = export_codex(load_config(project), target)
    assert report.skipped == {"notes": f"already in {target} (use --force to replace it)"}
    assert target.read_text() == EXISTING_CODEX
    export_codex(load_config(project), target, force=True)
    assert target.read_text() == EXISTING_CODEX.replace(
        'args = ["--ro"]', 'args = ["--rw"]'
    ).replace("  # local notes", "")


def test_export_expands_what_codex_cannot_and_keeps_the_file_private(
    project: Path, tmp_path: Path
) -> None:
    baton_with(
        project,
        '[servers.api]\nurl = "https://${API_HOST}/mcp"\n'
        'http_headers = { Authorization = "Bearer ${API_TOKEN}", "X-Team" = "${TEAM}" }\n'
        '[servers.cli]\ncommand = "tool"\nargs = ["--region", "${REGION:-eu}"]\n',
    )
    target = tmp_path / "codex" / "config.toml"
    report = export_codex(load_config(project), target, environ={"API_HOST": "api.example"})
    assert codex_tables(target) == {
        "api": {
            "url": "https://api.example/mcp",
            "bearer_token_env_var": "API_TOKEN",
            "env_http_headers": {"X-Team": "TEAM"},
        },
        "cli": {"command": "tool", "args": ["--region", "eu"]},
    }
    assert report.warnings == [
        "api: Codex does not expand ${VAR}; wrote the current value of API_HOST into the file",
        "cli: Codex does not expand ${VAR}; wrote the current value of REGION into the file",
    ]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_export_names_an_unset_variable(project: Path, tmp_path: Path) -> None:
    baton_with(project, '[servers.api]\nurl = "https://${API_HOST}/mcp"\n')
    with pytest.raises(ConfigError) as caught:
        export_codex(load_config(project), tmp_path / "config.toml", environ={})
    assert "API_HOST" in caught.value.message and caught.value.key == "servers.api.url"
    assert not (tmp_path / "config.toml").exists()


def test_export_warns_that_codex_cannot_speak_legacy_sse(project: Path, tmp_path: Path) -> None:
    baton_with(
        project, '[servers.old]\nurl = "https://mcp.atlassian.com/v1/sse"\ntransport = "sse"\n'
    )
    report = export_codex(load_config(project), tmp_path / "config.toml")
    assert codex_tables(tmp_path / "config.toml") == {
        "old": {"url": "https://mcp.atlassian.com/v1/sse"}
    }
    assert len(report.warnings) == 1 and "--entries gateway" in report.warnings[0]


def test_export_skips_disabled_servers_and_keeps_tool_filters(
    project: Path, tmp_path: Path
) -> None:
    baton_with(
        project,
        '[servers.off]\ncommand = "x"\nenabled = false\n'
        '[servers.on]\ncommand = "y"\ntool_timeout_sec = 120\nenabled_tools = ["read"]\n'
        'disabled_tools = ["write"]\ncwd = "/srv"\n',
    )
    report = export_codex(load_config(project), tmp_path / "config.toml")
    assert report.skipped == {"off": "disabled in baton.toml"}
    assert codex_tables(tmp_path / "config.toml")["on"] == {
        "command": "y",
        "cwd": "/srv",
        "tool_timeout_sec": 120,
        "enabled_tools": ["read"],
        "disabled_tools": ["write"],
    }


def test_gateway_entry_runs_baton_serve_with_the_project_config(
    project: Path, tmp_path: Path
) -> None:
    config_file = baton_with(project, '[servers.baton]\ncommand = "other"\n')
    target = tmp_path / "config.toml"
    report = export_codex(load_config(project), target, entries=Entries.BOTH)
    assert report.skipped == {"baton": "the name 'baton' is taken by the gateway entry"}
    entry = codex_tables(target)["baton"]
    assert isinstance(entry, dict) and os.path.isabs(entry["command"])
    assert entry["args"][-3:] == ["serve", "--config", str(config_file.resolve())]


def test_gateway_command_can_be_overridden(tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    export_codex(
        load_config(tmp_path), target, entries=Entries.GATEWAY, command="uvx --from baton-mcp baton"
    )
    assert codex_tables(target) == {
        "baton": {"command": "uvx", "args": ["--from", "baton-mcp", "baton", "serve"]}
    }


def test_export_keeps_the_mode_and_writes_through_a_symlink(project: Path, tmp_path: Path) -> None:
    baton_with(project, '[servers.a]\ncommand = "a"\n')
    real = tmp_path / "dotfiles" / "config.toml"
    real.parent.mkdir()
    real.write_text('model = "o3"\n')
    real.chmod(0o640)
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    export_codex(load_config(project), link)
    assert link.is_symlink()
    assert real.read_text() == 'model = "o3"\n\n[mcp_servers.a]\ncommand = "a"\n'
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_a_codex_syntax_error_names_the_line(project: Path, tmp_path: Path) -> None:
    source = tmp_path / "codex.toml"
    source.write_text('model = "o3"\n[mcp_servers.a]\ncommand = \n')
    with pytest.raises(ConfigError) as caught:
        import_codex(source, project / "baton.toml")
    assert (caught.value.file, caught.value.line) == (str(source), 3)
    assert not (project / "baton.toml").exists()
