"""Version facts of the job's environment and the check of every library call an edit adds (adapter).

The installed distributions are read from the environment's site-packages (via sandbox/), their APIs are
analysed statically (migrations/, griffe: nothing is imported), and calls are resolved with the same
checker the reviewers use.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from migrations.callcheck import Finding, FindingKind, added_lines, check_source
from migrations.errors import MigrationError
from migrations.surface import ApiSurface, Kind
from sandbox.envs import Environment
from sandbox.facts import parse_metadata
from sandbox.worktrees import read_no_follow

__all__ = ["BLOCKING", "FileFinding", "VersionOracle", "describe_findings", "imported_modules"]

BLOCKING = (FindingKind.MISSING, FindingKind.NO_BIND)
MAX_META_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class FileFinding:
    path: str
    finding: Finding


def imported_modules(source: str) -> set[str]:
    """Top-level names of the absolute imports in `source` (empty when it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def _providers(dist_info: Path) -> set[str]:
    """Import names a distribution provides: top_level.txt, else the first part of its RECORD paths."""
    top = read_no_follow(dist_info / "top_level.txt", MAX_META_BYTES)
    if top is not None:
        return {line.strip() for line in top.splitlines() if line.strip().isidentifier()}
    record = read_no_follow(dist_info / "RECORD", MAX_META_BYTES) or ""
    names = set()
    for line in record.splitlines():
        head = line.split(",", 1)[0].split("/", 1)[0]
        name = head.removesuffix(".py") if "/" in line.split(",", 1)[0] or head.endswith(".py") else ""
        if name.isidentifier() and not name.startswith("__"):
            names.add(name)
    return names


class VersionOracle:
    """What is installed in an environment, and the static API surface of each import name (loaded lazily).

    Usage:
        oracle = VersionOracle.from_environment(env)
        text = oracle.facts({"requests"})                       # for the prompt
        findings = oracle.check_diff(diff, texts)               # calls the diff adds, resolved
    """

    def __init__(self, site_packages: Path, versions: Mapping[str, str], providers: Mapping[str, str]) -> None:
        self.site_packages = site_packages
        self.versions = dict(versions)  # distribution -> version
        self.providers = dict(providers)  # import name -> distribution
        self._surfaces: dict[str, ApiSurface | None] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_environment(cls, env: Environment) -> VersionOracle:
        found = sorted(env.path.glob("lib/python*/site-packages"))
        site = found[0] if found else env.path
        versions: dict[str, str] = {}
        providers: dict[str, str] = {}
        for dist_info in sorted(site.glob("*.dist-info")):
            text = read_no_follow(dist_info / "METADATA", MAX_META_BYTES)
            distribution = parse_metadata(text) if text is not None else None
            if distribution is None:
                continue
            versions[distribution.name] = distribution.version
            for name in _providers(dist_info):
                providers.setdefault(name, distribution.name)
        return cls(site, versions, providers)

    def surface(self, name: str) -> ApiSurface | None:
        """The surface of the installed package imported as `name`; None if not installed or unanalysable."""
        with self._lock:
            if name in self._surfaces:
                return self._surfaces[name]
            surface = self._load(name)
            self._surfaces[name] = surface
            return surface

    def _load(self, name: str) -> ApiSurface | None:
        from migrations.loader import load_surface

        dist = self.providers.get(name)
        if dist is None:
            return None
        try:
            return load_surface(self.site_packages, [name], dist, self.versions[dist])
        except MigrationError:
            return None

    def facts(self, import_names: Iterable[str], *, max_members: int = 25) -> str:
        """Installed versions of the imported libraries and the signatures of their public callables."""
        lines: list[str] = []
        for name in sorted(set(import_names)):
            surface = self.surface(name)
            if surface is None:
                continue
            lines.append(f"{surface.package}=={surface.version} (import {name})")
            for obj in list(surface.public_api())[:max_members]:
                if obj.kind in (Kind.FUNCTION, Kind.CLASS, Kind.METHOD) and obj.signature():
                    lines.append(f"  {obj.path}{obj.signature()}")
        return "\n".join(lines)

    def check_diff(self, diff: str, texts: Mapping[str, str]) -> list[FileFinding]:
        """Findings on the lines `diff` adds to the Python files in `texts` (path -> current text)."""
        out: list[FileFinding] = []
        for path, lines in sorted(added_lines(diff).items()):
            source = texts.get(path)
            if not path.endswith(".py") or source is None or not lines:
                continue
            surfaces = {n: s for n in imported_modules(source) if (s := self.surface(n)) is not None}
            if surfaces:
                out += [FileFinding(path, f) for f in check_source(source, surfaces, only_lines=lines)]
        return out

    def signatures(self, paths: Sequence[str]) -> list[str]:
        """`path(signature)` for each API path that resolves to a callable with a known signature."""
        out = []
        for path in paths:
            surface = self.surface(path.split(".")[0])
            obj = surface.resolve(path).obj if surface else None
            if obj is not None and obj.signature():
                out.append(f"{path}{obj.signature()}")
        return out


def describe_findings(findings: Sequence[FileFinding], oracle: VersionOracle) -> str:
    """Feedback naming each call that does not fit the installed version, with the real alternatives."""
    parts = []
    for item in findings:
        f = item.finding
        parts.append(f"- {item.path} line {f.line}: {f.message}")
        real = oracle.signatures([*f.alternatives, *([f.api] if f.kind is FindingKind.NO_BIND else [])])
        parts += [f"    real: {signature}" for signature in dict.fromkeys(real)]
    return "\n".join(parts)
