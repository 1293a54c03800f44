"""The task kinds of seed 000's routing table, and every spelling of them that is accepted.

Kept in the base layer because `[routing].lead_kinds` in `baton.toml` is validated against them;
`baton.task` re-exports them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, get_args

__all__ = ["KINDS", "LEAD_KINDS", "REVIEW_KINDS", "TaskKind", "normalise_kind"]

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
