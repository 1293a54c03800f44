"""Secrets on added lines are caught with path, line and kind, and their value is never shown."""

from __future__ import annotations

import json

import pytest

from baton.audit import Finding, scan_added_lines
from baton.errors import ConfigError
from baton.policy.redact import KNOWN_TOKENS

# Built by concatenation so that no scanner mistakes this file for a leak.
RANDOM_40 = "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zQ7rT0uW3"
SAMPLES = {
    "private key": "-----BEGIN RSA PRIVATE KEY-----",
    "github token": "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "anthropic key": "sk-ant-api03-" + "Zx9Qw8Er7Ty6Ui5Op4As3Df2",
    "openai key": "sk-proj-" + RANDOM_40,
    "aws access key": "AKIA" + "IOSFODNN7EXAMPLE",
    "slack token": "xoxb-" + "123456789012-abcdefghij",
    "google api key": "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
    "stripe key": "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "jwt": "eyJhbGciOiJIUzI1NiJ9." + "eyJzdWIiOiIxMjM0NTY3ODkwIn0." + "dozjgNryP4J3jVmNHl0w5N",
    "bearer token": "Bearer " + "abcdefghijklmnopqrstuvwxyz012345",
}


def new_file(path: str, *lines: str) -> str:
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..1111111\n"
        f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{body}"
    )


def where(findings: list[Finding]) -> list[tuple[str | None, int, str]]:
    """(path, line, kind) read back from each message."""
    out = []
    for f in findings:
        location, rest = f.message.split(": an added line holds a secret (", 1)
        out.append((f.path, int(location.rsplit(":", 1)[1]), rest.split(")", 1)[0]))
    return out


def test_every_known_token_kind_has_a_sample() -> None:
    assert set(SAMPLES) == set(KNOWN_TOKENS)


@pytest.mark.parametrize(("kind", "secret"), SAMPLES.items())
def test_each_kind_is_caught_with_path_and_line_and_never_shown(kind: str, secret: str) -> None:
    diff = new_file("src/settings.py", "import os", f'VALUE = "{secret}"')
    findings = scan_added_lines(diff, high_entropy=False)
    assert where(findings) == [("src/settings.py", 2, kind)]
    assert {(f.stage, f.rule) for f in findings} == {("security", "secret")}
    shown = json.dumps([f.to_dict() for f in findings]) + repr(findings)
    assert secret not in shown
    assert secret.split()[-1][-12:] not in shown  # not even the value's tail


def test_the_openai_key_of_the_seed_is_caught_with_entropy_on() -> None:
    secret = "sk-proj-" + RANDOM_40
    findings = scan_added_lines(new_file("app/config.py", f'OPENAI_API_KEY = "{secret}"'))
    assert where(findings) == [("app/config.py", 1, "openai key")]
    assert RANDOM_40 not in findings[0].message


@pytest.mark.parametrize(
    "header",
    [
        "-----BEGIN PRIVATE KEY-----",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----",
        '    key = """-----BEGIN EC PRIVATE KEY-----',
    ],
)
def test_a_pem_header_line_alone_is_a_private_key(header: str) -> None:
    assert where(scan_added_lines(new_file("k.txt", "x", header))) == [("k.txt", 2, "private key")]


def test_a_whole_pem_key_is_one_finding_not_one_per_body_line() -> None:
    body = [RANDOM_40 + "Zq8" * 8, RANDOM_40[::-1] + "Pw7" * 8]
    key = ["-----BEGIN RSA PRIVATE KEY-----", *body, "-----END RSA PRIVATE KEY-----"]
    diff = new_file("id_rsa.txt", "before", *key, "after " + RANDOM_40)
    assert where(scan_added_lines(diff)) == [
        ("id_rsa.txt", 2, "private key"),
        ("id_rsa.txt", 6, "high-entropy string"),  # scanning resumes after the END line
    ]


GITHUB, AWS, SLACK = SAMPLES["github token"], SAMPLES["aws access key"], SAMPLES["slack token"]
TWO_HUNKS_TWO_FILES = f"""diff --git a/src/a.py b/src/a.py
index 1111111..2222222 100644
--- a/src/a.py
+++ b/src/a.py
@@ -1,3 +1,4 @@
 one
+TOKEN = "{GITHUB}"
 two
 three
@@ -10,2 +11,3 @@ def f():
 ten
-OLD = "{AWS}"
+eleven
+KEY = "{AWS}"
diff --git a/src/b.py b/src/b.py
new file mode 100644
--- /dev/null
+++ b/src/b.py
@@ -0,0 +1,2 @@
+x = 1
+slack = "{SLACK}"
"""


