"""The isolated workspace with real git: the lead's view copied exactly, denied paths gone even from
git's history, the lead untouched, and the worker's changes reported and applicable as a diff."""

from __future__ import annotations

import inspect
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import baton.delegation.workspace as workspace_module
from baton.delegation.workspace import Change, Workspace, WorkspaceError, create_workspace
from tests.delegation._git import git, write

DENIED = [".env*", "secrets/", "*.pem"]
SECRET = "SECRET_TOKEN=do-not-leak-31337"


@pytest.fixture
def lead(tmp_path: Path) -> Path:
    """A lead repository with committed secrets and every kind of uncommitted change."""
    repo = tmp_path / "lead"
    repo.mkdir()
    git(repo, "init", "-q")
    for rel, text in {
        "src/app.py": "VERSION = 1\n",
        "src/old.py": "OLD = True\n",
        "src/gone.py": "GONE = True\n",
        "README.md": "hello\n",
        ".gitignore": "build/\n*.log\n",
        ".env": SECRET + "\n",
        "config/secrets/x": SECRET + "\n",
        "a.pem": SECRET + "\n",
    }.items():
        write(repo, rel, text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "initial")
    write(repo, "src/staged.py", "STAGED = 1\n")
    git(repo, "add", "src/staged.py")
    write(repo, "src/app.py", "VERSION = 2\n")  # unstaged modification
    git(repo, "rm", "-q", "src/old.py")  # staged deletion
    (repo / "src/gone.py").unlink()  # unstaged deletion
    write(repo, "notes/todo.txt", "untracked\n")
    write(repo, "build/out.bin", "ignored\n")
    write(repo, "debug.log", "ignored\n")
    return repo


@pytest.fixture
def workspace(lead: Path, tmp_path: Path) -> Workspace:
    """A workspace of the lead repository inside the test's temporary directory."""
    parent = tmp_path / "ws"
    parent.mkdir()
    return create_workspace(lead, denied=DENIED, parent=parent)


