"""`baton policy check`: gather the project's settings files, run the pure checks, report."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from baton.cli._app import ConfigOption, JsonOption, app, die, emit, stdout
from baton.errors import BatonError

if TYPE_CHECKING:
    from baton.policy.lint import Document, Finding, Setup

__all__ = ["check"]

policy_app = typer.Typer(
    help="Check the one policy against itself and the agents' settings.", no_args_is_help=True
)
app.add_typer(policy_app, name="policy")

MAX_DOCS = 50  # instruction files read for retry counts; enough for any real .claude/ tree


def _shown(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _document(path: Path, root: Path, parse: str | None) -> Document | None:
    from baton.policy.lint import Document

    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8", errors="replace")
    data: dict[str, Any] = {}
    try:
        data = (
            json.loads(text) if parse == "json" else tomllib.loads(text) if parse == "toml" else {}
        )
    except ValueError:
        data = {}  # unparseable files are the loader's business; the checks read what they can
    return Document(_shown(path, root), text, data if isinstance(data, dict) else {})


def _gather(config_path: Path | None) -> Setup:
    from baton.config import default_codex_path, load_config, project_root
    from baton.policy.lint import SEED_CONFIG_DIRS, Setup

    loaded = load_config(config_path=config_path)
    root = project_root(loaded)
    codex_file = root / ".codex" / "config.toml"
    docs = [root / "CLAUDE.md", root / "AGENTS.md", *sorted((root / ".claude").glob("**/*.md"))]
    programs = {gate.command.split()[0] for gate in loaded.gates if gate.command.split()}
    return Setup(
        config=loaded,
        baton_files=tuple(d for p in loaded.sources if (d := _document(p, root, "toml"))),
        claude_settings=_document(root / ".claude" / "settings.json", root, "json"),
        mcp_json=_document(root / ".mcp.json", root, "json"),
        codex=_document(codex_file if codex_file.is_file() else default_codex_path(), root, "toml"),
        docs=tuple(d for p in docs[:MAX_DOCS] if (d := _document(p, root, None))),
        present_dirs=frozenset(d for d in SEED_CONFIG_DIRS if (root / d).is_dir()),
        missing_tools=frozenset(p for p in programs if shutil.which(p) is None),
    )


def _render(findings: list[Finding]) -> None:
    from rich.table import Table

    if not findings:
        stdout.print("policy check: no findings")
        return
    table = Table(title="baton policy check")
    for column in ("sev", "rule", "where", "problem", "fix"):
        table.add_column(column, overflow="fold")
    for f in findings:
        where = f"{f.file}:{f.line}" if f.line else f.file
        table.add_row(f.severity, f.rule, where, f.message, f.fix)
    stdout.print(table)


@policy_app.command("check")
def check(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Report contradictions in the policy, and drift in Claude Code, .mcp.json and Codex."""
    from baton.policy.lint import lint

    try:
        findings = lint(_gather(config))
    except BatonError as error:
        die(error)
    data = {
        "findings": [f.to_json() for f in findings],
        "p1": sum(f.severity == "P1" for f in findings),
        "p2": sum(f.severity == "P2" for f in findings),
    }
    emit(data, as_json, lambda _: _render(findings))
    if data["p1"]:
        raise typer.Exit(1)
