"""Secrets in text are replaced; ordinary text, hashes and paths are left alone."""

from __future__ import annotations

import re

import pytest

from baton.policy.redact import redact

SECRETS = {
    "github token": "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "anthropic key": "sk-ant-api03-" + "Zx9Qw8Er7Ty6Ui5Op4As3Df2",
    "openai key": "sk-proj-" + "abcdefghijklmnopqrstuvwx12",
    "aws access key": "AKIA" + "IOSFODNN7EXAMPLE",
    "slack token": "xoxb-" + "123456789012-abcdefghij",
    "jwt": "eyJhbGciOiJIUzI1NiJ9."
    + "eyJzdWIiOiIxMjM0NTY3ODkwIn0."
    + "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "private key": "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n"
    "-----END RSA PRIVATE KEY-----",
    "high-entropy string": "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LmNbVcXz",
}


@pytest.mark.parametrize(("kind", "secret"), SECRETS.items())
def test_a_secret_is_replaced_and_named(kind: str, secret: str) -> None:
    result = redact(f"before {secret} after")
    assert secret not in result.text
    assert result.text.startswith("before ") and result.text.endswith(" after")
    assert kind in result.found[0] or kind == "high-entropy string"


@pytest.mark.parametrize(
    "text",
    [
        "commit 3f786850e387550fdab836ed7e6dc881de23001b fixed it",
        "/usr/lib/python3.11/site-packages/a_rather_long_module_name_here.py",
        "The quick brown fox jumps over the lazy dog, 42 times.",
        "https://example.com/api/v1/resources/abcdefghijklmnopqrstuvwxyz",
        "OPENAI_API_KEY is read from the environment",
        "task-abcdefghijklmnopqrstuvwxyz is not an OpenAI key: a word runs into `sk-`",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text).text == text and redact(text).found == ()


def test_extra_patterns_and_switching_entropy_off() -> None:
    extra = {"internal id": re.compile(r"\bACME-[0-9]{6}\b")}
    assert redact("ticket ACME-123456", extra=extra).found == ("internal id",)
    random = SECRETS["high-entropy string"]
    assert redact(random, entropy=False).text == random
