"""Applying a workspace's diff to the lead with real git: whole or not at all, refused if the
lead's tree moved under a touched path, finished after a crash, never through a symlink."""

from __future__ import annotations

import inspect
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import baton.delegation.apply as apply_module
from baton.delegation import _lead_tree
from baton.delegation.apply import (
    AppliedDiff,
    ApplyError,
    ApplyRefused,
    Fingerprint,
    apply_diff,
    fingerprint_base,
    recover,
)
from baton.delegation.workspace import Workspace, create_workspace
from tests.delegation._git import git, write

DENIED = [".env"]
Tree = dict[str, tuple[str, bytes, bool]]
# The lead's denied file: never in a workspace, so never in a diff, and still there after apply.
LEAD_ONLY: Tree = {".env": ("file", b"TOKEN=secret\n", False)}


def files(root: Path, *, skip: tuple[str, ...] = (".git", ".baton")) -> Tree:
    """Every file and symlink under root: kind, bytes (or link target), executable bit."""
    found: Tree = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if Path(folder, d).relative_to(root).as_posix() not in skip]
        links = [d for d in dirs if os.path.islink(os.path.join(folder, d))]
        for name in [*names, *links]:
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = ("link", os.fsencode(os.readlink(path)), False)
            else:
                found[rel] = ("file", path.read_bytes(), os.access(path, os.X_OK))
    return found


@pytest.fixture
def lead(tmp_path: Path) -> Path:
    """A lead repository with a secret and uncommitted changes of every kind."""
    repo = tmp_path / "lead"
    repo.mkdir()
    git(repo, "init", "-q")
    for rel, text in {
        "src/app.py": "VERSION = 1\n",
        "src/util.py": "def helper():\n    return 1\n",
        "README.md": "hello\n",
        "docs/guide.md": "guide\n",
        ".gitignore": "*.log\n__pycache__/\n",
        ".env": "TOKEN=secret\n",
    }.items():
        write(repo, rel, text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "initial")
    write(repo, "src/app.py", "VERSION = 2\n")  # unstaged
    write(repo, "src/staged.py", "STAGED = 1\n")
    git(repo, "add", "src/staged.py")
    write(repo, "notes.txt", "untracked\n")
    return repo


@pytest.fixture
def workspace(lead: Path, tmp_path: Path) -> Iterator[Workspace]:
    """A workspace of the lead, outside it."""
    parent = tmp_path / "ws"
    parent.mkdir()
    with create_workspace(lead, denied=DENIED, parent=parent) as ws:
        yield ws


def taken(ws: Workspace) -> tuple[str, list[Fingerprint]]:
    """The workspace's diff and the fingerprints of every path it touches, as the pipeline does."""
    touched = {p for change in ws.changes() for p in (change.path, change.old_path) if p}
    return ws.diff(), fingerprint_base(ws, sorted(touched))


def every_kind_of_edit(root: Path) -> None:
    """Add, modify, delete, rename, chmod +x, add a symlink, a binary file and a nested file."""
    write(root, "src/new.py", "NEW = 1\n")
    write(root, "src/app.py", "VERSION = 3\n")
    (root / "README.md").unlink()
    (root / "docs/guide.md").rename(root / "docs/manual.md")
    (root / "src/util.py").chmod(0o755)
    (root / "current").symlink_to("src/app.py")
    write(root, "assets/logo.bin", bytes(range(256)) * 4)
    write(root, "a/b/c/deep.txt", "deep\n")
    write(root, "notes.txt", "untracked, now edited\n")


def test_every_kind_of_change_lands_as_the_workspace_has_it(
    lead: Path, workspace: Workspace
) -> None:
    every_kind_of_edit(workspace.path)
    diff, base = taken(workspace)
    applied = apply_diff(lead, diff, base)
    assert files(lead) == files(workspace.path) | LEAD_ONLY
    assert applied.files == (
        "README.md", "a/b/c/deep.txt", "assets/logo.bin", "current", "docs/guide.md",
        "docs/manual.md", "notes.txt", "src/app.py", "src/new.py", "src/util.py",
    )  # fmt: skip
    assert (applied.added, applied.removed) == (5, 3)
    assert sorted(os.listdir(lead / ".baton" / "apply")) == [".gitignore", "lock"]
    assert "baton" not in git(lead, "status", "--porcelain")


