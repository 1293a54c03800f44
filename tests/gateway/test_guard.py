"""The gateway guard: denied calls refused with their reason, results redacted, clean ones kept."""

from __future__ import annotations

from mcp import types

from baton.config.schema import PolicyConfig
from baton.gateway.guard import Guard

TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"


def test_a_denied_call_is_refused_with_rule_and_reason() -> None:
    guard = Guard(PolicyConfig(), root="/repo")
    decision = guard.check("fs__read_file", {"path": "/repo/.env"})
    refusal = guard.refusal(decision)
    assert decision.denied and refusal.isError
    assert "[denied-path]" in refusal.content[0].text  # type: ignore[union-attr]
    assert not guard.check("fs__read_file", {"path": "/repo/src/app.py"}).denied


def test_secrets_are_redacted_in_text_resources_and_structured_content() -> None:
    guard = Guard(PolicyConfig())
    result = types.CallToolResult(
        content=[
            types.TextContent(type="text", text=f"token={TOKEN}"),
            types.EmbeddedResource(
                type="resource",
                resource=types.TextResourceContents(uri="file:///x", text=f"GITHUB_TOKEN={TOKEN}"),
            ),  # type: ignore[arg-type]
            types.ImageContent(type="image", data="aGVsbG8=", mimeType="image/png"),
        ],
        structuredContent={"env": {"GITHUB_TOKEN": TOKEN}, "count": 3},
    )
    clean = guard.redacted(result)
    assert TOKEN not in clean.model_dump_json()
    assert clean.content[2] is result.content[2] and clean.structuredContent["count"] == 3  # type: ignore[index]


def test_a_clean_result_is_passed_on_uncopied_and_redaction_can_be_off() -> None:
    result = types.CallToolResult(content=[types.TextContent(type="text", text="all fine")])
    assert Guard(PolicyConfig()).redacted(result) is result
    leaky = types.CallToolResult(content=[types.TextContent(type="text", text=TOKEN)])
    assert Guard(PolicyConfig(redact_secrets=False)).redacted(leaky) is leaky
