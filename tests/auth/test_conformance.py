"""The official MCP conformance suite (client mode, `--suite auth`) drives `baton probe`.

Every scenario that spec 2025-11-25 requires must pass with no failure and no warning, plus both
2025-03-26 backwards-compatibility scenarios. README.md ("Authorization") shows the same command
and the result table; `CONFORMANCE_COMMAND` below is what both use.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, node_bin

# The suite starts a mock authorization server and MCP server per scenario, all on localhost, and
# runs the scenarios of a suite in parallel: on a loaded 2-core CI machine fourteen Python
# start-ups at once take far longer than the suite's 30 s default per client.
CLIENT_TIMEOUT_SEC = 150
SUITE_TIMEOUT_SEC = 240
PROBE = (
    f"{sys.executable} -m baton probe --headless"
    " --client-metadata-url https://conformance-test.local/client-metadata.json"
    " --client-json-env MCP_CONFORMANCE_CONTEXT --call test-tool"
)

REQUIRED_2025_11_25 = {
    "auth/metadata-default",
    "auth/metadata-var1",
    "auth/metadata-var2",
    "auth/metadata-var3",
    "auth/basic-cimd",
    "auth/scope-from-www-authenticate",
    "auth/scope-from-scopes-supported",
    "auth/scope-omitted-when-undefined",
    "auth/scope-step-up",
    "auth/scope-retry-limit",
    "auth/token-endpoint-auth-basic",
    "auth/token-endpoint-auth-post",
    "auth/token-endpoint-auth-none",
    "auth/pre-registration",
}
BACKCOMPAT_2025_03_26 = {
    "auth/2025-03-26-oauth-metadata-backcompat",
    "auth/2025-03-26-oauth-endpoint-fallback",
}


def _conformance(*args: str, out: Path) -> None:
    node_bin("node")  # the suite needs Node 22, which npm's `node` package provides
    env = {
        **os.environ,
        "PATH": f"{REPO / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}",
    }
    subprocess.run(
        [
            str(node_bin("conformance")),
            "client",
            *args,
            *("--timeout", str(CLIENT_TIMEOUT_SEC * 1000)),
            *("--command", PROBE, "-o", str(out)),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        timeout=SUITE_TIMEOUT_SEC,
        check=False,  # the verdict is read from the checks each scenario wrote
    )


_RUN_STAMP = re.compile(r"-\d{4}-\d{2}-\d{2}T[\d:.\-]+Z?$")


def _results(out: Path) -> dict[str, list[dict[str, object]]]:
    results: dict[str, list[dict[str, object]]] = {}
    for checks in out.glob("auth/*/checks.json"):
        # "<scenario>-<ISO timestamp>": cut at the timestamp itself; a "-20" in the time of day
        # (12:20, say) would otherwise be taken for it.
        scenario = "auth/" + _RUN_STAMP.sub("", checks.parent.name)
        results[scenario] = json.loads(checks.read_text())
        leaked = [
            name
            for name in ("stdout.txt", "stderr.txt")
            if "test-token" in (checks.parent / name).read_text()
        ]
        assert not leaked, f"{scenario}: a token appears in baton probe's {leaked}"
    return results


def _bad(checks: list[dict[str, object]]) -> list[str]:
    return [
        f"{check['id']}: {check['status']} {check.get('description')}"
        for check in checks
        if check["status"] in ("FAILURE", "WARNING")
    ]


@pytest.mark.npm
@pytest.mark.timeout(2 * SUITE_TIMEOUT_SEC + 60)
def test_the_auth_suite_and_the_2025_03_26_backcompat_scenarios_pass(tmp_path: Path) -> None:
    _conformance("--suite", "auth", out=tmp_path)
    for scenario in sorted(BACKCOMPAT_2025_03_26):
        _conformance("--scenario", scenario, out=tmp_path)
    results = _results(tmp_path)
    assert set(results) >= REQUIRED_2025_11_25 | BACKCOMPAT_2025_03_26
    failures = {name: bad for name, checks in results.items() if (bad := _bad(checks))}
    assert failures == {}