def test_fingerprints_are_the_base_commits_blobs_and_modes(workspace: Workspace) -> None:
    (workspace.path / "src/util.py").chmod(0o755)
    prints = fingerprint_base(workspace, ["src/util.py", "missing.py", "src", "src/app.py"])
    assert [(f.path, f.mode) for f in prints] == [
        ("missing.py", None), ("src", None), ("src/app.py", "100644"), ("src/util.py", "100644"),
    ]  # fmt: skip
    blob = git(workspace.path, "hash-object", "src/app.py").strip()
    assert prints[2].blob == blob and prints[0].blob is None and prints[1].blob is None


def test_a_lead_edit_to_a_touched_file_is_refused_and_nothing_is_written(
    lead: Path, workspace: Workspace
) -> None:
    every_kind_of_edit(workspace.path)
    diff, base = taken(workspace)
    write(lead, "src/app.py", "VERSION = 'the lead moved on'\n")
    (lead / "docs/guide.md").chmod(0o755)
    before = files(lead)
    with pytest.raises(ApplyRefused) as refused:
        apply_diff(lead, diff, base)
    assert refused.value.paths == ("docs/guide.md", "src/app.py")
    message = str(refused.value)
    assert "src/app.py: was modified since the run started" in message
    assert "docs/guide.md: changed mode since the run started (100644 -> 100755)" in message
    assert "baton delegate" in message and "git apply" in message
    assert files(lead) == before
    assert sorted(os.listdir(lead / ".baton" / "apply")) == [".gitignore", "lock"]


def swap_for_a_link(path: Path) -> None:
    """Replace a file by a symlink to a copy of it: same text, another kind of entry."""
    path.rename(path.with_suffix(".copy"))
    path.symlink_to(path.with_suffix(".copy").name)


@pytest.mark.parametrize(
    ("move", "why"),
    [
        (lambda lead: write(lead, "src/new.py", "mine\n"), "was created since the run started"),
        (lambda lead: (lead / "src/app.py").unlink(), "was deleted since the run started"),
        (lambda lead: swap_for_a_link(lead / "src/app.py"), "src/app.py: was modified"),
    ],
    ids=["created", "deleted", "now-a-symlink"],
)
def test_every_way_a_touched_path_can_move_is_refused(
    lead: Path, workspace: Workspace, move: object, why: str
) -> None:
    write(workspace.path, "src/new.py", "NEW = 1\n")
    write(workspace.path, "src/app.py", "VERSION = 3\n")
    diff, base = taken(workspace)
    move(lead)  # type: ignore[operator]
    before = files(lead)
    with pytest.raises(ApplyRefused, match=why):
        apply_diff(lead, diff, base)
    assert files(lead) == before


def test_changes_the_lead_made_to_untouched_files_are_kept(
    lead: Path, workspace: Workspace
) -> None:
    write(workspace.path, "src/app.py", "VERSION = 3\n")
    diff, base = taken(workspace)
    write(lead, "README.md", "the lead's own edit\n")
    write(lead, "src/other.py", "OTHER = 1\n")
    (lead / "docs/guide.md").unlink()
    assert apply_diff(lead, diff, base) == AppliedDiff(("src/app.py",), 1, 1)
    assert (lead / "src/app.py").read_text() == "VERSION = 3\n"
    assert (lead / "README.md").read_text() == "the lead's own edit\n"
    assert (lead / "src/other.py").exists() and not (lead / "docs/guide.md").exists()


def test_uncommitted_lead_files_are_fingerprinted_as_the_working_tree_has_them(
    lead: Path, workspace: Workspace
) -> None:
    write(workspace.path, "src/app.py", "VERSION = 3\n")  # unstaged in the lead
    write(workspace.path, "src/staged.py", "STAGED = 2\n")  # staged, never committed
    (workspace.path / "notes.txt").unlink()  # untracked
    diff, base = taken(workspace)
    apply_diff(lead, diff, base)
    assert (lead / "src/app.py").read_text() == "VERSION = 3\n"
    assert (lead / "src/staged.py").read_text() == "STAGED = 2\n"
    assert not (lead / "notes.txt").exists()


def test_a_diff_that_does_not_apply_is_an_error_naming_the_file(
    lead: Path, workspace: Workspace
) -> None:
    write(workspace.path, "src/new.py", "NEW = 1\n")
    write(workspace.path, "src/app.py", "VERSION = 3\n")
    diff, base = taken(workspace)
    broken = diff.replace("-VERSION = 2", "-VERSION = 7")
    before = files(lead)
    with pytest.raises(ApplyError, match=r"does not apply.*src/app.py") as failed:
        apply_diff(lead, broken, base)
    assert not isinstance(failed.value, ApplyRefused)
    assert files(lead) == before