def test_line_numbers_are_right_across_two_hunks_and_two_files() -> None:
    assert where(scan_added_lines(TWO_HUNKS_TWO_FILES)) == [
        ("src/a.py", 2, "github token"),
        ("src/a.py", 13, "aws access key"),
        ("src/b.py", 2, "slack token"),
    ]


REMOVED_ONLY = f"""diff --git a/src/a.py b/src/a.py
--- a/src/a.py
+++ b/src/a.py
@@ -1,2 +1,1 @@
-TOKEN = "{GITHUB}"
 kept
diff --git a/old.py b/old.py
deleted file mode 100644
--- a/old.py
+++ /dev/null
@@ -1 +0,0 @@
-KEY = "{AWS}"
"""


def test_removed_lines_and_deleted_files_are_not_flagged() -> None:
    assert scan_added_lines(REMOVED_ONLY) == []


def test_added_lines_that_look_like_headers_are_still_scanned() -> None:
    diff = (
        "diff --git a/c.c b/c.c\n--- a/c.c\n+++ b/c.c\n@@ -1,2 +1,3 @@\n"
        f"--- removed\n++++ b/{GITHUB}\n+++counter;\n ctx\n"
    )
    assert where(scan_added_lines(diff)) == [("c.c", 1, "github token")]


def test_binary_patches_are_skipped_and_the_next_file_is_scanned() -> None:
    binary = (
        "diff --git a/logo.png b/logo.png\nnew file mode 100644\nindex 0000000..3333333\n"
        f"GIT binary patch\nliteral 12\nzcmV+{RANDOM_40}\n\nliteral 0\nHcmV?d00001\n\n"
    )
    diff = binary + new_file("src/b.py", f'k = "{AWS}"')
    assert where(scan_added_lines(diff)) == [("src/b.py", 1, "aws access key")]


def test_quoted_paths_are_unquoted() -> None:
    diff = (
        'diff --git "a/src/na\\303\\257ve\\tx.py" "b/src/na\\303\\257ve\\tx.py"\n'
        '--- /dev/null\n+++ "b/src/na\\303\\257ve\\tx.py"\n@@ -0,0 +1 @@\n'
        f'+k = "{AWS}"\n'
    )
    [finding] = scan_added_lines(diff)
    assert finding.path == "src/naïve\tx.py"
    assert finding.message.startswith("src/naïve\\x09x.py:1:")


@pytest.mark.parametrize(("high_entropy", "expected"), [(True, 1), (False, 0)])
def test_high_entropy_detection_can_be_switched_off(high_entropy: bool, expected: int) -> None:
    diff = new_file("conf.py", f'salt = "{RANDOM_40}"')
    assert len(scan_added_lines(diff, high_entropy=high_entropy)) == expected


@pytest.mark.parametrize(
    "line",
    [
        "def fetch(token: str) -> Response:",
        'OPENAI_API_KEY = os.environ["OPENAI_API_KEY"]',
        'headers = {"Authorization": f"Bearer {token}"}',
        "commit = '3f786850e387550fdab836ed7e6dc881de23001b'",
        '  "integrity": "sha512-' + RANDOM_40 * 2 + 'Zq==",',
        "github.com/pkg/errors v0.9.1 h1:" + RANDOM_40 + "=",
        'img = "data:image/png;base64,' + RANDOM_40 * 3 + '"',
        "request_id = '123e4567-e89b-12d3-a456-426614174000'",
    ],
)
def test_ordinary_code_is_not_flagged(line: str) -> None:
    assert scan_added_lines(new_file("src/app.py", line)) == []


def test_custom_patterns_from_the_policy() -> None:
    diff = new_file("src/app.py", "ticket = 'ACME-123456'")
    found = scan_added_lines(diff, extra_patterns={"internal id": r"ACME-[0-9]{6}"})
    assert where(found) == [("src/app.py", 1, "internal id")]
    assert "123456" not in found[0].message


def test_an_invalid_custom_pattern_names_its_key() -> None:
    with pytest.raises(ConfigError, match=r"policy\.redact_patterns\.broken"):
        scan_added_lines("", extra_patterns={"broken": "(unclosed"})
