"""Detect how a repository declares its Python version and dependencies, from manifest texts (no I/O)."""

from __future__ import annotations

import configparser
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.poetry import poetry_requirements

TEST_EXTRAS = ("test", "tests", "testing", "dev", "develop")
FIXED_MANIFESTS = (
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "tox.ini",
    "noxfile.py",
    ".python-version",
)
REQUIREMENTS_FILE = re.compile(r"^(requirements[^/]*\.txt|requirements/[^/]+\.txt)$")


@dataclass(frozen=True)
class Declaration:
    """What the repository declares.

    `sources` names the manifests found (e.g. "pep621", "poetry", "requirements", "uv.lock").
    `requirements` are PEP 508 strings read statically; `requirement_files` are installed with `-r`.
    `install_project` is set when dependencies can only be found by building the project (setup.py,
    dynamic metadata); `uv_lock` when `uv sync --frozen` should install exactly the lock.
    """

    sources: tuple[str, ...] = ()
    python_requirement: str | None = None
    requirements: tuple[str, ...] = ()
    requirement_files: tuple[str, ...] = ()
    install_project: bool = False
    uv_lock: bool = False
    notes: tuple[str, ...] = field(default=())


def is_manifest(relpath: str) -> bool:
    """Whether a repository-relative path is one of the files detection reads (and the cache key hashes)."""
    return relpath in FIXED_MANIFESTS or bool(REQUIREMENTS_FILE.match(relpath))


def detect(files: Mapping[str, str]) -> Declaration:
    """The declaration read from `files` (repository-relative path -> text of each manifest present)."""
    found = _Found()
    if "pyproject.toml" in files:
        _read_pyproject(tomllib.loads(files["pyproject.toml"]), found)
    if "setup.cfg" in files:
        _read_setup_cfg(files["setup.cfg"], found)
    if "setup.py" in files and not found.static_project:
        found.add_source("setup.py")
        found.install_project = True
    found.requirement_files = sorted(path for path in files if REQUIREMENTS_FILE.match(path))
    if found.requirement_files:
        found.add_source("requirements")
    if "tox.ini" in files:
        _read_tox(files["tox.ini"], found)
    _read_locks_and_versions(files, found)
    return found.declaration()


@dataclass
class _Found:
    sources: list[str] = field(default_factory=list)
    python: str | None = None
    requirements: list[str] = field(default_factory=list)
    requirement_files: list[str] = field(default_factory=list)
    install_project: bool = False
    static_project: bool = False
    uv_lock: bool = False
    notes: list[str] = field(default_factory=list)

    def add_source(self, name: str) -> None:
        if name not in self.sources:
            self.sources.append(name)

    def add(self, requirements: Iterable[str]) -> None:
        for requirement in requirements:
            if requirement and requirement not in self.requirements:
                self.requirements.append(requirement)

    def declaration(self) -> Declaration:
        return Declaration(
            sources=tuple(self.sources),
            python_requirement=self.python,
            requirements=tuple(self.requirements),
            requirement_files=tuple(self.requirement_files),
            install_project=self.install_project,
            uv_lock=self.uv_lock,
            notes=tuple(self.notes),
        )


def _read_pyproject(data: dict[str, Any], found: _Found) -> None:
    project = data.get("project", {})
    tool = data.get("tool", {})
    if project:
        found.add_source("pep621")
        found.static_project = "dependencies" not in project.get("dynamic", [])
        found.install_project = not found.static_project
        found.python = found.python or project.get("requires-python")
        found.add(project.get("dependencies", []))
        _add_extras(project.get("optional-dependencies", {}), found)
    _add_groups(data.get("dependency-groups", {}), found)
    if "poetry" in tool:
        found.add_source("poetry")
        python, requirements, notes = poetry_requirements(tool["poetry"], TEST_EXTRAS)
        found.python = found.python or python
        found.add(requirements)
        found.notes.extend(notes)
        found.static_project = True
    if "pdm" in tool:
        found.add_source("pdm")
        _add_groups(tool["pdm"].get("dev-dependencies", {}), found)
    if "hatch" in tool:
        found.add_source("hatch")
        envs = tool["hatch"].get("envs", {})
        for name in ("default", *TEST_EXTRAS):
            found.add(envs.get(name, {}).get("dependencies", []))


def _add_extras(extras: Mapping[str, list[str]], found: _Found) -> None:
    for name in TEST_EXTRAS:
        found.add(extras.get(name, []))


def _add_groups(groups: Mapping[str, list[Any]], found: _Found) -> None:
    """PEP 735 groups and PDM dev groups; `{include-group = ...}` entries are skipped (their group is read too)."""
    for name in TEST_EXTRAS:
        found.add(item for item in groups.get(name, []) if isinstance(item, str))


def _read_setup_cfg(text: str, found: _Found) -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    if not parser.has_section("options"):
        return
    found.add_source("setup.cfg")
    found.static_project = True
    found.python = found.python or parser.get("options", "python_requires", fallback=None)
    found.add(_lines(parser.get("options", "install_requires", fallback="")))
    if parser.has_section("options.extras_require"):
        for name in TEST_EXTRAS:
            found.add(_lines(parser.get("options.extras_require", name, fallback="")))


def _read_tox(text: str, found: _Found) -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    found.add_source("tox")
    if parser.has_section("testenv"):
        deps = _lines(parser.get("testenv", "deps", fallback=""))
        found.add(dep for dep in deps if not dep.startswith("-") and "{" not in dep)


def _read_locks_and_versions(files: Mapping[str, str], found: _Found) -> None:
    if "uv.lock" in files and "pyproject.toml" in files:
        found.add_source("uv.lock")
        found.uv_lock = True
    if "poetry.lock" in files:
        found.add_source("poetry.lock")
        found.notes.append("poetry.lock is not read: versions come from the pyproject constraints")
    if "noxfile.py" in files:
        found.add_source("nox")
        found.notes.append("noxfile.py sessions are not executed: pass a setup command to use them")
    version = files.get(".python-version", "").strip().splitlines()
    if version and found.python is None and re.fullmatch(r"\d+\.\d+(\.\d+)?", version[0].strip()):
        found.python = f"=={version[0].strip()}.*" if version[0].count(".") == 1 else f"=={version[0].strip()}"


def _lines(value: str) -> list[str]:
    return [line.split("#", 1)[0].strip() for line in value.splitlines() if line.split("#", 1)[0].strip()]
