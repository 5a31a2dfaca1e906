"""The conventions profile, mined without a model from the tree and the history (a pure core)."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from memory.model import Unit
from memory.paths import is_source, is_test, is_vendored

__all__ = ["CONFIG_FILES", "file_stats", "mine_conventions", "profile_from", "refresh_history"]

CONFIG_FILES = (
    "pyproject.toml",
    "setup.cfg",
    "tox.ini",
    ".flake8",
    "ruff.toml",
    ".ruff.toml",
    "mypy.ini",
    ".pylintrc",
    ".pre-commit-config.yaml",
    ".editorconfig",
    ".prettierrc",
    ".eslintrc.json",
    ".isort.cfg",
    "pytest.ini",
)
_TOOL_SECTIONS = ("ruff", "black", "isort", "mypy", "pylint", "flake8", "pytest", "pyright", "coverage", "codespell")
_CHANGELOG = re.compile(r"(^|/)(CHANGES|CHANGELOG|HISTORY|NEWS|RELEASE[-_]?NOTES)(\.\w+)?$", re.I)
_FRAGMENT_DIRS = re.compile(r"(^|/)(changelog\.d|changes|news|newsfragments|\.changes|changelog)/[^/]+$", re.I)
_DEF = re.compile(r"^\s*(?:async\s+)?def\s+\w+\(([^)]*)\)\s*(->)?[^:]*:\s*\n(\s*[rRuU]?\"\"\")?", re.M)
_PREFIX = re.compile(r"^(\w+)(\([^)]*\))?!?: ")


def _formatters(configs: Mapping[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    pyproject = configs.get("pyproject.toml")
    if pyproject:
        try:
            tools = tomllib.loads(pyproject).get("tool", {})
        except tomllib.TOMLDecodeError:
            tools = {}
        for name in _TOOL_SECTIONS:
            if name in tools:
                section = tools[name]
                keep = ("line-length", "line_length", "select", "strict", "target-version", "profile")
                found[name] = {k: section[k] for k in keep if isinstance(section, dict) and k in section}
    for path, text in configs.items():
        if path == ".pre-commit-config.yaml":
            found["pre-commit"] = sorted(set(re.findall(r"^\s*-\s*id:\s*([\w.-]+)", text, re.M)))
        elif path != "pyproject.toml":
            sections = re.findall(r"^\[(?:tool:)?([\w.-]+)\]", text, re.M)
            found[path] = sorted(set(sections)) or True
    return found


def file_stats(path: str, text: str) -> dict[str, Any]:
    """What one source file adds to the profile; the profile is a sum over files, so updates re-read few."""
    if is_test(path):
        return {"unittest": int("unittest.TestCase" in text or "(TestCase)" in text)}
    if not path.endswith(".py") or is_vendored(path):
        return {}
    stats: dict[str, Any] = {"defs": 0, "annotated": 0, "documented": 0}
    for match in _DEF.finditer(text):
        stats["defs"] += 1
        stats["annotated"] += bool(match.group(2) or ":" in match.group(1))
        stats["documented"] += bool(match.group(3))
    stats["google"] = len(re.findall(r"^\s+(Args|Returns|Raises):\s*$", text, re.M))
    stats["numpy"] = len(re.findall(r"^\s+Parameters\n\s+-{4,}", text, re.M))
    stats["sphinx"] = len(re.findall(r":param \w+:", text))
    stats["future"] = int("from __future__ import annotations" in text)
    bases: Counter[str] = Counter()
    for name, parents in re.findall(r"^class\s+(\w+)\(([^)]*(?:Error|Exception)[^)]*)\)", text, re.M):
        bases[name] += 1
        bases.update(b.strip().split(".")[-1] for b in parents.split(","))
    stats["bases"] = dict(bases)
    stats["raise_from"] = len(re.findall(r"\braise\s+\w[\w.]*\(.*\)\s+from\s+\w+", text))
    stats["logging"] = {
        "logging.getLogger": len(re.findall(r"logging\.getLogger\(", text)),
        "structlog": len(re.findall(r"structlog\.get_logger\(", text)),
        "warnings.warn": len(re.findall(r"warnings\.warn\(", text)),
        "print": len(re.findall(r"^\s*print\(", text, re.M)),
    }
    return stats


def _total(stats: Mapping[str, dict[str, Any]], key: str) -> int:
    return sum(int(s.get(key, 0)) for s in stats.values())


def _docstyle(code: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    defs = _total(code, "defs")
    styles = Counter({k: _total(code, k) for k in ("google", "numpy", "sphinx")})
    style = styles.most_common(1)[0][0] if styles.most_common(1)[0][1] else "plain"
    return {
        "functions": defs,
        "docstring_ratio": round(_total(code, "documented") / defs, 2) if defs else 0.0,
        "annotated_ratio": round(_total(code, "annotated") / defs, 2) if defs else 0.0,
        "docstring_style": style,
        "future_annotations": _total(code, "future"),
    }


def _tests(stats: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    tests = [p for p in stats if is_test(p) and is_source(p)]
    dirs = Counter(PurePosixPath(p).parts[0] for p in tests if len(PurePosixPath(p).parts) > 1)
    names = Counter("test_*" if PurePosixPath(p).name.startswith("test_") else "*_test" for p in tests)
    unittest = sum(int(stats[p].get("unittest", 0)) for p in tests)
    return {
        "files": len(tests),
        "dirs": [d for d, _ in dirs.most_common(3)],
        "naming": names.most_common(1)[0][0] if names else None,
        "framework": "unittest" if unittest > len(tests) / 2 else "pytest",
        "conftest": any(p.endswith("conftest.py") for p in stats),
    }


def _errors_and_logging(code: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    bases: Counter[str] = Counter()
    logging: Counter[str] = Counter()
    for path in sorted(code):
        bases.update(code[path]["bases"])
        logging.update(code[path]["logging"])
    project_bases = [n for n, _ in bases.most_common() if n not in ("Exception", "BaseException")][:8]
    return {
        "exception_bases": project_bases,
        "raise_from": _total(code, "raise_from"),
        "logging": [k for k, v in logging.most_common() if v][:3],
    }


def _history(units: Sequence[Unit]) -> dict[str, Any]:
    recent = list(units)[-300:]
    titles = [u.title for u in recent if u.title]
    fragments: Counter[str] = Counter()
    changelog = 0
    for unit in recent:
        touched = [f.path for f in unit.files]
        changelog += any(_CHANGELOG.search(p) for p in touched)
        added = [f.path for f in unit.files if f.status == "A"]
        fragments.update(p.rsplit("/", 1)[0] for p in added if _FRAGMENT_DIRS.search(p))
    prefixes = Counter(m.group(1).lower() for t in titles if (m := _PREFIX.match(t)))
    first_words = Counter(t.split()[0] for t in titles if t.split())
    n = len(titles) or 1
    return {
        "changelog_in_units": round(changelog / max(1, len(recent)), 2),
        "changelog_fragments_dir": fragments.most_common(1)[0][0] if fragments else None,
        "title": {
            "conventional_commits": round(sum(prefixes.values()) / n, 2),
            "prefixes": [p for p, _ in prefixes.most_common(5)],
            "capitalized": round(sum(t[:1].isupper() for t in titles) / n, 2),
            "trailing_period": round(sum(t.endswith(".") for t in titles) / n, 2),
            "median_length": sorted(len(t) for t in titles)[len(titles) // 2] if titles else 0,
            "common_first_words": [w for w, _ in first_words.most_common(5)],
        },
    }


def profile_from(
    stats: Mapping[str, dict[str, Any]], configs: Mapping[str, str], units: Sequence[Unit]
) -> dict[str, Any]:
    """The profile from per-file stats (path -> file_stats), config files and the units so far."""
    code = {p: s for p, s in stats.items() if "defs" in s}
    changelogs = sorted(p for p in stats if _CHANGELOG.search(p))
    return {
        "formatters": _formatters(configs),
        "code": _docstyle(code),
        "tests": _tests(stats),
        **_errors_and_logging(code),
        "changelog_files": changelogs[:3],
        **_history(units),
    }


def mine_conventions(texts: Mapping[str, str], configs: Mapping[str, str], units: Sequence[Unit]) -> dict[str, Any]:
    """The profile from source and test texts (path -> text), config files and the units so far."""
    return profile_from({p: file_stats(p, t) for p, t in texts.items()}, configs, units)


def refresh_history(profile: dict[str, Any], units: Sequence[Unit]) -> dict[str, Any]:
    """The profile with its history-derived parts recomputed (cheap; used between full re-minings)."""
    return {**profile, **_history(units)}
