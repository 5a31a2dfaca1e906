"""Tests for memory.gitlog against a real git history."""

from __future__ import annotations

import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from memory.builder import BuildConfig, build
from memory.errors import GitFailed
from memory.gitlog import BlobReader, head_sha, iter_units, list_tree, parse_log, shallow_roots
from memory.model import Unit
from memory.paths import unquote
from memory.symbols import extract_symbols
from tests.conftest import git
from tests.memory.conftest import commit

# Names that are not UTF-8 are held as Python holds such file names (os.fsdecode): each bad byte a surrogate
LATIN1 = os.fsdecode(b"caf\xe9.py")  # "caf\udce9.py"
QUOTED_LATIN1 = os.fsdecode(b'q"caf\xe9.py')  # git quotes this one for its quote mark and leaves the byte raw
MOVED_LATIN1 = os.fsdecode(b"d\xe9j\xe0.py")


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


@pytest.mark.parametrize(
    ("printed", "path"),
    [
        ("src/a.py", "src/a.py"),
        ('"a/x\\"y.py"', 'a/x"y.py'),
        ('"a/tab\\there.py"', "a/tab\there.py"),
        ('"a/back\\\\slash.py"', "a/back\\slash.py"),
        ('"a/caf\\303\\251.py"', "a/caf\u00e9.py"),
        ('"a/short\\7x.py"', "a/short\ax.py"),
        ('"a/caf\\351.py"', "a/caf\udce9.py"),
        ('"q\\"caf\udce9.py"', 'q"caf\udce9.py'),
    ],
)
def test_unquote_reads_git_c_quoting(printed: str, path: str) -> None:
    """Paths git prints C-quoted (quotes, tabs, backslashes, octal bytes) come back as the path itself."""
    assert unquote(printed) == path


@pytest.mark.parametrize("name", ["my b/x/mod.py", 'odd"name.py', "tab\there.py", "back\\slash.py", "caf\u00e9 b.py"])
def test_odd_file_names_get_their_own_change(make_git_repo: Any, name: str) -> None:
    """A name with " b/", quotes, tabs, backslashes or non-ASCII is parsed as itself, its lines charged to it."""
    repo = make_git_repo({"a.py": "x = 1\n", name: "y = 1\n"})
    commit(repo, "Edit both", {"a.py": "x = 2\n", name: "y = 2\nz = 3\n"})
    changes = {f.path: (f.added, f.deleted, len(f.hunks)) for f in list(iter_units(repo))[-1].files}
    assert changes == {"a.py": (1, 1, 1), name: (2, 1, 1)}
    assert name in list_tree(repo, "HEAD")


def test_renames_of_quoted_names_keep_both_paths(make_git_repo: Any) -> None:
    """A rename between C-quoted names records the old and new path unquoted."""
    repo = make_git_repo({'old"name.py': "def f():\n    return 1\n" * 20})
    git(repo, "mv", 'old"name.py', 'new"name.py')
    git(repo, "commit", "-q", "-m", "Rename")
    change = list(iter_units(repo))[-1].files[0]
    assert (change.old_path, change.path, change.status) == ('old"name.py', 'new"name.py', "R")


def test_user_diff_settings_do_not_change_what_is_parsed(make_git_repo: Any) -> None:
    """diff.noprefix, diff.mnemonicPrefix or an external diff in the repo's config leave the parse as it was."""
    repo = make_git_repo({"src/a.py": "x = 1\n"})
    commit(repo, "Edit", {"src/a.py": "x = 2\n"})
    before = [(f.path, f.added) for f in list(iter_units(repo))[-1].files]
    for key, value in (("diff.noprefix", "true"), ("diff.mnemonicPrefix", "true"), ("diff.external", "false")):
        git(repo, "config", key, value)
    assert [(f.path, f.added) for f in list(iter_units(repo))[-1].files] == before == [("src/a.py", 1)]


def test_blob_reader_names_with_spaces_newlines_or_missing(history_repo: Path) -> None:
    """A missing name with spaces is None (not a crash), and a name with a newline is never sent to git."""
    with BlobReader(history_repo) as blobs:
        assert blobs.read("HEAD:no such b/file.py") is None
        assert blobs.read("HEAD:two\nlines.py") is None
        assert blobs.read("HEAD:src/pkg/client.py") is not None


def test_blob_reader_drops_a_byte_order_mark(make_git_repo: Callable[..., Path]) -> None:
    """A file saved with a UTF-8 byte order mark reads as its text alone, so the Python parser takes it and its
    functions are indexed."""
    repo = make_git_repo({"src/bom.py": "\ufeffdef helper():\n    return 1\n"})
    with BlobReader(repo) as blobs:
        text = blobs.read("HEAD:src/bom.py")
    assert text == "def helper():\n    return 1\n"
    assert [s.qualname for s in extract_symbols("src/bom.py", text)] == ["helper"]


def test_shallow_roots_name_where_a_clone_was_cut(history_repo: Path, tmp_path: Path) -> None:
    """A complete clone has no shallow roots; a --depth clone lists the commit its history stops at."""
    assert shallow_roots(history_repo) == []
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{history_repo}", "shallow")
    roots = shallow_roots(tmp_path / "shallow")
    assert roots == [git(tmp_path / "shallow", "rev-parse", "HEAD~1").strip()]


