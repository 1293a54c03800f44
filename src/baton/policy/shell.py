"""Shell command lines taken apart with bashlex into the simple commands they would run.

Everything a command line can hide a command in is opened: `&&`, `;`, `|` chains, subshells,
`$(...)` and backticks, loops and conditionals, and the wrappers that run their arguments as a
command (`bash -c`, `sh -c`, `env`, `xargs`, `sudo`, `nohup`, `timeout`, `nice`, `exec`, ...).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ShellParseError", "SimpleCommand", "simple_commands"]

# Wrappers that run the rest of their arguments as a command, and how many leading option
# words of theirs take a value (so `timeout -s KILL 5 git push -f` finds `git`).
_WRAPPERS = {
    "env",
    "xargs",
    "sudo",
    "doas",
    "nohup",
    "nice",
    "timeout",
    "exec",
    "command",
    "builtin",
    "stdbuf",
    "ionice",
    "chroot",
    "time",
    "watch",
    "su",
}
_SHELLS = {"bash", "sh", "zsh", "dash", "ksh", "fish"}
# Nesting deeper than this is itself a sign of evasion; the engine treats it as unanalysable.
MAX_DEPTH = 8


# A line with none of these holds exactly one simple command, and POSIX shlex splits it into the
# same words bashlex would, at a fraction of the cost; anything else goes to bashlex.
_SHELL_SYNTAX = frozenset("$`;&|()<>\n\\{}#")


_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")  # NAME=value and NAME+=value


class ShellParseError(ValueError):
    """The command line could not be parsed, so it cannot be judged."""


@dataclass(frozen=True)
class SimpleCommand:
    """One command that would run: its words, and the files it redirects from or to."""

    argv: tuple[str, ...]
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    via: tuple[str, ...] = field(default=(), compare=False)

    @property
    def name(self) -> str:
        """The program's base name (`/usr/bin/git` → `git`)."""
        return self.argv[0].rsplit("/", 1)[-1] if self.argv else ""


def simple_commands(line: str, depth: int = 0) -> list[SimpleCommand]:
    """Every simple command `line` would run, wrappers and nesting opened."""
    if depth > MAX_DEPTH:
        raise ShellParseError("commands nested too deeply to analyse")
    if not _SHELL_SYNTAX.intersection(line):
        return _plain(line, depth)
    # Imported on the first line that needs it: bashlex costs ~80 ms to import, which every
    # `baton serve` would otherwise pay before its first answer.
    import bashlex
    import bashlex.errors

    try:
        trees = bashlex.parse(line)
    except (bashlex.errors.ParsingError, NotImplementedError, IndexError, AttributeError) as exc:
        raise ShellParseError(f"cannot parse shell command: {exc}") from exc
    found: list[SimpleCommand] = []
    for tree in trees:
        for command in _walk(tree):
            found.extend(_unwrap(command, depth))
    return found


def _plain(line: str, depth: int) -> list[SimpleCommand]:
    try:
        words = shlex.split(line)
    except ValueError as exc:  # an unclosed quote
        raise ShellParseError(f"cannot parse shell command: {exc}") from exc
    while words and _ASSIGNMENT.match(words[0]):
        words.pop(0)  # leading VAR=value assignments
    return _unwrap(SimpleCommand(tuple(words)), depth) if words else []


def _walk(node: Any) -> Iterator[SimpleCommand]:
    if node.kind == "command":
        yield _simple(node)
    for attribute in ("parts", "list"):
        for child in getattr(node, attribute, None) or []:
            yield from _walk(child)
    inner = getattr(node, "command", None)
    if inner is not None and hasattr(inner, "kind"):
        yield from _walk(inner)
    output = getattr(node, "output", None)
    if node.kind == "redirect" and output is not None and hasattr(output, "kind"):
        yield from _walk(output)


def _simple(node: Any) -> SimpleCommand:
    argv: list[str] = []
    reads: list[str] = []
    writes: list[str] = []
    for part in node.parts:
        if part.kind == "word":
            argv.append(part.word)
        elif part.kind == "redirect" and hasattr(part.output, "word"):
            (reads if part.type in ("<", "<>") else writes).append(part.output.word)
    while argv and _ASSIGNMENT.match(argv[0]):
        argv.pop(0)  # leading VAR=value assignments
    return SimpleCommand(tuple(argv), tuple(reads), tuple(writes))


def _unwrap(command: SimpleCommand, depth: int) -> list[SimpleCommand]:
    """The command itself, plus whatever it runs through a wrapper or a `-c` string."""
    result = [command]
    name, args = command.name, list(command.argv[1:])
    if name in _SHELLS and "-c" in args:
        script = args[args.index("-c") + 1] if args.index("-c") + 1 < len(args) else ""
        result.extend(simple_commands(script, depth + 1))
    elif name in _WRAPPERS:
        rest = _after_wrapper_options(name, args)
        if rest:
            inner = SimpleCommand(tuple(rest), via=(*command.via, name))
            result.extend(_unwrap(inner, depth + 1))
    return result


def _after_wrapper_options(name: str, args: list[str]) -> list[str]:
    """The command words after a wrapper's own options and operands."""
    index = 0
    takes_value = {"-u", "-g", "-n", "-s", "-k", "-E", "-I", "-L", "-P", "-d", "-a", "-C", "-p"}
    while index < len(args):
        word = args[index]
        if word == "--":
            return args[index + 1 :]
        if name == "env" and "=" in word and not word.startswith("-"):
            index += 1
        elif word.startswith("-"):
            index += 2 if word in takes_value else 1
        elif name == "timeout" or (name == "nice" and word.lstrip("-").isdigit()):
            index += 1  # the duration / niceness operand
            name = ""  # only one such operand
        else:
            return args[index:]
    return []
