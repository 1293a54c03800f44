"""Denied-command rules: one small function per rule, registered in one default table.

Each rule looks at one `SimpleCommand` (already unwrapped from chains, subshells and wrappers)
and returns why it is denied, or None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from baton.policy.shell import SimpleCommand

__all__ = ["COMMAND_RULES", "CommandRule", "path_arguments"]

# git options that come before the subcommand; those in the first set take a separate value.
_GIT_VALUED = {
    "-c",
    "-C",
    "--git-dir",
    "--work-tree",
    "--namespace",
    "--exec-path",
    "--super-prefix",
    "--config-env",
    "--list-cmds",
}


@dataclass(frozen=True)
class CommandRule:
    """A named rule: what it forbids, and the check."""

    id: str
    description: str
    check: Callable[[SimpleCommand], str | None]


def _git_subcommand(command: SimpleCommand) -> tuple[str, list[str], list[str]]:
    """(subcommand, its arguments, the -c config values given before it)."""
    args, configs, index = list(command.argv[1:]), [], 0
    while index < len(args) and args[index].startswith("-"):
        word = args[index]
        if word in _GIT_VALUED and index + 1 < len(args):
            if word == "-c":
                configs.append(args[index + 1])
            index += 2
        else:
            if word.startswith("-c") and len(word) > 2:
                configs.append(word[2:])
            index += 1
    if index >= len(args):
        return "", [], configs
    return args[index], args[index + 1 :], configs


def _short_flags(word: str) -> str:
    return word[1:] if word.startswith("-") and not word.startswith("--") else ""


def _force_push(command: SimpleCommand) -> str | None:
    if command.name != "git":
        return None
    sub, args, configs = _git_subcommand(command)
    for config in configs:  # `git -c alias.p='push --force' p`
        key, _, value = config.partition("=")
        if key.startswith("alias.") and "push" in value and ("-f" in value or "--force" in value):
            return f"git alias `{key}` runs a force push"
    if sub != "push":
        return None
    for word in args:
        if word in ("--force", "--mirror") or word.startswith("--force-with-lease"):
            return f"`git push {word}` rewrites remote history"
        if word.startswith("--force-if-includes") or "f" in _short_flags(word):
            return f"`git push {word}` force-pushes"
        if word.startswith("+") and len(word) > 1:
            return f"refspec `{word}` force-updates the remote branch"
    return None


def _reset_hard(command: SimpleCommand) -> str | None:
    if command.name != "git":
        return None
    sub, args, _ = _git_subcommand(command)
    if sub == "reset" and "--hard" in args:
        return "`git reset --hard` discards uncommitted work"
    return None


_ROOTS = {"/", "/*", "/.", "~", "~/", "~/*", "$HOME", "${HOME}", "$HOME/", "${HOME}/", "$HOME/*"}


def _rm_root(command: SimpleCommand) -> str | None:
    if command.name != "rm":
        return None
    args = list(command.argv[1:])
    recursive = any(
        word in ("--recursive", "--no-preserve-root") or {"r", "R"} & set(_short_flags(word))
        for word in args
    )
    for word in args:
        target = word if word in ("/", "~/") else word.rstrip("/") or "/"
        if recursive and (word in _ROOTS or target in _ROOTS):
            return f"`rm -r {word}` deletes the whole file system or home directory"
    return None


def _privilege(command: SimpleCommand) -> str | None:
    if command.name in ("sudo", "doas", "su", "pkexec", "run0"):
        return f"`{command.name}` runs commands with elevated privileges"
    return None


_CURL_DATA = ("-d", "--data", "--data-binary", "--data-urlencode", "--json", "--data-ascii")


def _curl_upload(args: list[str]) -> str | None:
    for index, word in enumerate(args):
        value = args[index + 1] if index + 1 < len(args) else ""
        if word in ("-F", "--form") or word.startswith("-F") or word.startswith("--form="):
            return f"`curl {word}` uploads form data"
        if word in ("-T", "--upload-file") or word.startswith("-T"):
            return "`curl -T` uploads a file"
        if word in _CURL_DATA and "@" in value:
            return f"`curl {word} {value}` uploads a file's contents"
        if any(word.startswith(f"{flag}=@") or word.startswith(f"{flag}@") for flag in _CURL_DATA):
            return f"`curl {word}` uploads a file's contents"
        if word.startswith("-d") and "@" in word:
            return f"`curl {word}` uploads a file's contents"
    return None


def _upload(command: SimpleCommand) -> str | None:
    args = list(command.argv[1:])
    if command.name == "curl":
        return _curl_upload(args)
    if command.name == "wget":
        for word in args:
            if word.startswith(("--post-file", "--body-file")):
                return f"`wget {word}` uploads a file"
    return None


COMMAND_RULES: dict[str, CommandRule] = {
    rule.id: rule
    for rule in (
        CommandRule(
            "force-push", "force push (-f, --force, --force-with-lease, +refspec)", _force_push
        ),
        CommandRule("reset-hard", "git reset --hard", _reset_hard),
        CommandRule("rm-root", "rm -rf of / or ~", _rm_root),
        CommandRule("privilege", "sudo and other privilege escalation", _privilege),
        CommandRule(
            "upload",
            "uploads: curl -F/--form/-d @file/--data-binary @/-T, wget --post-file",
            _upload,
        ),
    )
}


def path_arguments(command: SimpleCommand) -> list[str]:
    """Words of a command that may name files: operands, `--opt=value` values, `@file` data."""
    found: list[str] = []
    for word in command.argv[1:]:
        if "://" in word or not word:
            continue
        if word.startswith("-"):
            _, sep, value = word.partition("=")
            if sep and value:
                found.append(value.lstrip("@"))
            elif "@" in word:
                found.append(word.split("@", 1)[1])
            continue
        found.append(word.split("=@", 1)[1] if "=@" in word else word.lstrip("@"))
    return found
