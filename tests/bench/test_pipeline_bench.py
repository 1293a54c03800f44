"""`bench/pipeline.py` at a tiny size: every step is reported, and the pipeline it times behaves.

Timings are not checked (they depend on the machine); what is checked is that the script runs
end to end and that the workspace it measured left the lead's denied files out.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import REPO

SCRIPT = REPO / "bench" / "pipeline.py"
# A 50-file repository is generated and measured in about a second; a hang must not take longer.
RUN_TIMEOUT_SEC = 60


def run_bench(tmp_path: Path) -> dict[str, Any]:
    """Run the script once at 50 files with its cache, workspaces and results in `tmp_path`."""
    command = [
        sys.executable, str(SCRIPT), "--sizes", "50", "--repeat", "1", "--json",
        "--cache", str(tmp_path / "cache"), "--workspace-parent", str(tmp_path / "ws"),
        "--json-out", str(tmp_path / "pipeline.json"),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_SEC)
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def test_reports_every_step_and_baseline_and_leaves_the_denied_files_out(tmp_path: Path) -> None:
    document = run_bench(tmp_path)

    (row,) = document["sizes"]
    steps = {"create", "worker", "audit", "apply", "remove", "total", "git_status", "cp_a"}
    assert steps <= set(row["median_ms"]) and steps <= set(document["steps"])
    assert set(row["ratio"]) == {"git_status", "cp_a"}
    assert row["checks"]["denied_in_workspace"] == {".env": False, ".env.local": False,
                                                    "secrets": False}  # fmt: skip
    assert row["checks"]["findings"] == []
    assert len(row["checks"]["applied"]) == 3
    assert document["workspace_parent"]["path"] == str((tmp_path / "ws").resolve())
    assert document["workspace_parent"]["filesystem"]
    assert json.loads((tmp_path / "pipeline.json").read_text()) == document
    assert list((tmp_path / "ws").iterdir()) == []  # workspaces and the copy are gone
