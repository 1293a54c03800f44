"""The delegation task as data: goal, scope, acceptance criteria, constraints, kind, worker."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from baton.config.kinds import KINDS, LEAD_KINDS, REVIEW_KINDS, TaskKind, normalise_kind

__all__ = ["KINDS", "LEAD_KINDS", "REVIEW_KINDS", "Criterion", "Task", "TaskKind", "normalise_kind"]


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
