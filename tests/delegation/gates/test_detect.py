"""Which gates a project gets: `[gates]` in their order, else what the detectors recognise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baton.config.schema import GateConfig
from baton.delegation.gates import GATE_DETECTORS, GATE_ORDER, Gate, detect_gates, gates_for
from baton.delegation.gates._base import program_of
from baton.delegation.gates.node import NPM_DEFAULT_TEST, detect_node
from baton.delegation.gates.python import detect_python

PYPROJECT = '[project]\nname = "p"\n'


def write(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def names(gates: list[Gate]) -> list[str]:
    return [gate.name for gate in gates]


PYTHON_CASES = [
    ("nothing python", {"README.md": "hi"}, []),
    ("pyproject alone", {"pyproject.toml": PYPROJECT}, ["format", "lint"]),
    ("a script alone", {"tool.py": "print(1)\n"}, ["format", "lint"]),
    ("setup.py", {"setup.py": "", "tests/test_x.py": ""}, ["format", "lint", "test"]),
    (
        "[tool.mypy]",
        {"pyproject.toml": PYPROJECT + "[tool.mypy]\nstrict = true\n"},
        ["format", "lint", "typecheck"],
    ),
    (
        "mypy.ini",
        {"setup.cfg": "[metadata]\n", "mypy.ini": "[mypy]\n"},
        ["format", "lint", "typecheck"],
    ),
    ("setup.cfg [mypy]", {"setup.cfg": "[mypy]\nstrict = True\n"}, ["format", "lint", "typecheck"]),
    (
        "[tool.pytest.ini_options]",
        {"pyproject.toml": PYPROJECT + "[tool.pytest.ini_options]\naddopts = '-q'\n"},
        ["format", "lint", "test"],
    ),
    (
        "a tests dir",
        {"pyproject.toml": PYPROJECT, "tests/conftest.py": ""},
        ["format", "lint", "test"],
    ),
    ("a nested *_test.py", {"app.py": "", "pkg/sub/thing_test.py": ""}, ["format", "lint", "test"]),
    (
        "test files only in vendored or hidden dirs",
        {"app.py": "", "node_modules/x/test_x.py": "", ".venv/lib/test_y.py": ""},
        ["format", "lint"],
    ),
    ("an unreadable pyproject", {"pyproject.toml": "[tool.mypy\n"}, ["format", "lint"]),
]


@pytest.mark.parametrize(
    ("files", "expected"), [c[1:] for c in PYTHON_CASES], ids=[c[0] for c in PYTHON_CASES]
)
def test_python_projects_get_ruff_then_mypy_if_configured_then_pytest_if_tested(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    assert names(detect_python(write(tmp_path, files))) == expected


def test_python_gates_record_their_commands_and_tools(tmp_path: Path) -> None:
    files = {"pyproject.toml": PYPROJECT + "[tool.mypy]\n", "tests/test_a.py": ""}
    gates = detect_python(write(tmp_path, files))
    assert [(g.command, g.requires) for g in gates] == [
        ("ruff format --check .", "ruff"),
        ("ruff check .", "ruff"),
        ("mypy .", "mypy"),
        ("python -m pytest -q", "pytest"),
    ]
    assert all(g.detected and g.read_only and g.stage == g.name for g in gates)


def package_json(root: Path, scripts: dict[str, str]) -> Path:
    (root / "package.json").write_text(json.dumps({"name": "p", "scripts": scripts}))
    return root


def test_node_scripts_become_npm_run_gates_in_stage_order(tmp_path: Path) -> None:
    scripts = {
        "build": "tsc -p .",
        "test": "vitest run",
        "type-check": "tsc --noEmit",
        "lint": "eslint .",
        "format": "prettier --write .",
        "format:check": "prettier --check .",
        "start": "node index.js",
    }
    gates = detect_gates(package_json(tmp_path, scripts))
    assert [(g.name, g.command, g.read_only) for g in gates] == [
        ("format", "npm run format:check --silent", True),
        ("lint", "npm run lint --silent", True),
        ("typecheck", "npm run type-check --silent", True),
        ("test", "npm run test --silent", True),
        ("build", "npm run build --silent", False),
    ]
    assert {g.requires for g in gates} == {"npm"}


def test_a_writing_format_script_is_not_read_only(tmp_path: Path) -> None:
    gates = detect_node(package_json(tmp_path, {"format": "prettier --write ."}))
    assert [(g.name, g.read_only) for g in gates] == [("format", False)]


def test_npms_placeholder_test_script_is_no_gate(tmp_path: Path) -> None:
    assert detect_node(package_json(tmp_path, {"test": NPM_DEFAULT_TEST, "tsc": "tsc"})) == [
        Gate("typecheck", "npm run tsc --silent", True, "typecheck", detected=True, requires="npm")
    ]


@pytest.mark.parametrize("text", ["{not json", '["a list"]', '{"scripts": "lint"}', ""])
def test_an_unusable_package_json_gives_no_gates(tmp_path: Path, text: str) -> None:
    (tmp_path / "package.json").write_text(text)
    assert detect_node(tmp_path) == []


def test_python_and_node_in_one_repository_keep_distinct_names_in_stage_order(
    tmp_path: Path,
) -> None:
    package_json(tmp_path, {"lint": "eslint .", "build": "vite build"})
    write(tmp_path, {"pyproject.toml": PYPROJECT})
    assert names(detect_gates(tmp_path)) == ["format", "lint (ruff)", "lint (npm)", "build"]


def test_the_default_detectors_cover_python_and_node() -> None:
    assert [detect_python, detect_node] == GATE_DETECTORS
    assert GATE_ORDER == ("format", "lint", "typecheck", "test", "build")


def test_a_registered_detector_is_consulted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def detect_make(root: Path) -> list[Gate]:
        if not (root / "Makefile").is_file():
            return []
        return [Gate("check", "make check", stage="test", detected=True, requires="make")]

    monkeypatch.setattr(
        "baton.delegation.gates._detect.GATE_DETECTORS", [*GATE_DETECTORS, detect_make]
    )
    write(tmp_path, {"Makefile": "check:\n", "pyproject.toml": PYPROJECT})
    assert names(detect_gates(tmp_path)) == ["format", "lint", "check"]


def test_configured_gates_win_and_keep_their_order(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": PYPROJECT})
    configured = [
        GateConfig(name="test", command="FOO=1 make test"),
        GateConfig(name="fmt", command="black --check .", read_only=False),
    ]
    assert gates_for(configured, tmp_path) == [
        Gate("test", "FOO=1 make test", True, stage="test", detected=False, requires="make"),
        Gate("fmt", "black --check .", False, stage=None, detected=False, requires="black"),
    ]
    assert names(gates_for([], tmp_path)) == ["format", "lint"]


@pytest.mark.parametrize(
    ("command", "program"),
    [
        ("ruff check .", "ruff"),
        ("FOO=1 BAR=x pytest -q", "pytest"),
        ("/usr/bin/env python -V", "/usr/bin/env"),
        ("cd sub && make", None),
        ("./scripts/check.sh", None),
        ("$RUNNER test", None),
        ("'unterminated", None),
        ("", None),
    ],
)
def test_the_program_a_configured_command_needs(command: str, program: str | None) -> None:
    assert program_of(command) == program
