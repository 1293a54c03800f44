"""The delegation task as data: goal, scope, acceptance criteria, constraints, kind, worker."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["KINDS", "LEAD_KINDS", "REVIEW_KINDS", "Criterion", "Task", "TaskKind", "normalise_kind"]

TaskKind = Literal[
    "architecture-design",
    "security-change",
    "multi-module-integration",
    "architecture-review",
    "bug-performance-review",
    "single-module-implementation",
    "test-generation",
    "scoped-refactoring",
]
KINDS: tuple[str, ...] = get_args(TaskKind)

# The seed's routing table: these kinds stay with the lead; the others go to the worker.
LEAD_KINDS: tuple[str, ...] = KINDS[:4]
# Kinds that only read code; a worker doing them gets a read-only sandbox.
REVIEW_KINDS: tuple[str, ...] = ("architecture-review", "bug-performance-review")

# Other spellings of the kinds: the seed's table (Japanese and English) and common short forms.
# Keys are compared after `_fold`, so case, punctuation and full-width characters do not matter.
_ALIASES = {
    "アーキテクチャ設計": "architecture-design",
    "architecture": "architecture-design",
    "design": "architecture-design",
    "セキュリティ関連の変更": "security-change",
    "security": "security-change",
    "security-related-change": "security-change",
    "複数モジュールの統合": "multi-module-integration",
    "multi-module": "multi-module-integration",
    "integration": "multi-module-integration",
    "コードレビュー-アーキテクチャ": "architecture-review",
    "code-review-architecture": "architecture-review",
    "コードレビュー-バグ-性能": "bug-performance-review",
    "code-review-bug-performance": "bug-performance-review",
    "code-review-bug-perf": "bug-performance-review",
    "bug-perf-review": "bug-performance-review",
    "bug-review": "bug-performance-review",
    "performance-review": "bug-performance-review",
    "単一モジュールの実装": "single-module-implementation",
    "implementation": "single-module-implementation",
    "テストコード生成": "test-generation",
    "test-code-generation": "test-generation",
    "tests": "test-generation",
    "スコープ限定のリファクタリング": "scoped-refactoring",
    "refactoring": "scoped-refactoring",
    "refactor": "scoped-refactoring",
}


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[^\w]+", "-", folded).strip("-").replace("_", "-")


_FOLDED = {_fold(kind): kind for kind in KINDS} | {_fold(k): v for k, v in _ALIASES.items()}


def normalise_kind(spelling: str) -> str | None:
    """The canonical kind for any accepted spelling, or None when it is not a kind."""
    return _FOLDED.get(_fold(spelling))


class Criterion(BaseModel):
    """One acceptance criterion: what must hold, and optionally a command that checks it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1)
    check: str | None = Field(default=None, min_length=1)


class Task(BaseModel):
    """A delegation task in the seed's template: Scope, Goal, Acceptance Criteria, Constraints."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    goal: str = Field(min_length=1)
    scope: tuple[str, ...] = ()
    acceptance: tuple[Criterion, ...] = ()
    constraints: tuple[str, ...] = ()
    kind: TaskKind | None = None
    worker: str | None = Field(default=None, min_length=1)

    @field_validator("goal")
    @classmethod
    def _goal_not_blank(cls, goal: str) -> str:
        if not goal.strip():
            raise ValueError("the goal is empty: say what the worker should achieve")
        return goal.strip()

    @field_validator("scope", mode="before")
    @classmethod
    def _scope_relative(cls, scope: object) -> object:
        if isinstance(scope, str):
            scope = [scope]
        for glob in scope if isinstance(scope, list | tuple) else ():
            if isinstance(glob, str) and (
                not glob.strip() or glob.startswith("/") or ".." in glob.split("/")
            ):
                raise ValueError(
                    f"scope '{glob}' must be a glob relative to the repository root "
                    "(no leading '/', no '..')"
                )
        return scope

    @field_validator("acceptance", mode="before")
    @classmethod
    def _acceptance_strings(cls, acceptance: object) -> object:
        if isinstance(acceptance, list | tuple):
            return [{"text": item} if isinstance(item, str) else item for item in acceptance]
        return acceptance

    @field_validator("kind", mode="before")
    @classmethod
    def _kind_spelling(cls, kind: object) -> object:
        if not isinstance(kind, str):
            return kind
        canonical = normalise_kind(kind)
        if canonical is None:
            raise ValueError(f"unknown kind '{kind}'; use one of: {', '.join(KINDS)}")
        return canonical

    def to_markdown(self) -> str:
        """The task in the seed's delegation template, as the worker's prompt."""
        lines = ["[Task]", f"- Scope: {', '.join(self.scope) or '(none)'}", f"- Goal: {self.goal}"]
        lines += [f"- Kind: {self.kind}"] if self.kind else []
        lines += [f"- Worker: {self.worker}"] if self.worker else []
        lines += ["", "[Acceptance Criteria]"]
        for item in self.acceptance:
            lines.append(f"- [ ] {item.text}" + (f" (check: `{item.check}`)" if item.check else ""))
        if self.constraints:
            lines += ["", "[Constraints]", *(f"- {c}" for c in self.constraints)]
        return "\n".join(lines) + "\n"
