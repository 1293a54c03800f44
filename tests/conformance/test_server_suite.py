"""The MCP conformance server suite on the fixture server, directly and through Baton.

`@modelcontextprotocol/conformance@0.1.16 server --suite all` runs against
tests/fixtures/servers/conformance_server.py served directly, then behind `baton serve --transport
http --no-prefix` (the fixture as a stdio upstream and as a url upstream) and behind `baton proxy`
(exposed over HTTP by tests/fixtures/servers/stdio_over_http.py). Nothing that passes directly may
fail through Baton unless expected-failures.yaml says why, and what the suite saw of each result
must be the same both ways.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURE_SERVERS, REPO, baton_command, fixture_server, node_bin
from tests.gateway._client import write_config

SUITE = REPO / "node_modules" / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"
BASELINE = Path(__file__).with_name("expected-failures.yaml")

# What the fixture server passes when tested directly: every scenario of the suite but the
# baselined one. A change here is a change of the fixture or of the suite; say so in the README.
DIRECT_PASSES = frozenset(
    {
        "completion-complete",
        "dns-rebinding-protection",
        "elicitation-sep1034-defaults",
        "elicitation-sep1330-enums",
        "json-schema-2020-12",
        "logging-set-level",
        "ping",
        "prompts-get-embedded-resource",
        "prompts-get-simple",
        "prompts-get-with-args",
        "prompts-get-with-image",
        "prompts-list",
        "resources-list",
        "resources-read-binary",
        "resources-read-text",
        "resources-subscribe",
        "resources-templates-read",
        "resources-unsubscribe",
        "server-initialize",
        "server-sse-multiple-streams",
        "tools-call-audio",
        "tools-call-elicitation",
        "tools-call-embedded-resource",
        "tools-call-error",
        "tools-call-image",
        "tools-call-mixed-content",
        "tools-call-sampling",
        "tools-call-simple-text",
        "tools-call-with-logging",
        "tools-call-with-progress",
        "tools-list",
    }
)
# Scenarios whose recorded details hold session ids, dates or raw HTTP headers of one connection.
PER_CONNECTION_DETAILS = frozenset({"server-sse-polling", "server-sse-multiple-streams"})

# The whole suite takes about 5 s on an idle machine; CI runners and a busy laptop are slower.
SUITE_TIMEOUT_SEC = 180
# Python servers (and Baton with its upstream) start in 1-3 s; allow for a loaded machine.
READY_TIMEOUT_SEC = 60
STOP_TIMEOUT_SEC = 20

pytestmark = pytest.mark.timeout(SUITE_TIMEOUT_SEC + 2 * READY_TIMEOUT_SEC)


def suite() -> tuple[Path, Path]:
    """Node 22 and the suite's entry point from the npm peers, or skip (fail in CI)."""
    node = node_bin("node")
    if not SUITE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{SUITE} missing in CI: `make install` should have installed it")
        pytest.skip("@modelcontextprotocol/conformance not installed: run `make install`")
    return node, SUITE


def baseline() -> set[str]:
    """The scenarios expected-failures.yaml lists for servers."""
    return set(yaml.safe_load(BASELINE.read_text())["server"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Return once `port` accepts connections; fail with the process's stderr if it exits."""
    deadline = time.monotonic() + READY_TIMEOUT_SEC
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args} exited with {process.returncode}: {log.read_text()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)  # a port cannot be waited on any other way
    pytest.fail(f"{process.args} did not listen on {port} in {READY_TIMEOUT_SEC}s")


@contextmanager
def serving(argv: list[str], port: int, log: Path) -> Iterator[str]:
    """Run an HTTP server process until the block ends; yield its MCP URL."""
    with log.open("wb") as sink:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=sink, stderr=sink)
    try:
        wait_for_port(port, process, log)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SEC)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_SEC)


def conformance_server(port: int, log: Path) -> AbstractContextManager[str]:
    return serving([*fixture_server("conformance_server.py"), "--port", str(port)], port, log)


