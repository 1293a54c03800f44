"""The gateway's enforcement point: every proxied call judged by the policy, every result redacted.

A denied call never reaches its upstream; the lead's model gets the rule and the reason as the
tool's error. Results come back with secrets replaced (text, embedded resources, structured
content); a result with nothing to redact is passed on as the same object, uncopied.
"""

from __future__ import annotations

import re
from typing import Any

from mcp import types

from baton.config.schema import PolicyConfig
from baton.policy import Context, ToolCallAction, decide
from baton.policy.model import Decision
from baton.policy.redact import redact

__all__ = ["Guard"]


class Guard:
    """Policy checks and redaction for one gateway."""

    def __init__(self, policy: PolicyConfig, *, root: str = "") -> None:
        self._context = Context(policy, root=root)
        self._redact = policy.redact_secrets
        self._entropy = policy.redact_high_entropy
        self._extra = {name: re.compile(p) for name, p in policy.redact_patterns.items()}

    def check(self, tool: str, arguments: dict[str, Any] | None) -> Decision:
        """The policy's decision on a lead's call to a proxied tool."""
        return decide(
            ToolCallAction(tool, arguments or {}, "lead", self._context.root), self._context
        )

    def refusal(self, decision: Decision) -> types.CallToolResult:
        """What the lead sees for a denied call."""
        text = f"[baton] blocked by policy [{decision.rule}]: {decision.reason}"
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=text)], isError=True
        )

    def redacted(self, result: types.CallToolResult) -> types.CallToolResult:
        """`result` with secrets replaced; the same object when there were none."""
        if not self._redact:
            return result
        content = [self._block(block) for block in result.content]
        structured = self._value(result.structuredContent) if result.structuredContent else None
        if all(a is b for a, b in zip(content, result.content, strict=True)) and (
            structured is result.structuredContent or structured is None
        ):
            return result
        return result.model_copy(update={"content": content, "structuredContent": structured})

    def _text(self, text: str) -> str:
        return redact(text, entropy=self._entropy, extra=self._extra).text

    def _block(self, block: types.ContentBlock) -> types.ContentBlock:
        if isinstance(block, types.TextContent):
            clean = self._text(block.text)
            return block if clean == block.text else block.model_copy(update={"text": clean})
        if isinstance(block, types.EmbeddedResource) and isinstance(
            block.resource, types.TextResourceContents
        ):
            clean = self._text(block.resource.text)
            if clean != block.resource.text:
                resource = block.resource.model_copy(update={"text": clean})
                return block.model_copy(update={"resource": resource})
        return block

    def _value(self, value: Any) -> Any:
        if isinstance(value, str):
            clean = self._text(value)
            return value if clean == value else clean
        if isinstance(value, dict):
            items = {key: self._value(item) for key, item in value.items()}
            return value if all(items[k] is value[k] for k in value) else items
        if isinstance(value, list):
            entries = [self._value(item) for item in value]
            return value if all(a is b for a, b in zip(entries, value, strict=True)) else entries
        return value
