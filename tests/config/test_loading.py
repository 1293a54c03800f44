"""Finding, merging and validating baton.toml: defaults, layering, errors that point at lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from baton.config import BatonConfig, find_project_file, load_config, project_root, user_config_path
from baton.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def user_file(home: Path, text: str) -> Path:
    return write(home / ".config" / "baton" / "baton.toml", text)


# --- defaults and discovery ---------------------------------------------------------------------


def test_no_file_at_all_gives_the_defaults(project: Path) -> None:
    config = load_config(project)
    assert config == BatonConfig()
    assert config.sources == [] and config.project_file is None
    assert config.review.max_attempts == 2 and config.servers == {}
    assert project_root(config) == Path.cwd()


def test_the_nearest_baton_toml_above_the_start_is_the_project_file(project: Path) -> None:
    found = write(project / "baton.toml", "[review]\nmax_attempts = 4\n")
    deep = project / "src" / "pkg"
    deep.mkdir(parents=True)
    config = load_config(deep)
    assert config.review.max_attempts == 4
    assert config.project_file == found.resolve()
    assert project_root(config) == project.resolve()
    assert find_project_file(deep) == found.resolve()


def test_the_search_stops_at_the_repository_root(project: Path) -> None:
    write(project.parent / "baton.toml", "[review]\nmax_attempts = 9\n")
    assert find_project_file(project / "sub") is None
    assert load_config(project).review.max_attempts == 2


def test_an_explicit_config_path_must_exist(project: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(config_path=project / "nope.toml")
    assert caught.value.file == str(project / "nope.toml")
    assert caught.value.hint


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"BATON_USER_CONFIG": "/etc/b.toml", "XDG_CONFIG_HOME": "/x"}, "/etc/b.toml"),
        ({"XDG_CONFIG_HOME": "/x"}, "/x/baton/baton.toml"),
        ({"HOME": "/home/ann"}, "/home/ann/.config/baton/baton.toml"),
    ],
)
def test_user_config_path(
    environ: dict[str, str], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert user_config_path() == Path(expected)


# --- merging ------------------------------------------------------------------------------------

MERGE_CASES: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "tables merge key by key",
        "[review]\nmax_attempts = 3\n",
        "[review]\nretry_on_quality = true\n",
        {
            "review": {
                "max_attempts": 3,
                "retry_on_quality": True,
                "auto_apply": False,
                "on_lead_disconnect": "cancel",
            }
        },
    ),
    (
        "lists replace",
        '[policy]\ndenied_paths = [".env", "a"]\n',
        '[policy]\ndenied_paths = ["b"]\n',
        {"policy.denied_paths": ["b"]},
    ),
    (
        "a project server replaces the user's entry whole",
        '[servers.gh]\ncommand = "gh-mcp"\nenv = { A = "1" }\n',
        '[servers.gh]\nurl = "https://api.example/mcp"\n',
        {
            "servers.gh.command": None,
            "servers.gh.env": {},
            "servers.gh.url": "https://api.example/mcp",
        },
    ),
    (
        "servers of both files are kept, user's first",
        '[servers.mine]\ncommand = "a"\n',
        '[servers.team]\ncommand = "b"\n',
        {"servers": ["mine", "team"]},
    ),
    (
        "a project worker replaces the user's worker whole",
        '[workers.codex]\nadapter = "codex-mcp"\nmodel = "o3"\n',
        '[workers.codex]\nadapter = "cli"\n',
        {"workers.codex.model": None, "workers.codex.adapter": "cli"},
    ),
    (
        "the user file alone is enough",
        "[review]\nmax_attempts = 5\n",
        "",
        {"review.max_attempts": 5},
    ),
]


def pick(config: BatonConfig, dotted: str) -> Any:
    value: Any = config.model_dump()
    for part in dotted.split("."):
        value = value[part]
    return list(value) if dotted == "servers" else value


@pytest.mark.parametrize(("case", "user", "project_text", "expected"), MERGE_CASES)
def test_user_file_merges_under_the_project_file(
    case: str,
    user: str,
    project_text: str,
    expected: dict[str, Any],
    project: Path,
    isolated_home: Path,
) -> None:
    user_file(isolated_home, user)
    if project_text:
        write(project / "baton.toml", project_text)
    config = load_config(project)
    for dotted, value in expected.items():
        assert pick(config, dotted) == value, case


def test_sources_list_the_files_read_user_first(project: Path, isolated_home: Path) -> None:
    user = user_file(isolated_home, "")
    local = write(project / "baton.toml", "")
    assert load_config(project).sources == [user, local.resolve()]


def test_relative_paths_resolve_against_the_file_that_set_them(
    project: Path, isolated_home: Path
) -> None:
    user = user_file(isolated_home, '[servers.tool]\ncommand = "t"\ncwd = "tools"\n')
    write(
        project / "baton.toml",
        '[servers.app]\ncommand = "a"\ncwd = "app"\n[ledger]\npath = "x.db"\n',
    )
    config = load_config(project)
    assert config.servers["tool"].cwd == user.parent / "tools"
    assert config.servers["app"].cwd == project.resolve() / "app"
    assert config.ledger.path == project.resolve() / "x.db"


def test_loading_never_writes(project: Path) -> None:
    text = '# keep\n[servers.a]\ncommand = "a"   # odd spacing\n'
    path = write(project / "baton.toml", text)
    load_config(project)
    assert path.read_text(encoding="utf-8") == text
    assert sorted(p.name for p in project.iterdir()) == [".git", "baton.toml"]


# --- errors -------------------------------------------------------------------------------------

BAD_SERVER = """\
# servers of the team
[servers.serena]
command = "uvx"

