"""Selection benchmark plumbing: per-unit deadlines, outcome and environment reuse across units and runs, results log.

- `Deadline`: a unit's time limit; runs that would start after it raise UnitTimeout.
- `CachedRunner`: a SuiteRunner that remembers outcomes on disk per (environment, unit, diff, files, selectors),
  so a rerun after a reviewer change judges the same pools without running a single test again.
- `EnvReuse`: environments keyed by the unit's dependency set (requirements, requirement files without dev
  tooling, the Python requirement and the interpreter chosen for the unit's era), not by manifest text, so
  commits that only bump a version or a linter pin share one environment.
- `ResultsLog`: one JSON line per finished unit, flushed at once, so a killed run loses nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewers.base import SuiteRunner, TestStatus
from sandbox.detect import detect, is_manifest
from sandbox.envs import EnvBuilder, Environment
from sandbox.errors import PythonNotFound
from sandbox.index import IndexSettings
from sandbox.pythons import Interpreter, choose
from sandbox.worktrees import list_manifests, read_regular_files

__all__ = [
    "CachedRunner",
    "DatedIndex",
    "Deadline",
    "EnvReuse",
    "ResultsLog",
    "UnitTimeout",
    "dependency_key",
    "drop_dev_requirements",
    "era_interpreters",
]

# Tooling the tests never import: linters, type checkers, docs, packaging, task runners.
DEV_TOOLS = re.compile(
    r"^(tox|tox-uv|pre-commit|pre-commit-uv|mypy|pyright|nox|sphinx\S*|ruff|black|isort|flake8\S*|pylint|twine|build"
    r"|mkdocs\S*|mkautodoc|mkdocstrings\S*|types-\S+|trio-typing|wheel|setuptools-scm|check-manifest|codespell)$"
)
MINOR_RELEASED = {8: 2019, 9: 2020, 10: 2021, 11: 2022, 12: 2023, 13: 2024, 14: 2025}  # each in October


@dataclass(frozen=True)
class DatedIndex(IndexSettings):
    """The index as it was on a date: uv resolves only distributions uploaded before `exclude_newer` (a commit's
    tests were written against the packages of its day; later releases deprecate what they use)."""

    exclude_newer: str = ""

    def uv_args(self) -> list[str]:
        return [*super().uv_args(), *(["--exclude-newer", self.exclude_newer] if self.exclude_newer else [])]


class UnitTimeout(Exception):
    """The unit's time limit passed before the next test run could start."""


@dataclass(frozen=True)
class Deadline:
    """A monotonic instant after which a unit starts no more test runs."""

    at: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds)

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def check(self, what: str) -> None:
        if self.remaining() <= 0:
            raise UnitTimeout(f"unit time limit reached before {what}")


def _name(line: str) -> str:
    match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9_.-]*)", line)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else ""


def drop_dev_requirements(text: str) -> str:
    """A requirements file without comments, blank lines and dev-tooling lines (kept in their order)."""
    kept = []
    for line in text.splitlines():
        bare = line.split("#", 1)[0].strip()
        if bare and not DEV_TOOLS.match(_name(bare)):
            kept.append(bare)
    return "\n".join(kept) + ("\n" if kept else "")


def dependency_key(manifests: Mapping[str, str], python: str) -> str:
    """What decides the environment: declared requirements, requirement files, the Python requirement, the
    interpreter version. The project's own version, linter settings and comments do not change it."""
    declaration = detect(manifests)
    files = {p: drop_dev_requirements(manifests[p]) for p in declaration.requirement_files}
    material = {
        "requirements": sorted(r for r in declaration.requirements if not DEV_TOOLS.match(_name(r))),
        "files": sorted(files.items()),
        "python_requirement": declaration.python_requirement,
        "python": python,
        "install_project": declaration.install_project,
        "uv_lock": declaration.uv_lock,
        "resolution": "exclude-newer: the date of the first unit built with this set",
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:16]


