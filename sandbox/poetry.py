"""Translate Poetry's dependency tables into PEP 508 requirements (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any


def poetry_requirements(poetry: Mapping[str, Any], groups: Sequence[str]) -> tuple[str | None, list[str], list[str]]:
    """(python specifier, requirements, notes) from `[tool.poetry]`, including the named dependency groups."""
    tables = [poetry.get("dependencies", {}), poetry.get("dev-dependencies", {})]
    tables += [poetry.get("group", {}).get(name, {}).get("dependencies", {}) for name in groups]
    python = None
    requirements: list[str] = []
    notes: list[str] = []
    for table in tables:
        for name, spec in table.items():
            if name.lower() == "python":
                python = constraint_to_pep440(str(spec))
                continue
            requirement = _requirement(name, spec)
            if requirement is None:
                notes.append(f"poetry dependency {name} is skipped (optional, or not from a package index)")
            elif requirement not in requirements:
                requirements.append(requirement)
    return python, requirements, notes


def _requirement(name: str, spec: Any) -> str | None:
    if isinstance(spec, str):
        return name + constraint_to_pep440(spec)
    if isinstance(spec, list):  # multiple constraints by marker: take the first, it is usually the newest
        return _requirement(name, spec[0]) if spec else name
    if not isinstance(spec, Mapping) or "version" not in spec or spec.get("optional"):
        return None  # path, git and url dependencies, and optional ones, are not installed from the index
    extras = f"[{','.join(spec['extras'])}]" if spec.get("extras") else ""
    return name + extras + constraint_to_pep440(str(spec["version"]))


def constraint_to_pep440(constraint: str) -> str:
    """Poetry's `^1.2`, `~1.2`, `1.2.*`, `*`, `1.2` and comma lists as a PEP 440 specifier ("" for any)."""
    parts = [part.strip() for part in re.split(r",|\s+(?=[<>=!^~])", constraint) if part.strip()]
    return ",".join(filter(None, (_one(part) for part in parts)))


def _one(part: str) -> str:
    if part in ("*", ""):
        return ""
    if part.startswith("^"):
        return _caret(part[1:])
    if part.startswith("~") and not part.startswith("~="):
        return _tilde(part[1:])
    if part[0].isdigit():
        return f"=={part}"
    return part


def _numbers(version: str) -> list[int]:
    return [int(piece) for piece in re.findall(r"\d+", version)[:3]]


def _caret(version: str) -> str:
    numbers = _numbers(version)
    upper = []
    for index, number in enumerate(numbers):
        if number != 0 or index == len(numbers) - 1:
            upper = numbers[:index] + [number + 1]
            break
    return f">={version},<{'.'.join(map(str, upper))}"


def _tilde(version: str) -> str:
    numbers = _numbers(version)
    upper = [numbers[0] + 1] if len(numbers) == 1 else [numbers[0], numbers[1] + 1]
    return f">={version},<{'.'.join(map(str, upper))}"