def tree(root: Path) -> dict[str, str]:
    """Every file under root except .git, with its content (or link target)."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel == ".git" or rel.startswith(".git/"):
            continue
        if path.is_symlink():
            found[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            found[rel] = path.read_bytes().decode("latin-1")
    return found


def test_the_workspace_holds_head_plus_staged_unstaged_and_untracked_changes(
    workspace: Workspace,
) -> None:
    assert workspace.path.name.startswith("baton-ws-")
    assert tree(workspace.path) == {
        ".gitignore": "build/\n*.log\n",
        "README.md": "hello\n",
        "notes/todo.txt": "untracked\n",
        "src/app.py": "VERSION = 2\n",
        "src/staged.py": "STAGED = 1\n",
    }
    assert git(workspace.path, "status", "--porcelain") == ""
    assert git(workspace.path, "rev-parse", "HEAD").strip() == workspace.base


def test_denied_files_are_absent_and_git_cannot_reveal_them(workspace: Workspace) -> None:
    for rel in (".env", "config/secrets/x", "a.pem"):
        assert not (workspace.path / rel).exists()
        with pytest.raises(subprocess.CalledProcessError):
            git(workspace.path, "show", f"HEAD:{rel}")
    history = git(workspace.path, "log", "-p", "--all")
    objects = git(workspace.path, "cat-file", "--batch-all-objects", "--batch")
    assert SECRET not in history and SECRET not in objects
    assert not (workspace.path / ".git" / "objects" / "info" / "alternates").exists()


def test_nothing_done_in_the_workspace_touches_the_lead(lead: Path, workspace: Workspace) -> None:
    before = (tree(lead), git(lead, "status", "--porcelain"), git(lead, "rev-parse", "HEAD"))
    write(workspace.path, "src/app.py", "VERSION = 3\n")
    write(workspace.path, "src/new.py", "NEW = 1\n")
    git(workspace.path, "add", "-A")
    git(workspace.path, "commit", "-qm", "worker")
    workspace.changes()
    workspace.diff()
    assert (
        tree(lead),
        git(lead, "status", "--porcelain"),
        git(lead, "rev-parse", "HEAD"),
    ) == before


def test_symlinks_leaving_the_repository_or_to_denied_paths_are_left_out(lead: Path) -> None:
    (lead / "inside").symlink_to("src/app.py")
    (lead / "to-env").symlink_to(".env")
    (lead / "outside").symlink_to("../../etc")
    (lead / "absolute").symlink_to(lead / "README.md")
    with create_workspace(lead, denied=DENIED, parent=lead.parent) as ws:
        assert os.readlink(ws.path / "inside") == "src/app.py"
        assert sorted(ws.omitted) == ["absolute", "outside", "to-env"]
        for rel in ws.omitted:
            assert not os.path.lexists(ws.path / rel)


def worker_edits(root: Path) -> None:
    """What a worker might do: add, modify (and commit), delete, rename, link, add a binary."""
    write(root, "src/added.py", "ADDED = 1\n")
    write(root, "src/app.py", "VERSION = 3\n")
    git(root, "commit", "-qam", "a worker's own commit must not hide its change")
    (root / "README.md").unlink()
    (root / "notes/todo.txt").rename(root / "notes/done.txt")
    (root / "link").symlink_to("src/app.py")
    (root / "blob.bin").write_bytes(bytes(range(256)))


def test_changes_report_every_kind_of_change(workspace: Workspace) -> None:
    worker_edits(workspace.path)
    assert workspace.changes() == [
        Change("README.md", "deleted", 0o100644),
        Change("blob.bin", "added", 0o100644),
        Change("link", "added", 0o120000, is_symlink=True, symlink_target="src/app.py"),
        Change("notes/done.txt", "renamed", 0o100644, old_path="notes/todo.txt"),
        Change("src/added.py", "added", 0o100644),
        Change("src/app.py", "modified", 0o100644),
    ]


def test_a_denied_file_the_worker_creates_is_reported_even_if_ignored(
    workspace: Workspace,
) -> None:
    write(workspace.path, ".gitignore", "build/\n*.log\n.env\n")
    write(workspace.path, ".env", "LEAK=1\n")
    write(workspace.path, "build/cache", "ignored, not denied\n")
    assert [c.path for c in workspace.changes()] == [".env", ".gitignore"]


def test_an_executable_bit_is_reported_as_a_mode_change(workspace: Workspace) -> None:
    (workspace.path / "src/app.py").chmod(0o755)
    assert workspace.changes() == [Change("src/app.py", "modified", 0o100755)]


def test_a_file_replaced_by_a_symlink_is_type_changed(workspace: Workspace) -> None:
    (workspace.path / "README.md").unlink()
    (workspace.path / "README.md").symlink_to("src/app.py")
    [change] = workspace.changes()
    assert (change.status, change.is_symlink, change.symlink_target) == (
        "type-changed",
        True,
        "src/app.py",
    )


def test_the_diff_applies_cleanly_to_a_copy_of_the_lead(lead: Path, workspace: Workspace) -> None:
    worker_edits(workspace.path)
    copy = lead.parent / "lead-copy"
    shutil.copytree(lead, copy, symlinks=True)
    patch = workspace.diff()
    assert "GIT binary patch" in patch
    subprocess.run(["git", "apply", "-"], cwd=copy, input=patch.encode(), check=True)
    expected = tree(workspace.path) | {rel: text for rel, text in tree(lead).items() if rel in {
        ".env", "config/secrets/x", "a.pem", "build/out.bin", "debug.log"}}  # fmt: skip
    assert tree(copy) == expected


def test_removal_leaves_nothing_even_with_read_only_files(lead: Path, tmp_path: Path) -> None:
    parent = tmp_path / "parent"
    parent.mkdir()
    with create_workspace(lead, denied=DENIED, parent=parent) as ws:
        (ws.path / "src" / "app.py").chmod(0o444)
        (ws.path / "src").chmod(0o555)
    assert list(parent.iterdir()) == []


def test_keep_leaves_the_workspace_in_place(lead: Path, tmp_path: Path) -> None:
    with create_workspace(lead, denied=DENIED, parent=tmp_path, keep=True) as ws:
        pass
    assert (ws.path / "src" / "app.py").read_text() == "VERSION = 2\n"
    ws.remove()
    assert not ws.path.exists()


def test_a_repository_with_nothing_but_denied_files_gives_an_empty_workspace(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q")
    write(repo, ".env", SECRET)
    with create_workspace(repo, denied=DENIED, parent=tmp_path) as ws:
        assert tree(ws.path) == {}
        assert ws.changes() == []


def test_odd_file_names_are_copied_and_a_newline_does_not_hide_a_denied_one(
    lead: Path, tmp_path: Path
) -> None:
    write(lead, "dir with space/ünï cödé.txt", "odd\n")
    write(lead, "-leading-dash", "dash\n")
    write(lead, "a\nb/.env", SECRET)
    with create_workspace(lead, denied=DENIED, parent=tmp_path) as ws:
        assert (ws.path / "dir with space" / "ünï cödé.txt").read_text() == "odd\n"
        assert (ws.path / "-leading-dash").read_text() == "dash\n"
        assert not (ws.path / "a\nb").exists()


def git_dir_state(repo: Path) -> dict[str, tuple[bytes, int]]:
    """Content and modification time of every file in a repository's .git directory.

    Objects' times are left out: git refreshes the time of an object it finds already stored
    (in an alternate too), so that `gc` keeps it; their content and number still must not change.
    """
    return {
        str(path): (path.read_bytes(), 0 if "objects" in path.parts else path.stat().st_mtime_ns)
        for path in (repo / ".git").rglob("*")
        if path.is_file()
    }


def test_making_a_workspace_writes_nothing_into_the_leads_git_directory(
    lead: Path, tmp_path: Path
) -> None:
    before = git_dir_state(lead)
    with create_workspace(lead, denied=DENIED, parent=tmp_path) as ws:
        worker_edits(ws.path)
        ws.diff()
    assert git_dir_state(lead) == before


def test_uncommitted_secrets_never_reach_the_workspaces_objects(lead: Path, tmp_path: Path) -> None:
    write(lead, ".env", "FRESH_SECRET=uncommitted\n")
    write(lead, "secrets/new.key", "FRESH_SECRET=untracked\n")
    git(lead, "add", "secrets/new.key")
    parent = tmp_path / "parent"
    parent.mkdir()
    with create_workspace(lead, denied=DENIED, parent=parent) as ws:
        objects = git(ws.path, "cat-file", "--batch-all-objects", "--batch")
        assert "FRESH_SECRET" not in objects and SECRET not in objects
        assert sorted(parent.iterdir()) == [ws.path, ws.git_dir]  # the scratch area is gone


def test_a_directory_that_is_not_a_repository_is_a_clear_error(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(WorkspaceError, match="not a git repository"):
        create_workspace(plain, denied=DENIED, parent=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain"]


def test_every_exported_name_exists_and_is_documented() -> None:
    for name in workspace_module.__all__:
        member = getattr(workspace_module, name)
        if inspect.isclass(member) or inspect.isfunction(member):
            assert inspect.getdoc(member), name


def test_reading_the_changes_never_runs_what_the_worker_configured(workspace: Workspace) -> None:
    pwned = workspace.path.parent / "pwned"
    git(workspace.path, "config", "filter.evil.clean", f"touch {pwned}; cat")
    git(workspace.path, "config", "core.fsmonitor", f"touch {pwned}; true")
    write(workspace.path, ".gitattributes", "* filter=evil\n")
    write(workspace.path, "src/app.py", "VERSION = 4\n")
    assert [c.path for c in workspace.changes()] == [".gitattributes", "src/app.py"]
    assert "VERSION = 4" in workspace.diff()
    assert not pwned.exists()


def test_restore_undoes_what_checks_and_gates_wrote_and_keeps_the_workers_work(
    workspace: Workspace,
) -> None:
    worker_edits(workspace.path)
    before = tree(workspace.path)
    expected_changes = workspace.changes()
    checkpoint = workspace.checkpoint()
    write(workspace.path, "coverage.xml", "<coverage/>")  # a gate's report, not ignored
    write(workspace.path, "src/generated/out.py", "x = 1\n")
    (workspace.path / "README.md").write_text("reformatted by a gate\n")

    workspace.restore(checkpoint)

    assert tree(workspace.path) == before
    assert workspace.changes() == expected_changes