def era_interpreters(interpreters: Sequence[Interpreter], commit_date: datetime.date) -> list[Interpreter]:
    """The interpreters whose minor version was out a year before the commit (a commit's pins predate the
    Pythons released after it: old trio does not run on 3.13), in the given order."""

    def released(interpreter: Interpreter) -> int:
        minor = int(interpreter.version.split(".")[1])
        return MINOR_RELEASED.get(minor, 2000 if minor < 8 else 9999)

    last_october = commit_date.year - (commit_date.month < 10)
    return [i for i in interpreters if released(i) + 1 <= last_october]


@dataclass
class EnvReuse:
    """One environment per dependency set, remembered in `index_path` across runs."""

    builder: EnvBuilder
    index_path: Path
    built: int = 0
    reused: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def ensure(self, worktree: Path, commit_date: datetime.date) -> tuple[Environment, str]:
        manifests = dict(read_regular_files(worktree, list_manifests(worktree, is_manifest)))
        for path in detect(manifests).requirement_files:
            (worktree / path).write_text(drop_dev_requirements(manifests[path]))
        interpreter = self._interpreter(manifests, commit_date)
        key = dependency_key(manifests, interpreter.version)
        known = self._load().get(key)
        if known and (Path(known) / "bin" / "python").exists():
            self.reused += 1
            return Environment(Path(known), interpreter, key, detect(manifests), cache_hit=True), key
        env = self._build(worktree, interpreter, commit_date)
        self.built += not env.cache_hit
        self.reused += env.cache_hit
        with self._lock:
            index = self._load()
            index[key] = str(env.path)
            self.index_path.parent.mkdir(parents=True, exist_ok=True)
            self.index_path.write_text(json.dumps(index, indent=1, sort_keys=True))
        return env, key

    def _build(self, worktree: Path, interpreter: Interpreter, commit_date: datetime.date) -> Environment:
        """Build (or find in the builder's cache) the environment, resolving packages as of the commit's date."""
        source = self.builder.index
        dated = DatedIndex(
            source.index_url,
            source.extra_index_urls,
            source.find_links,
            source.trusted_networks,
            exclude_newer=f"{commit_date.isoformat()}T23:59:59Z",
        )
        builder = EnvBuilder(
            self.builder.backend,
            self.builder.cache_dir,
            [interpreter],
            self.builder.uv,
            dated,
            self.builder.extra_packages,
            self.builder.limits,
        )
        return builder.ensure(worktree)

    def _interpreter(self, manifests: Mapping[str, str], commit_date: datetime.date) -> Interpreter:
        requirement = detect(manifests).python_requirement
        try:
            return choose(era_interpreters(self.builder.interpreters, commit_date), requirement)
        except PythonNotFound:
            return choose(self.builder.interpreters, requirement)

    def _load(self) -> dict[str, str]:
        try:
            loaded = json.loads(self.index_path.read_text())
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


@dataclass
class CachedRunner:
    """Outcomes remembered in a JSON file per unit; a missing outcome runs (before the deadline) and is saved."""

    inner: SuiteRunner
    path: Path
    salt: str
    deadline: Deadline
    runs: int = 0
    hits: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _entries: dict[str, dict[str, str]] | None = None

    def run(self, diff: str, files: Mapping[str, str], selectors: Sequence[str]) -> dict[str, TestStatus]:
        key = hashlib.sha256(json.dumps([self.salt, diff, sorted(files.items()), list(selectors)]).encode())
        digest = key.hexdigest()[:24]
        entries = self._load()
        if digest in entries:
            self.hits += 1
            return {node: TestStatus(status) for node, status in entries[digest].items()}
        self.deadline.check(f"running {len(selectors)} selector(s)")
        outcome = self.inner.run(diff, files, selectors)
        self.runs += 1
        with self._lock:
            entries[digest] = {node: status.value for node, status in outcome.items()}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(entries))
        return outcome

    def _load(self) -> dict[str, dict[str, str]]:
        if self._entries is None:
            try:
                self._entries = json.loads(self.path.read_text())
            except (OSError, ValueError):
                self._entries = {}
        return self._entries


@dataclass
class ResultsLog:
    """Appends one JSON object per line and flushes it at once."""

    path: Path

    def write(self, row: Mapping[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as handle:
            handle.write(json.dumps(row, sort_keys=True) + "\n")
            handle.flush()

    @staticmethod
    def read(paths: Sequence[Path]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for path in paths:
            rows += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        return rows