@pytest.mark.parametrize(
    "path", ["../escape.txt", ".git/hooks/post-checkout", "a/../../b", "/etc/cron.d/x"]
)
def test_a_path_outside_the_tree_or_into_git_is_an_error(lead: Path, path: str) -> None:
    diff = (
        f"diff --git a/{path} b/{path}\nnew file mode 100755\nindex 0000000..e69de29\n"
        f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1 @@\n+touch pwned\n"
    )
    before = files(lead, skip=(".baton",))
    with pytest.raises(ApplyError, match=r"outside the tree or in .git"):
        apply_diff(lead, diff, [Fingerprint(path, None, None)])
    assert files(lead, skip=(".baton",)) == before


def test_an_empty_diff_changes_nothing_and_garbage_is_an_error(lead: Path) -> None:
    before = files(lead)
    assert apply_diff(lead, "", []) == AppliedDiff((), 0, 0)
    with pytest.raises(ApplyError, match=r"cannot be read: .*No valid patches"):
        apply_diff(lead, "this is not a diff\n", [])
    assert files(lead) == before


def test_a_touched_path_without_a_fingerprint_is_an_error(lead: Path, workspace: Workspace) -> None:
    write(workspace.path, "src/app.py", "VERSION = 3\n")
    write(workspace.path, "src/new.py", "NEW = 1\n")
    diff, base = taken(workspace)
    with pytest.raises(ApplyError, match=r"no fingerprint of 'src/new.py'"):
        apply_diff(lead, diff, [f for f in base if f.path != "src/new.py"])


def test_a_touched_path_behind_a_symlink_is_refused(lead: Path, workspace: Workspace) -> None:
    write(workspace.path, "src/new.py", "NEW = 1\n")
    diff, base = taken(workspace)
    (lead / "src").rename(lead / "elsewhere")
    (lead / "src").symlink_to("elsewhere")
    with pytest.raises(ApplyRefused, match=r"src/new.py: now lies behind the symbolic link src"):
        apply_diff(lead, diff, base)
    assert not (lead / "elsewhere" / "new.py").exists()


def test_a_symlink_the_diff_replaces_by_a_directory_is_no_obstacle(
    lead: Path, tmp_path: Path
) -> None:
    (lead / "lib").symlink_to("src")
    with create_workspace(lead, denied=DENIED, parent=tmp_path) as ws:
        (ws.path / "lib").unlink()
        write(ws.path, "lib/own.py", "OWN = 1\n")
        apply_diff(lead, *taken(ws))
    assert not (lead / "lib").is_symlink() and (lead / "lib/own.py").read_text() == "OWN = 1\n"
    assert not (lead / "src/own.py").exists()


def test_a_directory_becomes_a_file_only_if_nothing_is_left_in_it(
    lead: Path, tmp_path: Path
) -> None:
    with create_workspace(lead, denied=DENIED, parent=tmp_path) as ws:
        (ws.path / "docs/guide.md").unlink()
        (ws.path / "docs").rmdir()
        write(ws.path, "docs", "docs are a file now\n")
        diff, base = taken(ws)
    write(lead, "docs/__pycache__/x.pyc", b"\0")  # ignored, so not in the snapshot
    with pytest.raises(ApplyRefused, match=r"docs: is a directory holding docs/__pycache__/x.pyc"):
        apply_diff(lead, diff, base)
    assert (lead / "docs/guide.md").exists()
    (lead / "docs/__pycache__/x.pyc").unlink()
    (lead / "docs/__pycache__").rmdir()
    apply_diff(lead, diff, base)
    assert (lead / "docs").read_text() == "docs are a file now\n"


def test_a_file_becomes_a_directory(lead: Path, workspace: Workspace) -> None:
    (workspace.path / "README.md").unlink()
    write(workspace.path, "README.md/part-1.md", "one\n")
    apply_diff(lead, *taken(workspace))
    assert (lead / "README.md/part-1.md").read_text() == "one\n"


