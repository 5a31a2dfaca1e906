"""Apply edits to a git worktree safely, then validate what changed: syntax, and the final diff."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet

from bot.patching.apply import apply_edits
from bot.patching.edits import ApplyReport, Edit, EditResult, Rename, Status
from bot.patching.errors import InvalidResult, UnsafePath
from bot.patching.paths import check_path, resolve_inside
from bot.patching.syntax import syntax_error

__all__ = ["WorktreeResult", "apply_to_worktree", "worktree_diff"]

MAX_FILE_BYTES = 2_000_000


@dataclass(frozen=True)
class WorktreeResult:
    """What happened to each edit, which files changed, and the worktree's diff against HEAD afterwards."""

    results: tuple[EditResult, ...]
    changed: tuple[str, ...]
    diff: str

    @property
    def failed(self) -> tuple[EditResult, ...]:
        return tuple(r for r in self.results if not r.ok)


def _mentioned(edits: Sequence[Edit]) -> set[str]:
    paths = {e.path for e in edits} | {e.new_path for e in edits if isinstance(e, Rename)}
    return {p for p in paths if _is_safe(p)}


def _is_safe(path: str) -> bool:
    try:
        check_path(path)
    except UnsafePath:
        return False
    return True


def _load(root: Path, paths: Iterable[str]) -> tuple[dict[str, str], set[str]]:
    """Texts of the mentioned files that exist, and the paths that must not be touched (links, binaries)."""
    files: dict[str, str] = {}
    blocked: set[str] = set()
    for path in paths:
        try:
            real = resolve_inside(root, path)
        except UnsafePath:
            blocked.add(path)
            continue
        if real.is_file():
            data = real.read_bytes()
            if len(data) > MAX_FILE_BYTES or b"\x00" in data:
                blocked.add(path)
                continue
            files[check_path(path)] = data.decode("utf-8", errors="surrogateescape")
        elif real.exists():
            blocked.add(path)
    return files, blocked


def _block(results: Sequence[EditResult], blocked: set[str]) -> tuple[EditResult, ...]:
    out = []
    for r in results:
        paths = {r.edit.path} | ({r.edit.new_path} if isinstance(r.edit, Rename) else set())
        if r.ok and paths & blocked:
            r = EditResult(r.edit, Status.REJECTED, message="a symlink, binary, directory or oversized file")
        out.append(r)
    return tuple(out)


def _syntax_rollback(
    report: ApplyReport, before: dict[str, str]
) -> tuple[tuple[EditResult, ...], dict[str, str | None]]:
    """Undo every file that parsed before the edits and does not after; its edits become rejections."""
    files = dict(report.files)
    broken: dict[str, str] = {}
    for path, text in report.files.items():
        if text is None:
            continue
        error = syntax_error(path, text)
        if error and (path not in before or syntax_error(path, before[path]) is None):
            broken[path] = error
            del files[path]
    results = []
    for r in report.results:
        if r.ok and r.edit.path in broken:
            message = f"{r.edit.path} would not parse after the edits ({broken[r.edit.path]}); none were kept"
            r = EditResult(r.edit, Status.REJECTED, r.strategy, message)
        results.append(r)
    return tuple(results), files


def apply_to_worktree(root: Path, edits: Sequence[Edit]) -> WorktreeResult:
    """Apply what can be applied safely, write it, and return results with the validated diff."""
    files, blocked = _load(root, _mentioned(edits))
    report = apply_edits(files, edits)
    results, changed = _syntax_rollback(report, files)
    if blocked:
        results = _block(results, blocked)
        changed = {p: t for p, t in changed.items() if p not in blocked}
    for path, text in changed.items():
        _write(root, path, text)
    return WorktreeResult(results, tuple(sorted(changed)), worktree_diff(root, new_files=list(changed)))


def _write(root: Path, path: str, text: str | None) -> None:
    target = resolve_inside(root, path)
    if text is None:
        target.unlink(missing_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    resolve_inside(root, path)  # parents just created must not have become a way out
    target.write_bytes(text.encode("utf-8", errors="surrogateescape"))


def _git(root: Path, *args: str) -> str:
    """git's output as text, names unquoted: bytes that are not UTF-8 (in a name or a line) are kept as
    surrogates, the form files are loaded and written in here."""
    done = subprocess.run(
        ["git", "-c", "core.fsmonitor=false", "-c", "core.quotePath=false", *args],
        cwd=root,
        capture_output=True,
        encoding="utf-8",
        errors="surrogateescape",
        check=False,
    )
    if done.returncode != 0:
        raise InvalidResult(f"git {args[0]} failed: {done.stderr.strip()[:300]}")
    return done.stdout


def _fingerprint(patch: PatchSet) -> list[tuple[object, ...]]:
    """Files, hunk positions and every line: what a parse/print round trip must preserve."""
    out: list[tuple[object, ...]] = []
    for patched in patch:
        out.append((patched.source_file, patched.target_file, patched.is_binary_file))
        for hunk in patched:
            lines = tuple((line.line_type, line.value) for line in hunk)
            out.append((hunk.source_start, hunk.source_length, hunk.target_start, hunk.target_length, lines))
    return out


def worktree_diff(root: Path, *, new_files: Sequence[str] = ()) -> str:
    """`git diff HEAD` of the worktree, checked: it must parse and print back identically, all paths allowed."""
    existing = [p for p in new_files if (root / p).exists()]
    if existing:
        _git(root, "add", "--intent-to-add", "--", *existing)
    diff = _git(root, "diff", "HEAD", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames")
    try:
        patch = PatchSet(diff)
    except UnidiffParseError as exc:
        raise InvalidResult(f"the worktree diff does not parse: {exc}") from exc
    if _fingerprint(PatchSet(str(patch))) != _fingerprint(patch) or len(patch) != diff.count("\ndiff --git ") + (
        1 if diff.startswith("diff --git ") else 0
    ):
        raise InvalidResult("the worktree diff does not survive a parse/print round trip")
    for patched in patch:
        for name in (patched.source_file, patched.target_file):
            if name != "/dev/null":
                check_path(name[2:] if name.startswith(("a/", "b/")) else name)
    return diff
