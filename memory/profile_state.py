"""The conventions profile kept current: per-file stats persisted, and only changed files re-read on update.

The profile is a sum over files (see `conventions.file_stats`), so an update re-reads the source files and
config files its new units touched, never the whole tree: its cost follows the new commits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from memory.conventions import CONFIG_FILES, file_stats, profile_from
from memory.engine import Memory
from memory.gitlog import BlobReader, list_tree
from memory.paths import is_source

__all__ = ["ProfileState", "mine_profile", "refresh_profile"]

STATE_VERSION = 2


@dataclass
class ProfileState:
    """The profile at `sha` with what it was computed from."""

    sha: str
    profile: dict[str, Any]
    stats: dict[str, dict[str, Any]]
    configs: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"version": STATE_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: Any) -> ProfileState | None:
        """The stored state, or None when it is missing, malformed or of another version."""
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            return None
        try:
            return cls(str(data["sha"]), dict(data["profile"]), dict(data["stats"]), dict(data["configs"]))
        except (KeyError, TypeError, ValueError):
            return None


def mine_profile(repo: Path, memory: Memory) -> ProfileState:
    """Read every source and config file at memory's head and mine the profile from scratch."""
    sha = memory.snapshot.sha
    tree = list_tree(repo, sha) if sha else {}
    with BlobReader(repo) as blobs:
        texts = {p: blobs.read(b) for p, b in tree.items() if is_source(p) or p in CONFIG_FILES}
    stats = {p: file_stats(p, t) for p, t in texts.items() if t is not None and is_source(p)}
    configs = {p: t for p, t in texts.items() if t is not None and p in CONFIG_FILES}
    return ProfileState(sha, profile_from(stats, configs, memory.history.units), stats, configs)


def refresh_profile(repo: Path, memory: Memory, state: ProfileState | None) -> ProfileState:
    """The profile at memory's head, re-reading only the files touched since `state` (else mined afresh)."""
    sha = memory.snapshot.sha
    start = memory.history.by_sha.get(state.sha) if state is not None and state.sha else None
    if state is None or start is None or not sha:
        return mine_profile(repo, memory)
    changed = {p for u in memory.history.units[start + 1 :] for f in u.files for p in (f.path, f.old_path)}
    stats, configs = dict(state.stats), dict(state.configs)
    with BlobReader(repo) as blobs:
        for path in sorted(changed):
            text = blobs.read(f"{sha}:{path}") if is_source(path) or path in CONFIG_FILES else None
            for table in (stats, configs):
                table.pop(path, None)
            if text is not None and is_source(path):
                stats[path] = file_stats(path, text)
            elif text is not None and path in CONFIG_FILES:
                configs[path] = text
    return ProfileState(sha, profile_from(stats, configs, memory.history.units), stats, configs)
