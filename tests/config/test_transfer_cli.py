"""`baton import` / `baton export` as a user runs them: exit codes, files, --json shapes."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"

Run = Callable[..., subprocess.CompletedProcess[str]]


def test_python_dash_m_baton_lists_the_commands(run_baton: Run, project: Path) -> None:
    result = run_baton("--help", cwd=project)
    assert result.returncode == 0
    assert "import" in result.stdout and "export" in result.stdout


def test_import_codex_reads_codex_home_by_default(
    run_baton: Run, project: Path, isolated_home: Path
) -> None:
    shutil.copy(FIXTURES / "codex_seed.toml", isolated_home / ".codex" / "config.toml")
    result = run_baton("import", "codex", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == {
        "imported": ["serena", "github_proxy", "github", "atlassian_proxy", "atlassian"],
        "skipped": [],
        "warnings": [report["warnings"][0]],
        "file": str(project / "baton.toml"),
        "dry_run": False,
    }
    assert "github_proxy: args" in report["warnings"][0]
    assert tomllib.loads((project / "baton.toml").read_text())["servers"]["github"] == {
        "url": "https://api.githubcopilot.com/mcp/",
        "bearer_token_env_var": "GITHUB_TOKEN",
    }


def test_a_second_import_skips_and_force_replaces(run_baton: Run, project: Path) -> None:
    seed = str(FIXTURES / "codex_seed.toml")
    assert run_baton("import", "codex", seed, cwd=project).returncode == 0
    again = run_baton("import", "codex", seed, "--json", cwd=project)
    assert again.returncode == 0
    skipped = json.loads(again.stdout)["skipped"]
    assert [entry["name"] for entry in skipped][:2] == ["serena", "github_proxy"]
    assert skipped[0]["reason"].endswith("(use --force to replace it)")
    forced = run_baton("import", "codex", seed, "--force", "--json", cwd=project)
    assert len(json.loads(forced.stdout)["imported"]) == 5


def test_import_goes_into_the_nearest_baton_toml(run_baton: Run, project: Path) -> None:
    (project / "baton.toml").write_text("# team config\n")
    sub = project / "pkg"
    sub.mkdir()
    result = run_baton("import", "claude", str(FIXTURES / "claude_mcp.json"), cwd=sub)
    assert result.returncode == 0, result.stderr
    assert "imported: codex, github, atlassian ->" in result.stdout
    assert (project / "baton.toml").read_text().startswith("# team config\n\n[servers.codex]\n")
    assert not (sub / "baton.toml").exists()


def test_import_claude_with_invalid_json_exits_2_naming_the_line(
    run_baton: Run, project: Path
) -> None:
    (project / ".mcp.json").write_text('{"mcpServers": {\n  "a": {"command": "x"\n}\n')
    result = run_baton("import", "claude", cwd=project)
    assert result.returncode == 2
    assert f"{project / '.mcp.json'}:4: invalid JSON" in result.stderr
    assert "hint:" in result.stderr
    assert not (project / "baton.toml").exists()


def test_import_of_a_missing_file_exits_2(
    run_baton: Run, project: Path, isolated_home: Path
) -> None:
    result = run_baton("import", "codex", "--json", cwd=project)
    assert result.returncode == 2
    assert f"{isolated_home / '.codex' / 'config.toml'}: no Codex config here" in result.stderr
    assert "set CODEX_HOME" in result.stderr


def test_export_claude_defaults_to_the_gateway_entry(run_baton: Run, project: Path) -> None:
    (project / "baton.toml").write_text('[servers.a]\ncommand = "a"\n')
    result = run_baton("export", "claude", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["exported"] == ["baton"]
    entry = json.loads((project / ".mcp.json").read_text())["mcpServers"]["baton"]
    assert Path(entry["command"]).is_absolute()
    assert entry["args"][-3:] == ["serve", "--config", str(project / "baton.toml")]


def test_export_codex_defaults_to_servers_and_dry_run_writes_nothing(
    run_baton: Run, project: Path, isolated_home: Path
) -> None:
    (project / "baton.toml").write_text('[servers.a]\ncommand = "a"\n')
    result = run_baton("export", "codex", "--dry-run", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == '[mcp_servers.a]\ncommand = "a"\n'
    assert "would be exported: a" in result.stderr
    assert not (isolated_home / ".codex" / "config.toml").exists()
    as_json = json.loads(run_baton("export", "codex", "--dry-run", "--json", cwd=project).stdout)
    assert as_json["dry_run"] is True and as_json["content"] == result.stdout


def test_export_with_a_broken_baton_toml_exits_2_naming_file_and_line(
    run_baton: Run, project: Path
) -> None:
    (project / "baton.toml").write_text(
        '[servers.a]\ncommand = "a"\nstartup_timeout_sec = "soon"\n'
    )
    result = run_baton("export", "codex", str(project / "out.toml"), cwd=project)
    assert result.returncode == 2
    assert f"{project / 'baton.toml'}:3" in result.stderr
    assert "valid number" in result.stderr
    assert not (project / "out.toml").exists()


def test_export_entries_option_rejects_unknown_values(run_baton: Run, project: Path) -> None:
    result = run_baton("export", "codex", "--entries", "everything", cwd=project)
    assert result.returncode == 2
    assert "everything" in result.stderr