[servers.github]
url = "https://api.githubcopilot.com/mcp/"
startup_timeout_sec = -5
"""


def test_a_schema_violation_names_file_key_and_line(project: Path) -> None:
    path = write(project / "baton.toml", BAD_SERVER)
    with pytest.raises(ConfigError) as caught:
        load_config(project)
    error = caught.value
    assert (error.file, error.key, error.line) == (
        str(path.resolve()),
        "servers.github.startup_timeout_sec",
        7,
    )
    assert "greater than 0" in error.message
    assert f"{path.resolve()}:7 [servers.github.startup_timeout_sec]" in str(error)


def test_an_unknown_key_suggests_the_close_one(project: Path) -> None:
    write(project / "baton.toml", "[review]\nmax_attempts = 2\nmax_atempts = 3\n")
    with pytest.raises(ConfigError) as caught:
        load_config(project)
    assert caught.value.key == "review.max_atempts" and caught.value.line == 3
    assert "unknown key `max_atempts`; did you mean `max_attempts`?" in caught.value.message
    assert caught.value.hint and "retry_on_quality" in caught.value.hint


def test_an_unknown_key_far_from_any_gets_no_guess(project: Path) -> None:
    write(project / "baton.toml", '[servers.a]\ncommand = "a"\nflavour = "x"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(project)
    assert caught.value.message.endswith("[servers.a.flavour]: unknown key `flavour`")
    assert caught.value.line == 3


def test_every_problem_is_reported_at_once(project: Path) -> None:
    text = '[servers.a]\ncomand = "x"\n\n[[gates]]\nname = "lint"\n\n[review]\nmax_attempts = 0\n'
    write(project / "baton.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_config(project)
    lines = caught.value.message.splitlines()
    assert caught.value.key == "servers.a.comand" and caught.value.line == 2
    assert any(":4 [gates[0].command]: missing required key `command`" in x for x in lines)
    assert any(":8 [review.max_attempts]" in x for x in lines)
    assert len(lines) == 3


def test_an_error_in_the_user_file_names_the_user_file(project: Path, isolated_home: Path) -> None:
    user = user_file(isolated_home, "\n[review]\nauto_apply = 'yes please'\n")
    write(project / "baton.toml", "[review]\nmax_attempts = 3\n")
    with pytest.raises(ConfigError) as caught:
        load_config(project)
    assert (caught.value.file, caught.value.line) == (str(user), 3)


def test_a_toml_syntax_error_names_file_and_line(project: Path) -> None:
    path = write(project / "baton.toml", '[servers.a]\ncommand = "a"\nargs = [1,\n\nbad\n')
    with pytest.raises(ConfigError) as caught:
        load_config(project)
    assert caught.value.file == str(path.resolve())
    assert caught.value.line == 5
    assert "baton.toml:5: invalid TOML: Invalid value (column 1)" in caught.value.message


def test_keys_the_loader_sets_cannot_be_written(project: Path) -> None:
    write(project / "baton.toml", 'sources = ["/etc/passwd"]\n')
    with pytest.raises(ConfigError) as caught:
        load_config(project)
    assert caught.value.key == "sources" and caught.value.line == 1


def test_an_inline_server_table_error_points_at_its_line(project: Path) -> None:
    write(project / "baton.toml", '[servers]\nlocal = { command = "x", urll = "y" }\n')
    with pytest.raises(ConfigError) as caught:
        load_config(project)
    assert caught.value.key == "servers.local.urll"
    assert caught.value.line == 2
    assert "did you mean `url`?" in caught.value.message
