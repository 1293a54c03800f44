"""`baton demo`: a sample project, six delegations to the real Codex CLI, then the report.

The command checks what the demo needs (the Codex CLI, bubblewrap, git, pytest; `--live`: a key),
writes the sample project (`baton.demo.sample`), runs the delegations (`baton.demo.run`) with a
live table of each one's stage on stderr (`_demo_board`), and prints the outcome and the report
on stdout.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from baton.cli._app import die, emit, stderr, stdout
from baton.cli._demo_board import VERDICT_COLOURS
from baton.errors import BatonError, UsageError

if TYPE_CHECKING:
    from baton.demo.run import DemoRun, Model

__all__ = ["delegation_demo", "find_codex"]

# One scripted worker call takes a few seconds; a real model's may take minutes.
SCRIPTED_WORKER_TIMEOUT_SEC = 60.0
LIVE_WORKER_TIMEOUT_SEC = 600.0
JAIL_HINT = (
    "install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`, Fedora: `sudo dnf "
    "install bubblewrap`; `make install` does it as root), or run `baton demo --unjailed` to "
    "let the worker run without a jail"
)
# The package's own entry point, not `node_modules/.bin/codex`: that link is whichever package
# last installed a `codex` binary.
CODEX_IN_PEERS = Path("node_modules", "@openai", "codex", "bin", "codex.js")


def find_codex() -> Path:
    """The Codex CLI: the one pinned in Baton's npm peers (`make install`), else `codex` on PATH."""
    for base in (Path.cwd(), Path(__file__).resolve().parents[3]):
        local = base / CODEX_IN_PEERS
        if local.is_file():
            return local
    found = shutil.which("codex")
    if found is None:
        raise UsageError(
            f"the Codex CLI was not found (no {CODEX_IN_PEERS}, no `codex` on PATH)",
            hint="run `make install` (or `npm ci`) in Baton's checkout, or install "
            "@openai/codex so that `codex` is on PATH",
        )
    return Path(found)


def _codex_version(codex: Path) -> str | None:
    for parent in codex.resolve().parents:
        manifest = parent / "package.json"
        if manifest.is_file():
            data = json.loads(manifest.read_text())
            return str(data["version"]) if data.get("name") == "@openai/codex" else None
    return None


@dataclass(frozen=True)
class _Setup:
    """What the demo runs with, once the preconditions hold."""

    codex: Path
    live: bool
    jailed: bool  # bubblewrap is there (without it, only `--unjailed` gets this far)
    unjailed: bool


def _preconditions(live: bool, unjailed: bool) -> _Setup:
    """What the demo runs with, once everything it needs is known to be there."""
    if live and not os.environ.get("OPENAI_API_KEY"):
        raise UsageError(
            "--live needs OPENAI_API_KEY: the worker uses OpenAI's models with your key",
            hint="set OPENAI_API_KEY, or run `baton demo` without --live for the scripted model",
        )
    jailed = shutil.which("bwrap") is not None
    if not jailed and not unjailed:
        raise UsageError("bubblewrap (bwrap) is not installed: the worker cannot be jailed",
                         hint=JAIL_HINT)  # fmt: skip
    codex = find_codex()
    if codex.resolve().suffix == ".js" and shutil.which("node") is None:
        raise UsageError("the Codex CLI needs Node.js, and `node` is not on PATH")
    if shutil.which("git") is None:
        raise UsageError("git is not installed: the sample project is a git repository")
    import importlib.util

    if importlib.util.find_spec("pytest") is None:
        raise UsageError(
            "pytest is not installed: the sample project's quality gate runs it",
            hint="`make install`, or `pip install pytest` in Baton's environment",
        )
    return _Setup(codex, live, jailed, unjailed)


def _check_dir(directory: Path | None) -> None:
    if directory is not None and directory.exists() and any(directory.iterdir()):
        raise UsageError(f"{directory} is not empty: the demo writes a new project there",
                         hint="name a new or empty directory")  # fmt: skip


def _sample_dir(stack: ExitStack, directory: Path | None, keep: bool) -> Path:
    if directory is not None:
        return directory.resolve()
    root = Path(tempfile.mkdtemp(prefix="baton-demo-"))
    if not keep:
        stack.callback(shutil.rmtree, root, True)
    return root


def delegation_demo(
    *, as_json: bool, live: bool, directory: Path | None, keep: bool, unjailed: bool
) -> None:
    """Run the delegation demo and print its outcome; exit 1 unless it completed."""
    try:
        _check_dir(directory)
        setup = _preconditions(live, unjailed)
        with ExitStack() as stack:
            root = _sample_dir(stack, directory, keep)
            home = Path(tempfile.mkdtemp(prefix="baton-demo-codex-"))
            stack.callback(shutil.rmtree, home, True)
            started = time.monotonic()
            run, model_name = _run(root, home, setup, as_json)
            seconds = time.monotonic() - started
    except BatonError as error:
        die(error)
    kept = keep or directory is not None
    data = _data(run, model_name, setup.jailed, root if kept else None, seconds)
    emit(data, as_json, lambda _: _render(run, data))
    if not run.completed:
        raise typer.Exit(1)