def test_a_crlf_tree_with_text_auto_fingerprints_equal_and_keeps_its_line_endings(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "crlf"
    repo.mkdir()
    git(repo, "init", "-q")
    write(repo, ".gitattributes", "* text=auto\n*.bat text eol=crlf\n")
    write(repo, "run.bat", "echo one\r\necho two\r\n")
    write(repo, "notes.txt", "first\r\nsecond\r\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "crlf")
    write(repo, "notes.txt", "first\r\nsecond\r\n")  # the lead's copy keeps CRLF; git stores LF
    with create_workspace(repo, denied=DENIED, parent=tmp_path) as ws:
        assert (ws.path / "run.bat").read_bytes() == b"echo one\r\necho two\r\n"
        write(ws.path, "run.bat", "echo one\r\necho three\r\n")
        write(ws.path, "notes.txt", "first\nsecond\nthird\n")
        diff, base = taken(ws)
        assert "\r" not in diff
        apply_diff(repo, diff, base)
    assert (repo / "run.bat").read_bytes() == b"echo one\r\necho three\r\n"
    assert (repo / "notes.txt").read_bytes() == b"first\nsecond\nthird\n"


def stage_without_moving(lead: Path, diff: str, base: list[Fingerprint]) -> AppliedDiff:
    """Everything apply does up to the first rename: what a crash right after the journal leaves."""
    with _lead_tree.locked(lead):
        return apply_module._prepare(lead.resolve(), diff, base)


def test_a_crash_after_the_journal_is_finished_by_recover(lead: Path, workspace: Workspace) -> None:
    every_kind_of_edit(workspace.path)
    diff, base = taken(workspace)
    before = files(lead)
    staged = stage_without_moving(lead, diff, base)
    assert files(lead) == before
    journal = json.loads((lead / ".baton/apply/journal.json").read_text())
    assert sorted([*journal["write"], *journal["delete"]]) == list(staged.files)
    assert recover(lead) == staged.files
    assert files(lead) == files(workspace.path) | LEAD_ONLY
    assert sorted(os.listdir(lead / ".baton" / "apply")) == [".gitignore", "lock"]
    assert recover(lead) == ()


class Crash(BaseException):
    """Stands for a kill: nothing catches it."""


def test_a_crash_between_two_renames_is_finished_by_the_next_apply(
    lead: Path, workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    every_kind_of_edit(workspace.path)
    diff, base = taken(workspace)
    real_replace, calls = os.replace, []

    def crash_on_the_third(source: object, target: object) -> None:
        calls.append(target)
        if len(calls) == 3:  # the journal, one file, then the kill
            raise Crash
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", crash_on_the_third)
    with pytest.raises(Crash):
        apply_diff(lead, diff, base)
    monkeypatch.setattr(os, "replace", real_replace)
    assert (lead / ".baton/apply/journal.json").exists()
    assert files(lead) != files(workspace.path) | LEAD_ONLY
    with create_workspace(lead, denied=DENIED, parent=tmp_path) as second:
        write(second.path, "later.txt", "a later run\n")
        later = taken(second)
    apply_diff(lead, *later)  # finishes the first apply, then applies its own
    expected = files(workspace.path) | LEAD_ONLY
    assert files(lead) == expected | {"later.txt": ("file", b"a later run\n", False)}


@pytest.mark.parametrize(
    ("journal", "why"),
    [
        ("{not json", "unreadable"),
        ('{"stage": "stage-x", "write": ["../../outside"], "delete": []}', "outside the tree"),
        ('{"stage": "../..", "write": [], "delete": []}', "outside the tree"),
    ],
)
def test_a_bad_journal_stops_apply_and_says_what_to_do(lead: Path, journal: str, why: str) -> None:
    write(lead, ".baton/apply/journal.json", journal)
    before = files(lead)
    with pytest.raises(ApplyError, match=why) as failed:
        recover(lead)
    assert failed.value.hint is not None and "delete" in failed.value.hint
    assert files(lead) == before


def test_two_applies_at_once_take_turns_and_the_second_is_refused(
    lead: Path, tmp_path: Path
) -> None:
    diffs = []
    for name in ("one", "two"):
        parent = tmp_path / name
        parent.mkdir()
        with create_workspace(lead, denied=DENIED, parent=parent) as ws:
            write(ws.path, "src/app.py", f"VERSION = '{name}'\n")
            diffs.append(taken(ws))
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def run(diff: str, base: list[Fingerprint]) -> None:
        start.wait(timeout=30)
        try:
            apply_diff(lead, diff, base)
            outcomes.append("applied")
        except ApplyRefused:
            outcomes.append("refused")

    threads = [threading.Thread(target=run, args=taken_diff) for taken_diff in diffs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["applied", "refused"]
    assert (lead / "src/app.py").read_text() in ("VERSION = 'one'\n", "VERSION = 'two'\n")


def test_every_exported_name_exists_and_is_documented() -> None:
    assert set(apply_module.__all__) == {
        "AppliedDiff", "ApplyError", "ApplyRefused", "Fingerprint",
        "apply_diff", "fingerprint_base", "recover",
    }  # fmt: skip
    for name in apply_module.__all__:
        assert inspect.getdoc(getattr(apply_module, name)), name
