"""`baton audit`: the diff audit and the quality gates on a branch, for CI; SARIF for code scanning.

The seed's "MCP in development, CLI in CI": the checks a worker's diff goes through — scope,
denied and protected paths, escaping symlinks, secrets on added lines — on what the branch
committed since the merge-base of `--base` and HEAD (`--worktree` adds uncommitted work), then
the project's gates in the checkout. Findings on stdout (`--json` for machines), gate progress on
stderr, `--sarif FILE` for code-scanning UIs; exit 0 clean, 1 on any finding or failed gate,
2 for bad input (not a git checkout, an unknown revision, a bad glob or config).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from baton.cli._app import ConfigOption, JsonOption, app, die, emit, stderr, stdout
from baton.errors import BatonError, UsageError

if TYPE_CHECKING:
    from baton.audit import Finding, GateOutcome
    from baton.config.schema import BatonConfig
    from baton.delegation.branch import BranchChanges
    from baton.delegation.gates import Gate

__all__ = ["audit_command"]

BaseOption = Annotated[
    str | None,
    typer.Option(
        "--base",
        metavar="REV",
        help="Audit what HEAD changed since its merge-base with REV "
        "(default: origin/HEAD, origin/main, origin/master, main or master, the first found).",
        show_default=False,
    ),
]
ScopeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--scope",
        metavar="GLOB",
        help="A path the branch may change (gitignore-style, repeatable); any other changed path "
        "is a finding. Default: no scope check.",
        show_default=False,
    ),
]
SarifOption = Annotated[
    Path | None,
    typer.Option(
        "--sarif",
        metavar="FILE",
        dir_okay=False,
        help="Also write the findings as SARIF 2.1.0 to FILE (for code-scanning uploads).",
        show_default=False,
    ),
]
WorktreeOption = Annotated[
    bool,
    typer.Option(
        "--worktree", help="Include uncommitted work: staged, unstaged and untracked files."
    ),
]
NoGatesOption = Annotated[bool, typer.Option("--no-gates", help="Audit the diff only.")]

_STAGES = ("security", "spec", "quality")
_COLOURS = {"passed": "green", "skipped": "yellow"}
# Where a detected gate comes from, for code scanning (which wants a file for every result).
_MANIFESTS = {"npm": ("package.json",)}
_PYTHON_MANIFESTS = ("pyproject.toml", "setup.py", "setup.cfg")


def _checked_scope(globs: list[str]) -> list[str]:
    """The `--scope` globs, each relative to the repository root and valid gitignore-style."""
    from baton.policy.paths import matcher

    for glob in globs:
        why = None
        if not glob.strip() or glob.startswith(("/", "!", "#")) or ".." in glob.split("/"):
            why = "must be a glob relative to the repository root (no leading /, ! or #, no ..)"
        elif any(ord(c) < 32 or ord(c) == 127 for c in glob):
            why = "holds a control character"
        else:
            try:
                matcher([glob])
            except ValueError as exc:
                why = f"is not a valid glob: {exc}"
        if why:
            raise UsageError(f"--scope '{glob}' {why}", hint="e.g. --scope 'src/billing/**'")
    return globs


def _audit(branch: BranchChanges, config: BatonConfig, scope: list[str]) -> list[Finding]:
    """Path findings (scope only when given) then secrets on added lines, as the pipeline does."""
    from baton.audit import audit_changes, scan_added_lines

    policy = config.policy
    found = audit_changes(
        branch.changes, scope=scope, denied=policy.denied_paths, protected=policy.protected_paths
    )
    if not scope:
        found = [finding for finding in found if finding.rule != "out-of-scope"]
    # Known token formats only, as for a worker's diff: entropy alone flags too much in CI.
    found += scan_added_lines(
        branch.diff, extra_patterns=policy.redact_patterns, high_entropy=False
    )
    return found


async def _progress(line: str) -> None:
    status = line.split(": ", 1)[1].split(" ", 1)[0]
    colour = _COLOURS.get(status, "red")
    stderr.print(f"[{colour}]{escape(line)}[/]", highlight=False, soft_wrap=True)


def _run_gates(gates: list[Gate], root: Path) -> list[GateOutcome]:
    import anyio

    from baton.delegation.gates import run_gates

    if not gates:
        stderr.print(f"no gates for {escape(str(root))}: none in baton.toml, none detected")
        return []
    stderr.print(f"running {len(gates)} gates in {escape(str(root))}", highlight=False)

    async def run() -> list[GateOutcome]:
        return await run_gates(gates, root, on_progress=_progress)

    return anyio.run(run)


def _gate_file(gate: Gate, config: BatonConfig, gates_root: Path, repo: Path) -> str:
    """The file a gate comes from, relative to the repository: baton.toml, or the manifest."""
    names: tuple[str, ...] = ("baton.toml",)
    if not gate.detected and config.project_file is not None:
        candidates = [config.project_file]
    else:
        names = _MANIFESTS.get(gate.requires or "", _PYTHON_MANIFESTS)
        candidates = [gates_root / name for name in names if (gates_root / name).is_file()]
    for candidate in candidates:
        if candidate.resolve().is_relative_to(repo):
            return candidate.resolve().relative_to(repo).as_posix()
    return (gates_root / names[0]).relative_to(repo).as_posix()


def _gate_row(gate: Gate, outcome: GateOutcome) -> dict[str, Any]:
    return {"name": gate.name, "command": gate.command, "source": gate.source} | {
        key: value for key, value in outcome.to_dict().items() if key not in ("name", "command")
    }


def _write_sarif(path: Path, log: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(log, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot write the SARIF log to {path}: {exc.strerror or exc}",
            hint="name a writable file with --sarif FILE",
        ) from exc
    stderr.print(f"SARIF written to {escape(str(path))}", highlight=False)


def _summary(findings: list[dict[str, Any]]) -> str:
    counts = [f"{sum(f['stage'] == s for f in findings)} {s}" for s in _STAGES]
    return f"{len(findings)} findings ({', '.join(c for c in counts if not c.startswith('0 '))})"


def _render(data: dict[str, Any]) -> None:
    base, head = data["base"], data["head"]
    tree = " + the working tree" if data["worktree"] else ""
    stdout.print(
        f"audit of {len(data['changes'])} changed paths: {escape(base['rev'])} "
        f"(merge-base {base['merge_base'][:12]}) .. HEAD ({head[:12]}){tree}",
        highlight=False,
        soft_wrap=True,
    )
    for stage in _STAGES:
        group = [finding for finding in data["findings"] if finding["stage"] == stage]
        if group:
            stdout.print(f"[bold]{stage}[/] ({len(group)})")
        for finding in group:
            where = (finding["path"] or "") + (f":{finding['line']}" if "line" in finding else "")
            header = f"  [red]✗[/] \\[{finding['rule']}] {escape(where)}".rstrip()
            stdout.print(header, highlight=False)
            message = "\n".join("      " + line for line in finding["message"].splitlines())
            stdout.print(escape(message), highlight=False, soft_wrap=True)
    if data["gates"] is None:
        stdout.print("gates: not run (--no-gates)")
    else:
        shown = [f"{gate['name']} {gate['status']}" for gate in data["gates"]]
        shown = shown or ["none (none in baton.toml, none detected)"]
        stdout.print(f"gates: {escape(', '.join(shown))}", highlight=False)
    if data["passed"]:
        stdout.print("[bold green]passed[/]: no findings")
    else:
        stdout.print(f"[bold red]failed[/]: {_summary(data['findings'])}", highlight=False)


def _data(
    branch: BranchChanges, scope: list[str], findings: list[Finding], gates: list[Any] | None
) -> dict[str, Any]:
    return {
        "repository": str(branch.root),
        "base": {"rev": branch.base_rev, "merge_base": branch.base},
        "head": branch.head,
        "worktree": branch.worktree,
        "scope": scope,
        "changes": [
            {"path": c.path, "status": c.status, "old_path": c.old_path} for c in branch.changes
        ],
        "findings": [finding.to_dict() for finding in findings],
        "gates": gates,
        "passed": not findings,
    }


def _gates_root(config: BatonConfig, branch: BranchChanges) -> Path:
    """Where the gates run: beside the project's baton.toml when it is in the repository."""
    root = config.project_file.parent if config.project_file else branch.root
    return root if root.resolve().is_relative_to(branch.root) else branch.root


