"""Git adapter: stream the first-parent history as change units, list trees and read blobs in batch."""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from memory.errors import GitFailed
from memory.model import FileChange, Unit
from memory.paths import printable, unquote
from memory.textproc import clean_message

__all__ = ["BlobReader", "head_sha", "iter_units", "list_tree", "parse_log", "run_git", "shallow_roots", "unit_diff"]

_HEADER_START = "\x00"
_HEADER_END = "\x1e"
_FORMAT = "--format=%x00%H%x1f%P%x1f%an%x1f%ct%x1f%B%x1e"
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$")
_FUNC = re.compile(r"\b(?:async\s+def|def|class|func|function|fn)\s+([A-Za-z_]\w*)")
_ATTRIBUTES = "*.py diff=python\n*.go diff=golang\n*.rs diff=rust\n*.java diff=java\n*.rb diff=ruby\n"
# Patches read the same whatever the user's git config says: a/ and b/ prefixes, no signatures, no colour,
# no external diff driver, paths relative to the top of the repository, UTF-8 paths left unquoted.
# A path's bytes that are not UTF-8 decode as surrogates (`surrogateescape`, as os.fsdecode does) wherever git
# prints paths, so the tree, the log and the blob reader name such a file alike and it round-trips to git.
_NEUTRAL = ("-c", "core.quotePath=false", "-c", "log.showSignature=false", "-c", "diff.relative=false")
_PATCH = ("--no-color", "--no-ext-diff", "--src-prefix=a/", "--dst-prefix=b/")


