"""The README documents what users rely on: every command, and the doctor JSON fields."""

from __future__ import annotations

import re
import subprocess

from baton.upstream.doctor import Diagnosis
from tests.conftest import REPO, baton_command

README = (REPO / "README.md").read_text()


def commands_in_help() -> set[str]:
    done = subprocess.run(
        [*baton_command(), "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    return set(re.findall(r"^│ (\w[\w-]*) ", done.stdout, flags=re.MULTILINE))


def test_every_command_is_in_the_readme() -> None:
    commands = commands_in_help()
    assert {"serve", "proxy", "servers", "import", "export", "demo"} <= commands
    for command in commands:
        assert f"`baton {command}" in README, f"`baton {command}` is not documented in README.md"


def test_every_doctor_field_is_in_the_readme() -> None:
    section = README.split("### `baton servers doctor --json`", 1)[1].split("Exit codes", 1)[0]
    for field in Diagnosis.model_fields:
        assert f'"{field}"' in section and f"`{field}`" in section, field


def test_the_quickstart_is_the_first_thing_and_ci_runs_its_test_command() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
    assert "exec make test" in (REPO / ".ci" / "run").read_text()