def _sarif(
    path: Path, branch: BranchChanges, config: BatonConfig, findings: list[Finding],
    gates: list[tuple[Gate, GateOutcome]], passed: bool,
) -> None:  # fmt: skip
    from baton import __version__
    from baton.audit.sarif import sarif_log

    root = _gates_root(config, branch)
    files = {gate.name: _gate_file(gate, config, root, branch.root) for gate, _ in gates}
    log = sarif_log(
        findings, [outcome for _, outcome in gates], tool_version=__version__, gate_files=files,
        root_uri=branch.root.as_uri() + "/", exit_code=0 if passed else 1,
    )  # fmt: skip
    _write_sarif(path, log)


@app.command("audit")
def audit_command(
    base: BaseOption = None,
    scope: ScopeOption = None,
    sarif: SarifOption = None,
    worktree: WorktreeOption = False,
    no_gates: NoGatesOption = False,
    as_json: JsonOption = False,
    config_path: ConfigOption = None,
) -> None:
    """Audit a branch for CI: scope, denied/protected paths, secrets, then the gates; exit 1 on
    any finding."""
    from baton.audit import audit_gates
    from baton.config.loading import load_config
    from baton.delegation.branch import branch_changes
    from baton.delegation.gates import gates_for

    try:
        globs = _checked_scope(scope or [])
        branch = branch_changes(Path.cwd(), base, worktree=worktree)
        config = load_config(Path.cwd(), config_path=config_path)
        findings = _audit(branch, config, globs)
    except BatonError as error:
        die(error)
    gates: list[tuple[Gate, GateOutcome]] = []
    if not no_gates:
        root = _gates_root(config, branch)
        chosen = gates_for(config.gates, root)
        gates = list(zip(chosen, _run_gates(chosen, root), strict=True))
    findings += audit_gates([outcome for _, outcome in gates])
    rows = None if no_gates else [_gate_row(gate, outcome) for gate, outcome in gates]
    data = _data(branch, globs, findings, rows)
    emit(data, as_json, _render)
    if sarif is not None:
        try:
            _sarif(sarif, branch, config, findings, gates, data["passed"])
        except BatonError as error:
            die(error)
    raise typer.Exit(0 if data["passed"] else 1)
