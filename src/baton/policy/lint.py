"""`baton policy check`, the pure part: contradictions inside the policy, and drift against the
settings of Claude Code, `.mcp.json` and Codex. Each check is a small function in one list.

The caller gathers the files (`Setup`); every check returns `Finding`s naming severity (P1 must
be fixed, P2 should be), rule id, file and line, and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from baton.config.schema import BatonConfig
from baton.policy.engine import Context, decide
from baton.policy.exports import HOOK_MARKER, claude_deny_rules
from baton.policy.model import ShellAction
from baton.policy.paths import first_match, normalise
from baton.routing import touching

__all__ = ["CHECKS", "Document", "Finding", "Setup", "denied_scope", "lint"]

WRITE_SANDBOXES = ("workspace-write", "danger-full-access")
SEED_CONFIG_DIRS = (".claude", "infra")  # the seed's directories that must stay with the lead


@dataclass(frozen=True)
class Document:
    """A file the check reads: where it is, its parsed data, its text (for line numbers)."""

    path: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)

    def line_of(self, needle: str) -> int | None:
        """The first line holding `needle`."""
        for number, line in enumerate(self.text.splitlines(), start=1):
            if needle in line:
                return number
        return None


@dataclass(frozen=True)
class Setup:
    """Everything the checks look at, gathered by the caller."""

    config: BatonConfig
    baton_files: tuple[Document, ...] = ()
    claude_settings: Document | None = None
    mcp_json: Document | None = None
    codex: Document | None = None
    docs: tuple[Document, ...] = ()
    present_dirs: frozenset[str] = frozenset()
    missing_tools: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Finding:
    """One problem: how bad, which rule, where, what, and the fix."""

    severity: str
    rule: str
    file: str
    line: int | None
    message: str
    fix: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return dict(self.__dict__)


def _codex_sandbox(setup: Setup) -> Iterator[Finding]:
    if setup.codex and (mode := setup.codex.data.get("sandbox_mode")) in WRITE_SANDBOXES:
        yield Finding(
            "P1",
            "write-sandbox-default",
            setup.codex.path,
            setup.codex.line_of("sandbox_mode"),
            f"Codex runs with sandbox `{mode}` by default, where the lead's deny rules "
            "and hooks cannot reach the worker",
            'set sandbox_mode = "read-only" (`baton export codex-config --force`); '
            "Baton grants workspace-write per delegation, inside its jail",
        )


def _codex_approval(setup: Setup) -> Iterator[Finding]:
    if setup.codex is None:
        return
    mode, approval = setup.codex.data.get("sandbox_mode"), setup.codex.data.get("approval_policy")
    if approval == "never" and mode in WRITE_SANDBOXES:
        yield Finding(
            "P1",
            "approval-never-with-write",
            setup.codex.path,
            setup.codex.line_of("approval_policy"),
            f"approval_policy `never` with sandbox `{mode}`: the worker writes unattended "
            "outside any jail",
            'keep approval_policy = "never" only with sandbox_mode = "read-only"',
        )


_RETRY = re.compile(
    r"(?i)(?:max[_ ]attempts\s*[=:]\s*(?P<attempts>\d+))|"
    r"(?:(?:retry|retries|re-?delegate)\D{0,30}?(?P<retries>\d+)\s*(?:times|回|retries|x\b))|"
    r"(?:(?P<count>\d+)\s*(?:retries|re-?delegations))"
)


def _retry_counts(setup: Setup) -> Iterator[Finding]:
    allowed = setup.config.review.max_attempts - 1
    for document in setup.docs:
        for number, line in enumerate(document.text.splitlines(), start=1):
            for match in _RETRY.finditer(line):
                attempts = match.group("attempts")
                retries = (
                    int(attempts) - 1
                    if attempts
                    else int(match.group("retries") or match.group("count"))
                )
                if retries != allowed:
                    yield Finding(
                        "P2",
                        "retry-count-mismatch",
                        document.path,
                        number,
                        f"says {retries} retries; [review].max_attempts = "
                        f"{setup.config.review.max_attempts} allows {allowed}",
                        "state the retry count once, in [review].max_attempts, and refer to it",
                    )


def _protected_dirs(setup: Setup) -> Iterator[Finding]:
    policy = setup.config.policy
    for directory in SEED_CONFIG_DIRS:
        if directory in setup.present_dirs and not first_match(
            normalise(f"{directory}/x"), policy.protected_paths
        ):
            yield Finding(
                "P1",
                "protected-to-worker",
                _baton_file(setup),
                None,
                f"`{directory}/` exists but is not in [policy].protected_paths: routing "
                "can send its work to the worker",
                f'add "{directory}/**" to [policy].protected_paths',
            )


def _settings_drift(setup: Setup) -> Iterator[Finding]:
    settings = setup.claude_settings
    if settings is None:
        return
    deny = set(settings.data.get("permissions", {}).get("deny") or [])
    hooks = settings.data.get("hooks", {}).get("PreToolUse") or []
    if HOOK_MARKER not in str(hooks):
        yield Finding(
            "P1",
            "hook-missing",
            settings.path,
            settings.line_of("hooks"),
            "no `baton hook` PreToolUse entry: Bash and MCP calls are judged only by "
            "static rules that miss every other spelling",
            "run `baton export claude-settings`",
        )
    missing = [rule for rule in claude_deny_rules(setup.config.policy) if rule not in deny]
    if missing:
        yield Finding(
            "P2",
            "deny-drift",
            settings.path,
            settings.line_of('"deny"'),
            f"{len(missing)} deny rules of the policy are missing, e.g. {missing[0]}",
            "run `baton export claude-settings`",
        )


def _allow_shadows_deny(setup: Setup) -> Iterator[Finding]:
    settings = setup.claude_settings
    if settings is None:
        return
    deny = set(settings.data.get("permissions", {}).get("deny") or [])
    context = Context(setup.config.policy)
    for rule in settings.data.get("permissions", {}).get("allow") or []:
        match = re.fullmatch(r"Bash(?:\((?P<prefix>[^)]*?)(?::\*)?\))?", str(rule))
        if match is None:
            continue
        prefix = match.group("prefix") or ""
        for probe in ("git push --force origin main", "git reset --hard", "sudo true"):
            covered = probe.startswith(prefix) and decide(ShellAction(probe), context).denied
            if covered and not any(
                probe.startswith(d[5:-3]) for d in deny if d.startswith("Bash(")
            ):
                yield Finding(
                    "P1",
                    "allow-shadows-deny",
                    settings.path,
                    settings.line_of(str(rule)),
                    f"`{rule}` allows `{probe}`, which the policy denies, and no deny "
                    "rule stops it",
                    "run `baton export claude-settings`",
                )
                break


def _unanchored_mcp_allow(setup: Setup) -> Iterator[Finding]:
    settings = setup.claude_settings
    if settings is None:
        return
    for rule in settings.data.get("permissions", {}).get("allow") or []:
        if str(rule).startswith("mcp__") and "*" in str(rule):
            server = str(rule).removeprefix("mcp__").split("__")[0].rstrip("*")
            yield Finding(
                "P2",
                "unanchored-mcp-allow",
                settings.path,
                settings.line_of(str(rule)),
                f"`{rule}`: Claude Code does not expand wildcards in MCP rules, so this "
                "allows nothing",
                f"write `mcp__{server or 'SERVER'}` to allow a server's tools",
            )


_LITERAL_BEARER = re.compile(r"Bearer\s+(?!\$\{)[A-Za-z0-9._\-~+/]{8,}")


def _literal_tokens(setup: Setup) -> Iterator[Finding]:
    files = [*setup.baton_files, setup.mcp_json, setup.codex]
    for document in (d for d in files if d is not None):
        for number, line in enumerate(document.text.splitlines(), start=1):
            if _LITERAL_BEARER.search(line):
                yield Finding(
                    "P1",
                    "literal-bearer-token",
                    document.path,
                    number,
                    "a bearer token is written literally in a config file",
                    "move it to an environment variable: bearer_token_env_var (Codex, "
                    'Baton) or "Bearer ${VAR}" (.mcp.json)',
                )


def denied_scope(glob: str, denied_paths: list[str]) -> str | None:
    """The denied pattern a scope glob reaches (`config/secrets/*`), as routing sees it, or None."""
    return next((pattern for _, pattern in touching([glob], denied_paths)), None)


def _scope_vs_denied(setup: Setup) -> Iterator[Finding]:
    for module in setup.config.routing.modules:
        if denied := denied_scope(module, setup.config.policy.denied_paths):
            yield Finding(
                "P2",
                "scope-intersects-denied",
                _baton_file(setup),
                None,
                f"scope `{module}` lies in denied path `{denied}`: the worker never "
                "sees those files",
                "narrow the glob or move the files",
            )


def _gate_tools(setup: Setup) -> Iterator[Finding]:
    for gate in setup.config.gates:
        program = gate.command.split()[0] if gate.command.split() else ""
        if program in setup.missing_tools:
            yield Finding(
                "P2",
                "gate-missing-tool",
                _baton_file(setup),
                None,
                f"gate `{gate.name}` runs `{program}`, which is not installed",
                f"install {program} or change [gates] {gate.name}",
            )


def _baton_file(setup: Setup) -> str:
    return setup.baton_files[-1].path if setup.baton_files else "baton.toml"


CHECKS: list[Callable[[Setup], Iterator[Finding]]] = [
    _codex_sandbox,
    _codex_approval,
    _retry_counts,
    _protected_dirs,
    _settings_drift,
    _allow_shadows_deny,
    _unanchored_mcp_allow,
    _literal_tokens,
    _scope_vs_denied,
    _gate_tools,
]


def lint(setup: Setup) -> list[Finding]:
    """Every finding of every check, P1 first."""
    findings = [finding for check in CHECKS for finding in check(setup)]
    return sorted(findings, key=lambda f: (f.severity, f.file, f.line or 0))
