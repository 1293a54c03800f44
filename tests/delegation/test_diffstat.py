"""The diff stat a run reports: lines added and removed per file, as `git diff --stat` counts."""

from __future__ import annotations

from baton.delegation._diffstat import diff_stat

TWO_FILES = (
    "diff --git a/src/a.py b/src/a.py\n--- a/src/a.py\n+++ b/src/a.py\n"
    "@@ -1,2 +1,2 @@\n-old\n+new\n--- a line that looks like a header\n"
    "diff --git a/logo.png b/logo.png\nGIT binary patch\nliteral 4\nabcd\n"
)


def test_lines_are_counted_per_file_and_a_binary_file_counts_none() -> None:
    stat = diff_stat(TWO_FILES).to_dict()
    assert stat["files_changed"] == 2
    assert stat["files"][0] == {"path": "src/a.py", "added": 1, "removed": 2, "binary": False}
    assert stat["files"][1] == {"path": "logo.png", "added": 0, "removed": 0, "binary": True}


def test_a_form_feed_inside_a_line_does_not_split_it() -> None:
    diff = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n+page\x0c+not a new line\n"
    assert (diff_stat(diff).added, diff_stat(diff).removed) == (1, 0)