def run_suite(url: str, out: Path) -> dict[str, list[dict[str, Any]]]:
    """Every scenario of `--suite all` against `url`: its checks, as the suite recorded them."""
    node, script = suite()
    command = [str(node), str(script), "server", "--url", url, "--suite", "all", "-o", str(out)]
    finished = subprocess.run(command, capture_output=True, timeout=SUITE_TIMEOUT_SEC, check=False)
    results: dict[str, list[dict[str, Any]]] = {}
    for checks in out.glob("server-*/checks.json"):
        match = re.fullmatch(r"server-(.+)-\d{4}-\d\d-\d\dT[\d-]+Z", checks.parent.name)
        assert match, f"unexpected result directory {checks.parent}"
        results[match[1]] = json.loads(checks.read_text())
    assert results, f"the suite recorded nothing: {finished.stdout.decode()[-3000:]}"
    return results


def passed(results: dict[str, list[dict[str, Any]]]) -> set[str]:
    """Scenarios with no FAILURE and no WARNING check (the suite's baseline counts both)."""
    return {
        scenario
        for scenario, checks in results.items()
        if not any(check["status"] in ("FAILURE", "WARNING") for check in checks)
    }


def what_the_client_saw(checks: list[dict[str, Any]], url: str) -> str:
    """The checks minus when they ran and where the server listened."""
    kept = [{key: check.get(key) for key in ("id", "status", "details")} for check in checks]
    host = url.removeprefix("http://").removesuffix("/mcp")
    return json.dumps(kept, sort_keys=True).replace(host, "HOST")


@pytest.fixture(scope="module")
def direct(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    """The suite's results on the fixture server itself, with the URL it ran against."""
    suite()
    work = tmp_path_factory.mktemp("direct")
    port = free_port()
    with conformance_server(port, work / "server.log") as url:
        return url, run_suite(url, work / "results")


def test_direct_pass_set_is_the_recorded_one(direct: tuple[str, dict[str, Any]]) -> None:
    _, results = direct
    assert passed(results) == DIRECT_PASSES


def test_every_direct_failure_is_in_the_baseline(direct: tuple[str, dict[str, Any]]) -> None:
    _, results = direct
    assert set(results) - passed(results) <= baseline()


def _command(argv: list[str]) -> dict[str, Any]:
    return {"command": argv[0], "args": argv[1:]}


@contextmanager
def through(target: str, work: Path) -> Iterator[str]:
    """The fixture server behind Baton as `target` says; yield the URL the suite tests."""
    with ExitStack() as stack:
        if target == "serve-url":
            served = conformance_server(free_port(), work / "server.log")
            upstream: dict[str, Any] = {"url": stack.enter_context(served)}
        else:
            upstream = _command([*fixture_server("conformance_server.py"), "--stdio"])
        config = write_config(work / "baton.toml", {"conformance": upstream})
        port = free_port()
        if target == "proxy":
            harness = [sys.executable, str(FIXTURE_SERVERS / "stdio_over_http.py")]
            proxy = [*baton_command(), "proxy", "conformance", "--config", str(config)]
            argv = [*harness, "--port", str(port), "--", *proxy]
        else:
            argv = [*baton_command(), "serve", "--config", str(config), "--transport", "http"]
            argv += ["--host", "127.0.0.1", "--port", str(port), "--no-prefix"]
        yield stack.enter_context(serving(argv, port, work / f"{target}.log"))


@pytest.mark.parametrize("target", ["serve-stdio", "serve-url", "proxy"])
def test_what_passes_directly_passes_through_baton(
    target: str, direct: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    direct_url, direct_results = direct
    with through(target, tmp_path) as url:
        results = run_suite(url, tmp_path / "results")

    lost = passed(direct_results) - passed(results) - baseline()
    assert not lost, f"pass directly but fail through Baton ({target}): {sorted(lost)}"
    stale = baseline() & passed(direct_results) & passed(results)
    assert not stale, f"baselined but passing: remove from {BASELINE.name}: {sorted(stale)}"
    changed = [
        scenario
        for scenario in sorted(set(direct_results) - PER_CONNECTION_DETAILS - baseline())
        if what_the_client_saw(direct_results[scenario], direct_url)
        != what_the_client_saw(results.get(scenario, []), url)
    ]
    assert not changed, f"the suite saw other results through Baton ({target}): {changed}"
