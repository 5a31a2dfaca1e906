"""Apply a migration to a checkout: codemods over its Python files plus the declaration bump (adapter).

Usage:
    report = plan_migration(root, "flask", "3.0.0", cache_dir)   # reads only
    written = write_migration(root, report)                     # atomic file replacements
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from migrations.bump import BumpPlan, current_version, plan_bump
from migrations.codemods import CodemodResult, apply_codemods
from migrations.deps import parse_files, read_repo
from migrations.diff import Change, Severity, diff_releases
from migrations.errors import CodemodError, MigrationError
from migrations.impact import SKIP_DIRS
from migrations.loader import release_surface
from migrations.rules import MECHANICAL, build_rules


@dataclass
class MigrationReport:
    """Everything `apply` would do: per-file codemod results, the bump, and what is left to a human or the LLM."""

    package: str
    old: str
    new: str
    changes: list[Change]
    codemods: dict[str, CodemodResult] = field(default_factory=dict)
    bump: BumpPlan = field(default_factory=BumpPlan)
    unparsable: list[str] = field(default_factory=list)

    @property
    def edited_files(self) -> dict[str, str]:
        """Relative path -> new text of every file the migration changes."""
        files = {path: result.source for path, result in self.codemods.items() if result.changed}
        files.update(self.bump.files)
        return files

    @property
    def non_mechanical(self) -> list[Change]:
        """Breaking changes no codemod handles (for the patch engine)."""
        return [c for c in self.changes if c.severity == Severity.BREAKING and c.kind not in MECHANICAL]


def plan_migration(root: Path, package: str, new: str, cache_dir: Path, old: str | None = None) -> MigrationReport:
    """Compute the codemods and the bump of `package` to `new` for the checkout at `root` (no writes)."""
    files = read_repo(root)
    records = parse_files(files)
    if old is None:
        found = current_version(records, package)
        if found is None:
            raise MigrationError(f"no version of {package} is pinned, locked or bounded under {root}")
        old = found.version
    changes = diff_releases(package, old, new, cache_dir)
    old_surface = release_surface(package, old, cache_dir)
    rules = build_rules(changes, old_surface.top_level, release_surface(package, new, cache_dir))
    report = MigrationReport(package, old, new, changes, bump=plan_bump(files, records, package, new))
    for path in python_files(root):
        relpath = path.relative_to(root).as_posix()
        try:
            source = path.read_bytes().decode("utf-8")  # newlines kept as they are
            if not any(top in source for top in old_surface.top_level):
                continue
            report.codemods[relpath] = apply_codemods(source, rules)
        except (CodemodError, UnicodeDecodeError):
            report.unparsable.append(relpath)
    return report


def python_files(root: Path) -> Iterator[Path]:
    """Python files of the checkout, virtualenvs and build output excluded."""
    for path in sorted(root.rglob("*.py")):
        if path.is_file() and not SKIP_DIRS.intersection(path.relative_to(root).parts):
            yield path


def write_migration(root: Path, report: MigrationReport) -> list[str]:
    """Write every edited file atomically (temp file + rename, mode kept); returns the relative paths."""
    written: list[str] = []
    for relpath, text in sorted(report.edited_files.items()):
        write_atomically(root / relpath, text)
        written.append(relpath)
    return written


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` so readers see the old or the new file, never half of one."""
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
