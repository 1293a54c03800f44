"""Secrets the worker wrote: known token formats, PEM keys and random-looking strings. Pure.

Only added lines are scanned (a removed secret is the fix, not the problem). Detection is
`baton.policy.redact`, the same one the gateway applies to tool results, so the two agree on what
a secret is; a finding names the file, line and kind, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from baton.audit._diff import AddedLine, added_lines
from baton.audit._findings import Finding
from baton.audit.spec import display
from baton.errors import ConfigError
from baton.policy.redact import redact

__all__ = ["scan_added_lines"]

PRIVATE_KEY = "private key"
# redact's "private key" needs BEGIN..END in one text; in a diff each line of the key is its own.
_PEM_BEGIN = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_PEM_END = re.compile(r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
# Long random strings that are not secrets: lock-file integrity hashes, go.sum hashes, data URIs.
_NOT_SECRET = re.compile(
    r"(?:sha(?:1|256|384|512)-|h1:)[A-Za-z0-9+/]{20,}={0,2}"
    r"|data:[\w/+.-]*;base64,[A-Za-z0-9+/]+={0,2}"
)
_NO_PATTERNS: Mapping[str, str] = MappingProxyType({})


def _compile(patterns: Mapping[str, str]) -> dict[str, re.Pattern[str]]:
    compiled: dict[str, re.Pattern[str]] = {}
    for name, pattern in patterns.items():
        try:
            compiled[name] = re.compile(pattern)
        except re.error as exc:
            raise ConfigError(
                f"'{pattern}' is not a valid regular expression: {exc}",
                key=f"policy.redact_patterns.{name}",
                hint="fix the expression or remove the entry from baton.toml",
            ) from exc
    return compiled


def _kinds(
    text: str, extra: dict[str, re.Pattern[str]], high_entropy: bool, key_begins: bool
) -> list[str]:
    """The kinds of secret in one line, each once, in the order found."""
    found = redact(_NOT_SECRET.sub("", text), entropy=high_entropy, extra=extra).found
    if key_begins:
        found = (PRIVATE_KEY, *found)
    return list(dict.fromkeys(found))


def _finding_message(line: AddedLine, kind: str) -> str:
    return (
        f"{display(line.path)}:{line.number}: an added line holds a secret ({kind}); remove it "
        "and read the value at run time (an environment variable or a secret store) instead. "
        "The value is not shown here."
    )


def scan_added_lines(
    diff: str, *, extra_patterns: Mapping[str, str] = _NO_PATTERNS, high_entropy: bool = True
) -> list[Finding]:
    """One `secret` finding per kind of secret on each added line of `diff`, in diff order."""
    extra = _compile(extra_patterns)
    findings: list[Finding] = []
    key_block: tuple[str, int] | None = None  # (path, next line) while inside a PEM key's body
    for line in added_lines(diff):
        if key_block == (line.path, line.number):
            key_block = None if _PEM_END.search(line.text) else (line.path, line.number + 1)
            continue  # one finding for the whole key, not one per base64 line of its body
        begin = _PEM_BEGIN.search(line.text)
        if begin and not _PEM_END.search(line.text, begin.end()):
            key_block = (line.path, line.number + 1)
        findings.extend(_findings(line, _kinds(line.text, extra, high_entropy, begin is not None)))
    return findings


def _findings(line: AddedLine, kinds: Iterable[str]) -> list[Finding]:
    return [
        Finding("security", "secret", line.path, _finding_message(line, kind), line.number)
        for kind in kinds
    ]
