"""The conventions profile and the API index's references kept current: per-file data persisted, and only
changed files re-read on update.

The profile is a sum over files (see `conventions.file_stats`), and so are the references the API index
counts (`api_index.file_refs`, for the candidate Python files), so an update re-reads the source files and
config files its new units touched, never the whole tree: its cost follows the new commits. The tree's
changelog paths are kept the same way, from the units' added, deleted and renamed paths (the tree is listed
again only when the towncrier fragment folder a config declares changes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from memory.api_index import ApiEntry, api_index, file_refs
from memory.code_style import MAX_CHARS
from memory.conventions import changelog_paths, config_folder, file_stats, fragment_dirs_declared, profile_from
from memory.engine import Memory
from memory.gitlog import BlobReader, list_tree
from memory.model import Unit
from memory.paths import is_candidate, is_source, is_vendored
from memory.tool_configs import ruff_extended

__all__ = ["ProfileState", "mine_profile", "refresh_profile"]

# 3: classes per file, API references, changelog paths; 4: ruff lint; 5: syntax trees;
# 6: changie, ruff extend, API aliases and class-body names; 7: config files up to two folders down, class-body
# names bound in a block
STATE_VERSION = 7


@dataclass
class ProfileState:
    """The profile at `sha` with what it was computed from, and the API index's per-file references."""

    sha: str
    profile: dict[str, Any]
    stats: dict[str, dict[str, Any]]
    configs: dict[str, str]
    refs: dict[str, dict[str, Any]] = field(default_factory=dict)
    changelog: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"version": STATE_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: Any) -> ProfileState | None:
        """The stored state, or None when it is missing, malformed or of another version."""
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            return None
        try:
            tables = (dict(data["profile"]), dict(data["stats"]), dict(data["configs"]), dict(data["refs"]))
            return cls(str(data["sha"]), *tables, [str(p) for p in data["changelog"]])
        except (KeyError, TypeError, ValueError):
            return None

    def api_entries(self, memory: Memory) -> list[ApiEntry]:
        """The internal API index of memory's snapshot, counted from these references (same commit)."""
        return api_index(memory.snapshot, self.refs)


def _refs(path: str, text: str | None) -> dict[str, Any]:
    return file_refs(path, text) if text is not None and is_candidate(path) else {}


def _wanted(path: str) -> bool:
    """The files the profile and the references read: the project's sources (not vendored ones) and configs."""
    return (is_source(path) and not is_vendored(path)) or config_folder(path) is not None


_Tables = tuple[dict[str, Any], dict[str, Any], dict[str, Any]]  # (stats, configs, refs), each keyed by path


def _read(path: str, text: str | None, tables: _Tables) -> None:
    """Put what `path` adds into (stats, configs, refs); files that add nothing, and huge configs, are left out."""
    stats, configs, refs = tables
    if text is None:
        return
    if is_source(path) and (counted := file_stats(path, text)):
        stats[path] = counted
    elif config_folder(path) is not None and len(text) <= MAX_CHARS:
        configs[path] = text
    if found := _refs(path, text):
        refs[path] = found


def _add_extended(configs: dict[str, Any], read: Callable[[str], str | None]) -> None:
    """Add the files the ruff configs extend (`extend`, in turn) to the config files read, huge ones aside."""
    configs.update(ruff_extended(configs, lambda p: t if (t := read(p)) is not None and len(t) <= MAX_CHARS else None))


def mine_profile(repo: Path, memory: Memory) -> ProfileState:
    """Read every source and config file at memory's head and mine the profile from scratch."""
    sha = memory.snapshot.sha
    tree = list_tree(repo, sha) if sha else {}
    tables: _Tables = ({}, {}, {})
    with BlobReader(repo) as blobs:
        for path, blob in tree.items():
            if _wanted(path):
                _read(path, blobs.read(blob), tables)
        _add_extended(tables[1], lambda p: blobs.read(tree[p]) if p in tree else None)
    stats, configs, refs = tables
    changelog = changelog_paths(tree, fragment_dirs_declared(configs))
    profile = profile_from(stats, configs, memory.history.units, changelog)
    return ProfileState(sha, profile, stats, configs, refs, changelog)


def _presence(units: list[Unit]) -> dict[str, bool]:
    """Whether each path the units touched exists after the last of them."""
    present: dict[str, bool] = {}
    for unit in units:
        for change in unit.files:
            if change.status == "R":
                present[change.old_path] = False
            present[change.path] = change.status != "D"
    return present


def _changelog_after(
    repo: Path, sha: str, state: ProfileState, units: list[Unit], configs: dict[str, str]
) -> list[str]:
    declared = fragment_dirs_declared(configs)
    if declared != fragment_dirs_declared(state.configs):
        return changelog_paths(list_tree(repo, sha), declared)
    present = _presence(units)
    kept = {p for p in state.changelog if present.get(p, True)}
    return changelog_paths(kept | {p for p, here in present.items() if here}, declared)


def refresh_profile(repo: Path, memory: Memory, state: ProfileState | None) -> ProfileState:
    """The profile at memory's head, re-reading only the files touched since `state` (else mined afresh).

    Only paths the units leave present are read: a file the units last deleted is gone, or is now a link (a
    type change shows as a deletion once link changes are dropped), and `rev:path` would read the link's blob.
    """
    sha = memory.snapshot.sha
    start = memory.history.by_sha.get(state.sha) if state is not None and state.sha else None
    if state is None or start is None or not sha:
        return mine_profile(repo, memory)
    units = memory.history.units[start + 1 :]
    present = _presence(units)
    roots = {p: t for p, t in state.configs.items() if config_folder(p) is not None}  # extended ones: read again
    tables: _Tables = (dict(state.stats), roots, dict(state.refs))
    with BlobReader(repo) as blobs:
        for path in sorted(present):
            for table in tables:
                table.pop(path, None)
            if present[path] and _wanted(path):
                _read(path, blobs.read(f"{sha}:{path}"), tables)
        _add_extended(tables[1], lambda p: blobs.read(f"{sha}:{p}"))
    stats, configs, refs = tables
    changelog = _changelog_after(repo, sha, state, units, configs)
    profile = profile_from(stats, configs, memory.history.units, changelog)
    return ProfileState(sha, profile, stats, configs, refs, changelog)
