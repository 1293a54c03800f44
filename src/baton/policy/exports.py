"""Settings derived from the one policy, for Claude Code and Codex. Pure: policy in, data out.

Claude Code gets static deny rules (defence in depth: they cannot see inside `bash -c` or a
symlink) plus the `baton hook` entry that judges every call with the full engine. Codex gets
safe defaults for runs outside Baton: read-only, never asking (an unanswered approval hangs it).
"""

from __future__ import annotations

from typing import Any

from baton.config.schema import PolicyConfig

__all__ = ["HOOK_MARKER", "claude_settings", "codex_config", "merge_claude_settings"]

HOOK_MARKER = "baton hook"

# Static Bash rules per command rule (`:*` = prefix; none = that exact command). Kept narrow so
# they never block a benign command (`rm -rf /tmp/x`); the hook catches every other spelling.
_BASH_RULES: dict[str, tuple[str, ...]] = {
    "force-push": ("git push --force:*", "git push -f:*", "git push --force-with-lease:*"),
    "reset-hard": ("git reset --hard:*",),
    "rm-root": ("rm -rf /", "rm -rf ~", "rm -fr /", "rm -rf /*"),
    "privilege": ("sudo:*", "doas:*"),
    "upload": ("curl -F:*", "curl --form:*", "wget --post-file:*"),
}


def _claude_path(glob: str) -> str:
    """A policy glob in Claude Code's rule syntax (gitignore-style, `./` = project root)."""
    if glob.startswith(("**/", "/", "~/", "./")):
        return glob
    return f"**/{glob}" if "/" not in glob.rstrip("/") else f"./{glob}"


def claude_deny_rules(policy: PolicyConfig) -> list[str]:
    """`permissions.deny` entries for the policy's denied paths and commands."""
    rules = [
        f"{tool}({_claude_path(glob)})" for glob in policy.denied_paths for tool in ("Read", "Edit")
    ]
    for rule_id in policy.denied_commands:
        rules.extend(f"Bash({rule})" for rule in _BASH_RULES.get(rule_id, ()))
    return rules


def claude_settings(policy: PolicyConfig, hook_command: str) -> dict[str, Any]:
    """The `.claude/settings.json` content Baton owns."""
    entry = {"type": "command", "command": hook_command}
    return {
        "permissions": {"deny": claude_deny_rules(policy)},
        "hooks": {"PreToolUse": [{"matcher": "*", "hooks": [entry]}]},
    }


def merge_claude_settings(
    existing: dict[str, Any], ours: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """`existing` plus Baton's entries, every other key kept; also returns what was added."""
    merged = dict(existing)
    permissions = dict(merged.get("permissions") or {})
    deny = list(permissions.get("deny") or [])
    added = [rule for rule in ours["permissions"]["deny"] if rule not in deny]
    permissions["deny"] = deny + added
    merged["permissions"] = permissions
    hooks = dict(merged.get("hooks") or {})
    pre = [group for group in hooks.get("PreToolUse") or [] if not _is_ours(group)]
    hooks["PreToolUse"] = [*pre, *ours["hooks"]["PreToolUse"]]
    merged["hooks"] = hooks
    return merged, [*added, "hook: " + ours["hooks"]["PreToolUse"][0]["hooks"][0]["command"]]


def _is_ours(group: Any) -> bool:
    hooks = group.get("hooks", []) if isinstance(group, dict) else []
    return any(
        HOOK_MARKER in str(hook.get("command", "")) for hook in hooks if isinstance(hook, dict)
    )


def codex_config(policy: PolicyConfig) -> dict[str, Any]:
    """Top-level Codex `config.toml` keys for runs outside Baton's jail."""
    del policy  # the same for every policy today; kept so a stricter policy can tighten it
    return {
        "sandbox_mode": "read-only",
        "approval_policy": "never",
        "sandbox_workspace_write": {"network_access": False},
    }