def run_git(repo: Path, *args: str, errors: str = "replace") -> str:
    """Run one git command in `repo` and return its stdout (decoded with `errors`); failures become GitFailed."""
    try:
        done = subprocess.run(["git", *args], cwd=repo, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        stderr = getattr(exc, "stderr", b"") or b""
        raise GitFailed(f"git {args[0]} failed in {repo}: {stderr.decode(errors='replace').strip()}") from exc
    return done.stdout.decode("utf-8", errors=errors)


def shallow_roots(repo: Path) -> list[str]:
    """The commits a shallow clone's history is cut at, sorted; empty for a complete clone."""
    listed = Path(run_git(repo, "rev-parse", "--git-path", "shallow").strip())
    try:
        return sorted((listed if listed.is_absolute() else repo / listed).read_text().split())
    except FileNotFoundError:
        return []


def head_sha(repo: Path, rev: str = "HEAD") -> str:
    return run_git(repo, "rev-parse", "--verify", f"{rev}^{{commit}}").strip()


def list_tree(repo: Path, sha: str) -> dict[str, str]:
    """Every blob path at `sha` (from the top of the repository, whatever folder `repo` is) mapped to its blob id."""
    out = run_git(repo, "ls-tree", "-r", "-z", "--full-tree", sha, errors="surrogateescape")  # -z: names verbatim
    tree: dict[str, str] = {}
    for entry in out.split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        mode, kind, blob = meta.split()
        if kind == "blob" and mode != SYMLINK_MODE:
            tree[path] = blob
    return tree


SYMLINK_MODE = "120000"
SYMLINK = "L"  # status of a change to a symbolic link while its patch is parsed; such changes are dropped


def _start_commit(header: str) -> Unit:
    text = header.encode("utf-8", "surrogateescape").decode("utf-8", "replace")  # only paths keep raw bytes
    sha, parents, author, ts, body = text.split("\x1f", 4)
    parent_list = parents.split()
    clean = clean_message(body)
    return Unit(
        sha=sha,
        parent=parent_list[0] if parent_list else "",
        author=author,
        timestamp=int(ts or 0),
        message=clean.text,
        refs=clean.refs,
        files=[],
        is_merge=len(parent_list) > 1,
        reverts=clean.reverts,
        is_revert=clean.is_revert,
    )


def _file_line(change: FileChange, line: str) -> None:
    """Apply one metadata line of a file's patch header to `change`."""
    if line.endswith(" " + SYMLINK_MODE) and line.startswith(("new file mode", "deleted file mode", "index ")):
        change.status = SYMLINK  # git splits a type change into a deletion and an addition, so this is all of it
    elif line.startswith("new file mode"):
        change.status = "A"
    elif line.startswith("deleted file mode"):
        change.status = "D"
    elif line.startswith("rename from "):
        change.old_path, change.status = unquote(line[12:]), "R"
    elif line.startswith("rename to "):
        change.path = unquote(line[10:])


def _hunk(change: FileChange, match: re.Match[str]) -> None:
    old_start, old_len, new_start, new_len, context = match.groups()
    change.hunks.append(
        (int(old_start), 1 if old_len is None else int(old_len), int(new_start), 1 if new_len is None else int(new_len))
    )
    name = _FUNC.search(context)
    if name and name.group(1) not in change.funcs:
        change.funcs.append(name.group(1))


def _header_paths(rest: str) -> tuple[str, str]:
    """The old and new path of `diff --git <rest>`. A rename's own lines follow and correct both."""
    quoted = re.match(r'"(?:[^"\\]|\\.)*"', rest)
    if quoted:  # git quotes paths with quotes, backslashes or control characters in them
        return unquote(quoted.group(0))[2:], unquote(rest[quoted.end() + 1 :])[2:]
    half = (len(rest) - 1) // 2  # "a/P b/P": the same path twice unless the file was renamed
    if rest[half : half + 3] == " b/" and rest[2:half] == rest[half + 3 :]:
        return rest[2:half], rest[2:half]
    old, _, new = rest.partition(" b/")
    return old[2:], new


def _diff_line(line: str) -> FileChange:
    old, new = _header_paths(line[len("diff --git ") :])
    return FileChange(path=new, old_path=old, status="M")


def _patch_line(change: FileChange, line: str, in_hunk: bool) -> bool:
    """Apply one patch line to `change`; return whether we are now inside a hunk."""
    if line.startswith("@@ "):
        match = _HUNK.match(line)
        if match:
            _hunk(change, match)
        return match is not None or in_hunk
    if in_hunk:
        if line.startswith("+"):
            change.added += 1
        elif line.startswith("-"):
            change.deleted += 1
        return True
    _file_line(change, line)
    return False


def parse_log(lines: Iterable[str]) -> Iterator[Unit]:
    """Parse `git log -p -U0` output written with our format into units (a pure generator)."""
    unit: Unit | None = None
    header: list[str] = []
    change: FileChange | None = None
    renames: dict[tuple[str, str], tuple[str, str]] = {}
    in_hunk = False
    for line in lines:
        if header or line.startswith(_HEADER_START):
            header.append(line.lstrip(_HEADER_START) if not header else line)
            if _HEADER_END in line:
                if unit is not None:
                    yield _settle(unit, renames)
                unit, header, change = _start_commit("\n".join(header).split(_HEADER_END)[0]), [], None
                renames = {}
        elif unit is not None and change is None and line.startswith(":"):
            _raw_line(renames, line)
        elif unit is not None and line.startswith("diff --git "):
            change, in_hunk = _diff_line(line), False
            unit.files.append(change)
        elif change is not None:
            in_hunk = _patch_line(change, line, in_hunk)
    if unit is not None:
        yield _settle(unit, renames)


def _raw_line(renames: dict[tuple[str, str], tuple[str, str]], line: str) -> None:
    """Note the modes of a rename's two sides from its `--raw` line (`:120000 120000 <id> <id> R100\told\tnew`):
    a patch shows no mode at all for a pure rename."""
    meta, *paths = line.split("\t")
    fields = meta[1:].split()
    if len(fields) == 5 and fields[4].startswith(("R", "C")) and len(paths) == 2:
        renames[(unquote(paths[0]), unquote(paths[1]))] = (fields[0], fields[1])


def _settled(change: FileChange, modes: tuple[str, str] | None) -> FileChange | None:
    """The change as memory sees it. Symbolic links are not files memory reads (`list_tree` leaves them out
    too): changes to them go, and a rename from or to one is the file's addition or deletion alone."""
    if change.status == SYMLINK:
        return None
    if change.status != "R" or modes is None:
        return change
    old_link, new_link = modes[0] == SYMLINK_MODE, modes[1] == SYMLINK_MODE
    if old_link and new_link:
        return None
    if new_link:
        change.path, change.status = change.old_path, "D"
    elif old_link:
        change.old_path, change.status = change.path, "A"
    return change


def _settle(unit: Unit, renames: dict[tuple[str, str], tuple[str, str]]) -> Unit:
    settled = (_settled(f, renames.get((f.old_path, f.path))) for f in unit.files)
    unit.files = [f for f in settled if f is not None]
    return unit


def iter_units(repo: Path, until: str = "HEAD", since: str | None = None) -> Iterator[Unit]:
    """Stream first-parent units oldest first; with `since`, only those after that commit."""
    rev = f"{since}..{until}" if since else until
    with tempfile.NamedTemporaryFile("w", suffix=".attributes", delete=False) as attrs:
        attrs.write(_ATTRIBUTES)
    argv = ["git", "-c", f"core.attributesFile={attrs.name}", *_NEUTRAL, "log", "--first-parent"]
    argv += ["--diff-merges=first-parent", "--reverse", "-p", "--raw", "-U0", "-M", *_PATCH, _FORMAT, rev]
    try:
        with subprocess.Popen(
            argv,
            cwd=repo,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
        ) as proc:
            try:
                stdout = proc.stdout if proc.stdout is not None else iter(())
                yield from parse_log(line.rstrip("\n") for line in stdout)
            finally:
                if proc.poll() is None:
                    proc.kill()  # the caller stopped early: do not leave git writing into a full pipe
            _, stderr = proc.communicate()
            if proc.returncode:
                raise GitFailed(f"git log failed in {repo}: {printable(stderr.strip())}")
    except OSError as exc:
        raise GitFailed(f"git log could not run in {repo}: {exc}") from exc
    finally:
        Path(attrs.name).unlink(missing_ok=True)


class BlobReader:
    """Reads many blobs through one `git cat-file --batch` process.

    Usage::

        with BlobReader(repo) as blobs:
            text = blobs.read("HEAD:src/app.py")   # None when missing or binary
    """

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> BlobReader:
        self._proc = subprocess.Popen(
            ["git", "cat-file", "--batch"], cwd=self.repo, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            for pipe in (self._proc.stdin, self._proc.stdout):
                if pipe is not None:
                    pipe.close()
            self._proc.wait()

    def read(self, spec: str) -> str | None:
        """Text of the object named `spec` (a blob id or `rev:path`), or None if missing or binary."""
        if self._proc is None or self._proc.stdin is None or self._proc.stdout is None:
            raise GitFailed("BlobReader used outside its context")
        try:
            name = spec.encode("utf-8", "surrogateescape")  # a path's bytes back as git gave them
        except UnicodeEncodeError:
            return None  # a lone surrogate no name from git decodes to
        if b"\n" in name:
            return None  # the batch protocol is line-based: such a name cannot be asked for
        self._proc.stdin.write(name + b"\n")
        self._proc.stdin.flush()
        header = self._proc.stdout.readline().split()
        if header[-1:] == [b"missing"] or header[-1:] == [b"ambiguous"]:
            return None
        if len(header) != 3 or not header[2].isdigit():
            raise GitFailed(f"git cat-file gave an unexpected reply for {spec!r}: {header!r}")
        size = int(header[2])
        data = self._proc.stdout.read(size + 1)[:size]
        if header[1] != b"blob" or b"\0" in data[:8000]:
            return None
        return data.decode("utf-8-sig", errors="replace")  # without a byte order mark, which ast cannot parse


def unit_diff(repo: Path, unit: Unit, context_lines: int = 2) -> str:
    """The unit's patch against its first parent (the root commit against the empty tree)."""
    if unit.parent:
        return run_git(repo, *_NEUTRAL, "diff", *_PATCH, f"-U{context_lines}", unit.parent, unit.sha)
    return run_git(repo, *_NEUTRAL, "show", *_PATCH, "--format=", f"-U{context_lines}", unit.sha)
