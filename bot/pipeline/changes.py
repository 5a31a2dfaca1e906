"""What a PR writes: the winner's post-images and its reproduction test, placed where the repo keeps tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from bot.patching.paths import resolve_inside
from bot.patching.workspace import diff_paths, tracked_files
from bot.pipeline.writer import commit_message, commit_title, render_body
from reviewers.diffs import apply_diff, parse_diff
from sandbox.worktrees import read_no_follow

__all__ = ["Change", "build_change", "place_test", "planned_files", "write_files"]

MAX_BYTES = 4 * 1024 * 1024


def place_test(path: str, conventions: Mapping[str, Any], existing: set[str]) -> str:
    """The repro test's path in the repo's test folder, named its way (`test_*.py` or `*_test.py`), unused."""
    tests = conventions.get("tests") or {}
    name = PurePosixPath(path).name
    stem = name.removesuffix(".py").removeprefix("test_").removesuffix("_test")
    name = f"{stem}_test.py" if tests.get("naming") == "*_test" else f"test_{stem}.py"
    dirs = tests.get("dirs") or []
    folder = str(PurePosixPath(path).parent)
    if dirs and not (folder == dirs[0] or folder.startswith(dirs[0] + "/")):
        folder = dirs[0]
    placed = str(PurePosixPath(folder) / name) if folder not in ("", ".") else name
    n = 2
    while placed in existing:
        placed = str(PurePosixPath(placed).with_name(f"{PurePosixPath(name).stem}_{n}.py"))
        n += 1
    return placed


def planned_files(base: Path, diff: str, test: tuple[str, str] | None) -> dict[str, str | None]:
    """Path -> new text (None deletes) for the diff applied to `base`, plus the test file when given."""
    paths = {p for change in parse_diff(diff) for p in (change.old_path, change.new_path) if p}
    originals = {p: read_no_follow(resolve_inside(base, p), MAX_BYTES, errors="surrogateescape") for p in paths}
    files: dict[str, str | None] = dict(apply_diff(originals, diff)) if diff.strip() else {}
    if test is not None:
        files[test[0]] = test[1]
    return files


def write_files(root: Path, files: Mapping[str, str | None]) -> None:
    """Write (or delete) each file inside `root`; paths that escape it raise UnsafePath. Texts hold bytes that are
    not UTF-8 as surrogates (see `planned_files`) and are written back as those bytes."""
    for path, text in files.items():
        target = resolve_inside(root, path)
        if text is None:
            target.unlink(missing_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8", "surrogateescape"))


@dataclass(frozen=True)
class Change:
    """Everything a publisher writes: files, commit title and message, PR body."""

    title: str
    message: str
    body: str
    files: dict[str, str | None]
    test_path: str | None


def winner_of(result: Mapping[str, Any]) -> dict[str, Any]:
    return next(c for c in result["candidates"] if f"candidate-{c['candidate']}" == result["winner"])


def build_change(
    result: Mapping[str, Any],
    base: Path,
    *,
    issue: tuple[int | None, str],
    repo_url: str,
    keep_test: bool,
    spend: tuple[int, float],
) -> Change:
    """The winner as files, in the repository's style, with the PR body rendered from the evidence."""
    winner = winner_of(result)
    conventions = (result.get("recall") or {}).get("conventions") or {}
    test: tuple[str, str] | None = None
    if keep_test and winner.get("test_path") and winner.get("test_code"):
        test = (place_test(winner["test_path"], conventions, set(tracked_files(base))), winner["test_code"])
    number, issue_title = issue
    title = commit_title(conventions, issue_title, diff_paths(winner["diff"]))
    body = render_body(
        result, title=title, issue_number=number, repo_url=repo_url, test_path=test[0] if test else None, spend=spend
    )
    files = planned_files(base, winner["diff"], test)
    return Change(title, commit_message(title, number), body, files, test[0] if test else None)