def test_tree_and_units_use_paths_from_the_top_when_given_a_subfolder(history_repo: Path) -> None:
    """Memory asked for a folder inside the repository sees the same paths as for its top."""
    inner = history_repo / "src" / "pkg"
    assert list_tree(inner, "HEAD") == list_tree(history_repo, "HEAD")
    assert "src/pkg/client.py" in list_tree(inner, "HEAD")
    assert [f.path for u in iter_units(inner) for f in u.files] == [
        f.path for u in iter_units(history_repo) for f in u.files
    ]


def test_names_that_are_not_utf8_are_listed_parsed_and_read(make_git_repo: Callable[..., Path]) -> None:
    """A name with bytes that are not UTF-8 is one path in the tree, the log and the blob reader alike."""
    repo = make_git_repo({"a.py": "x = 1\n"})
    commit(repo, "Add", {LATIN1: "y = 1\n", QUOTED_LATIN1: "z = 1\n"})
    commit(repo, "Edit", {LATIN1: "y = 2\n", QUOTED_LATIN1: "z = 2\n"})
    git(repo, "mv", LATIN1, MOVED_LATIN1)
    git(repo, "commit", "-q", "-m", "Move")
    units = list(iter_units(repo))
    edits = {(f.path, f.status, f.added, f.deleted) for f in units[2].files}
    assert edits == {(LATIN1, "M", 1, 1), (QUOTED_LATIN1, "M", 1, 1)}
    assert [(f.old_path, f.path, f.status) for f in units[3].files] == [(LATIN1, MOVED_LATIN1, "R")]
    tree = list_tree(repo, "HEAD")
    assert sorted(tree) == sorted(["a.py", MOVED_LATIN1, QUOTED_LATIN1])
    with BlobReader(repo) as blobs:
        assert blobs.read(f"HEAD:{MOVED_LATIN1}") == "y = 2\n"
        assert blobs.read(tree[QUOTED_LATIN1]) == "z = 2\n"
        assert blobs.read("HEAD:lone\ud800.py") is None  # not a name git could have given: never sent


def test_a_name_that_is_not_utf8_stays_a_candidate_and_persists(make_git_repo: Callable[..., Path]) -> None:
    """Built from the tree and then edited online, the file stays in the snapshot with its text; its units
    survive the JSON and pickle memory is saved with."""
    repo = make_git_repo({"a.py": "x = 1\n"})
    commit(repo, "Add", {LATIN1: "def f():\n    return 1\n"})
    commit(repo, "Edit", {LATIN1: "def f():\n    return 2\n"})
    memory = build(repo, None, BuildConfig(calibration_units=1))
    assert LATIN1 in memory.snapshot.files and "f" in memory.snapshot.files[LATIN1].func_tokens
    unit = memory.history.units[-1]
    assert Unit.from_json(json.loads(json.dumps(unit.to_json()))) == unit
    assert pickle.loads(pickle.dumps(unit, protocol=pickle.HIGHEST_PROTOCOL)) == unit  # noqa: S301  # our own bytes


def test_symbolic_links_never_become_files(make_git_repo: Callable[..., Path]) -> None:
    """A pure rename of a link, and a file and a link trading places, leave only real files in memory."""
    repo = make_git_repo({"real.py": "x = 1\n", "f.py": "y = 1\n"})
    (repo / "link.py").symlink_to("real.py")
    (repo / "tolink.py").symlink_to("real.py")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Add links")
    git(repo, "mv", "link.py", "other.py")
    git(repo, "commit", "-q", "-m", "Rename a link")
    (repo / "f.py").unlink()
    (repo / "f.py").symlink_to("real.py")
    (repo / "tolink.py").unlink()
    (repo / "tolink.py").write_text("z = 1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Swap a file and a link")
    changes = [[(f.path, f.status) for f in u.files] for u in list(iter_units(repo))[1:]]
    assert changes == [[], [], [("f.py", "D"), ("tolink.py", "A")]]
    assert sorted(list_tree(repo, "HEAD")) == ["real.py", "tolink.py"]
    assert sorted(build(repo, None, BuildConfig(calibration_units=3)).snapshot.files) == ["real.py", "tolink.py"]


@pytest.mark.parametrize(
    ("modes", "expected"),
    [
        ("120000 120000", []),
        ("100644 120000", [("old.py", "old.py", "D")]),
        ("120000 100644", [("new.py", "new.py", "A")]),
        ("100644 100755", [("new.py", "old.py", "R")]),
    ],
)
def test_renames_are_settled_by_the_modes_of_their_sides(modes: str, expected: list[tuple[str, str, str]]) -> None:
    """A rename between links goes; a file renamed to a link is its deletion, a link renamed to a file an addition."""
    lines = ["\x00abc\x1f\x1fme\x1f10\x1fMove\x1e", "", f":{modes} 1111111 1111111 R100\told.py\tnew.py", ""]
    lines += ["diff --git a/old.py b/new.py", "similarity index 100%", "rename from old.py", "rename to new.py"]
    (unit,) = parse_log(lines)
    assert [(f.path, f.old_path, f.status) for f in unit.files] == expected