def _run(root: Path, home: Path, setup: _Setup, quiet: bool) -> tuple[DemoRun, str]:
    import anyio

    from baton.cli._demo_board import Board
    from baton.demo.run import LiveModel, ScriptedModel, run_delegations
    from baton.demo.sample import SampleSettings, write_sample
    from baton.demo.tasks import DEMO_TASKS

    model: Model = LiveModel(home) if setup.live else ScriptedModel(home)
    timeout = LIVE_WORKER_TIMEOUT_SEC if setup.live else SCRIPTED_WORKER_TIMEOUT_SEC
    settings = SampleSettings([str(setup.codex)], model.env_vars, timeout, setup.unjailed)
    config = write_sample(root, settings)
    if not quiet:
        _banner(root, setup)
    board = Board([(demo.size, demo.title) for demo in DEMO_TASKS])
    with board.live(disabled=quiet):
        run = anyio.run(run_delegations, config, model, DEMO_TASKS, board.update)
    return run, model.name


def _banner(root: Path, setup: _Setup) -> None:
    version = _codex_version(setup.codex)
    codex = f"the Codex CLI {version}" if version else f"the Codex CLI ({setup.codex})"
    jail = "jailed with bubblewrap" if setup.jailed else "[bold red]not jailed[/] (--unjailed)"
    stderr.print("[bold]baton demo[/] — six delegations of the seed's sizes (S, M, edge cases)")
    if setup.live:
        model = (
            "[bold]The model is live[/]: OpenAI's, with your OPENAI_API_KEY; what it does is "
            "its own."
        )
    else:
        model = (
            "[bold]The model is scripted[/]: a local stand-in for the OpenAI API answers each "
            "turn from a script written for this demo."
        )
    stderr.print(f"  {model}")
    stderr.print(
        f"  Everything else is real: {escape(codex)} (`codex exec`), {jail}; git; "
        "the SQLite ledger; the project's pytest gate.",
        highlight=False,
    )
    stderr.print(f"  sample project: {escape(str(root))}", highlight=False)


def _data(
    run: DemoRun, model: str, jailed: bool, project: Path | None, seconds: float
) -> dict[str, Any]:
    return {
        "model": model,
        "jailed": jailed,
        "completed": run.completed,
        "delegations": [delegated.to_dict() for delegated in run.delegations],
        "report": run.report.to_dict(),
        "sample_tests": {"passed": run.tests_passed, "summary": run.tests_summary},
        "project": str(project) if project else None,
        "ledger": str(run.ledger) if project else None,
        "seconds": round(seconds, 1),
    }


def _render(run: DemoRun, data: dict[str, Any]) -> None:
    from baton.report import render_table

    jail = "bubblewrap" if data["jailed"] else "no jail"
    real = f"Codex CLI, {jail}, git, SQLite and pytest: real"
    table = Table(title=f"Six delegations (model: {data['model']}; {real})", title_justify="left")
    for column in ("#", "size", "task", "verdict", "attempts", "review found", "applied", "s"):
        table.add_column(column, no_wrap=column in ("task", "verdict"))
    for index, item in enumerate(data["delegations"], start=1):
        colour = VERDICT_COLOURS.get(item["verdict"], "red")
        table.add_row(
            str(index), item["size"], escape(item["title"]),
            Text(item["verdict"], style=colour), str(item["attempts"]),
            escape(", ".join(item["findings"]) or "—"), escape(", ".join(item["applied"]) or "—"),
            f"{item['seconds']:.1f}",
        )  # fmt: skip
    stdout.print(table)
    for index, delegated in enumerate(run.delegations, start=1):
        if delegated.result.verdict != "passed":
            line = f"  #{index} {delegated.result.verdict}: {delegated.result.next_step()}"
            stdout.print(escape(line), highlight=False)
    stdout.print()
    stdout.print(render_table(run.report))
    mark = "[green]pass[/]" if run.tests_passed else "[red]fail[/]"
    stdout.print(f"sample project's own tests: {mark} ({escape(run.tests_summary)})")
    if data["project"]:
        where = escape(data["project"])
        stdout.print(f"sample project kept at {where}; its ledger is {escape(data['ledger'])}",
                     highlight=False)  # fmt: skip
        look = f"  look around: cd {where} && git log --oneline && baton runs && baton report"
        stdout.print(look, highlight=False)
    stdout.print(f"done in {data['seconds']:.1f} s", highlight=False)
