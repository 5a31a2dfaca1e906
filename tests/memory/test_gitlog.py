"""Tests for memory.gitlog against a real git history."""

from __future__ import annotations

from pathlib import Path

import pytest

from memory.errors import GitFailed
from memory.gitlog import BlobReader, head_sha, iter_units, list_tree, parse_log


def test_units_follow_the_first_parent_line(history_repo: Path) -> None:
    """Feature-branch commits are not units; the PR merge is one, in chronological order."""
    titles = [u.title for u in iter_units(history_repo)]
    assert titles[:4] == [
        "Initial commit",
        "Fix timeout in Client.send",
        "Parse cookie attributes",
        "Rename cookies module to jar",
    ]
    assert len(titles) == 6


def test_merge_unit_is_diffed_against_its_first_parent(history_repo: Path) -> None:
    """The PR merge carries the branch's changes, its PR number, and no merge boilerplate."""
    merge = next(u for u in iter_units(history_repo) if u.is_merge)
    assert merge.refs == (7,)
    assert merge.message == "Parse cookie attributes"
    assert [(f.path, f.status, f.added, f.deleted) for f in merge.files] == [("src/pkg/cookies.py", "M", 1, 1)]


def test_file_changes_record_hunks_and_enclosing_functions(history_repo: Path) -> None:
    """A one-line edit records its hunk and the function git saw around it; trailers and refs are cleaned."""
    unit = list(iter_units(history_repo))[1]
    change = unit.files[0]
    assert (unit.message, unit.refs) == ("Fix timeout in Client.send", (3,))
    assert change.hunks == [(7, 1, 7, 1)]
    assert change.funcs == ["send"]


def test_renames_and_reverts_are_recorded(history_repo: Path) -> None:
    """A rename keeps both paths; a revert links to the unit it reverts."""
    units = list(iter_units(history_repo))
    rename = units[3].files[0]
    assert (rename.old_path, rename.path, rename.status) == ("src/pkg/cookies.py", "src/pkg/jar.py", "R")
    assert units[5].is_revert and units[5].reverts == units[4].sha
    assert units[5].files[0].status == "D"


def test_since_streams_only_newer_units(history_repo: Path) -> None:
    """With `since`, only the units after that commit are read."""
    units = list(iter_units(history_repo))
    assert [u.sha for u in iter_units(history_repo, since=units[3].sha)] == [units[4].sha, units[5].sha]


def test_blob_reader_and_tree(history_repo: Path) -> None:
    """Blobs are read by id or rev:path; missing ones give None."""
    tree = list_tree(history_repo, head_sha(history_repo))
    assert "src/pkg/jar.py" in tree and "src/pkg/helpers.py" not in tree
    with BlobReader(history_repo) as blobs:
        assert "class Client" in (blobs.read(tree["src/pkg/client.py"]) or "")
        assert blobs.read("HEAD:src/pkg/helpers.py") is None


def test_git_failures_are_mapped(tmp_path: Path) -> None:
    """A non-repository raises GitFailed, not CalledProcessError."""
    with pytest.raises(GitFailed):
        head_sha(tmp_path)


def test_parse_log_ignores_preamble_lines() -> None:
    """Lines before the first commit header are skipped."""
    lines = ["noise", "\x00abc\x1f\x1fme\x1f10\x1fTitle\x1e", "diff --git a/x.py b/x.py", "@@ -1 +1 @@", "-a", "+b"]
    (unit,) = parse_log(lines)
    assert (unit.sha, unit.message, unit.files[0].added, unit.files[0].deleted) == ("abc", "Title", 1, 1)
