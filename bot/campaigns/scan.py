"""What each repository of the org declares: its own distribution names and its dependencies, read statically
from its default branch (pure `describe` over file texts; `read_declarations` reads a bare mirror).
"""

from __future__ import annotations

import ast
import configparser
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bot.campaigns.graph import RepoNode, normalize
from bot.github.git import GitWorkspace
from migrations.bump import current_version
from migrations.deps import MANIFESTS, SKIP_DIRS, is_requirements_file, parse_files
from migrations.errors import DependencyFileError

__all__ = ["RepoFacts", "describe", "project_names", "read_declarations"]

MAX_DEPTH = 3


@dataclass(frozen=True)
class RepoFacts:
    """A repository's node in the org graph and the version of each campaign package it uses (None: unused)."""

    node: RepoNode
    versions: dict[str, str | None]
    error: str | None = None


def describe(full_name: str, files: Mapping[str, str], packages: Sequence[str]) -> RepoFacts:
    """Facts from the dependency files' texts (relative path -> text)."""
    try:
        records = parse_files(files)
    except DependencyFileError as exc:
        return RepoFacts(RepoNode(full_name), {p: None for p in packages}, f"unreadable declarations: {exc}")
    requires = frozenset(r.name for r in records)
    versions: dict[str, str | None] = {}
    for package in packages:
        uses = normalize(package) in requires
        found = current_version(records, package) if uses else None
        versions[package] = found.version if found else ("0" if uses else None)
    return RepoFacts(RepoNode(full_name, frozenset(project_names(files)), requires), versions)


def project_names(files: Mapping[str, str]) -> set[str]:
    """Distribution names the repository builds: PEP 621 / Poetry names, setup.cfg metadata, setup(name=...)."""
    names: set[str] = set()
    for path, text in files.items():
        name = PurePosixPath(path).name
        try:
            if name == "pyproject.toml":
                data = tomllib.loads(text)
                names.update(str(n) for n in (data.get("project", {}).get("name"),) if n)
                names.update(str(n) for n in (data.get("tool", {}).get("poetry", {}).get("name"),) if n)
            elif name == "setup.cfg":
                parser = configparser.ConfigParser(interpolation=None)
                parser.read_string(text)
                if parser.has_option("metadata", "name"):
                    names.add(parser.get("metadata", "name"))
            elif name == "setup.py":
                names.update(_setup_py_names(ast.parse(text)))
        except (tomllib.TOMLDecodeError, configparser.Error, SyntaxError, AttributeError):
            continue
    return {normalize(n) for n in names}


def _setup_py_names(tree: ast.Module) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "setup":
            for keyword in node.keywords:
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                    found.add(str(keyword.value.value))
    return found


def wanted(path: str) -> bool:
    parts = PurePosixPath(path).parts
    if len(parts) > MAX_DEPTH or SKIP_DIRS.intersection(parts):
        return False
    return parts[-1] in MANIFESTS or is_requirements_file(path)


async def read_declarations(ws: GitWorkspace, mirror: Path, branch: str) -> dict[str, str]:
    """Texts of the dependency files on `branch` of a bare mirror (relative path -> text)."""
    ref = f"refs/heads/{branch}"
    listing = await ws.run(mirror, "ls-tree", "-r", "-z", "--name-only", ref)
    files: dict[str, str] = {}
    for path in sorted(p for p in listing.split("\0") if p and wanted(p)):
        files[path] = await ws.run(mirror, "show", f"{ref}:{path}")
    return files
