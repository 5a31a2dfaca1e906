"""The conventions profile, mined without a model from the tree and the history (a pure core).

Changelogs come from the tree's paths (`changelog_paths`: CHANGES/CHANGELOG/HISTORY/NEWS files at the root or
under docs/, fragment folders such as changelog.d/ or newsfragments/, a towncrier directory) and from the
history: which of them the units edit or add to answers how an entry is added (edited in place or fragments).
"""

from __future__ import annotations

import builtins
import functools
import re
import tomllib
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from memory.model import Unit
from memory.paths import is_source, is_test, is_vendored

__all__ = [
    "CONFIG_FILES",
    "changelog_paths",
    "file_stats",
    "fragment_dirs_declared",
    "mine_conventions",
    "profile_from",
    "refresh_history",
]

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
    "towncrier.toml",
)
_TOOL_SECTIONS = ("ruff", "black", "isort", "mypy", "pylint", "flake8", "pytest", "pyright", "coverage", "codespell")
_TOOL_KEYS = ("line-length", "line_length", "select", "extend-select", "ignore", "strict", "target-version", "profile")
_EDITORCONFIG_KEYS = frozenset({"indent_style", "indent_size", "max_line_length", "end_of_line", "charset"})
_CHANGELOG = re.compile(r"^(changes|changelog|history|news|release[-_]?notes)(\.(md|rst|txt|markdown|adoc))?$", re.I)
_FRAGMENT_HOMES = frozenset({"changelog.d", "newsfragments", "changes.d", "news.d"})  # any file inside is one
_FRAGMENT_MAYBE = frozenset({"changes", "news", "changelog", ".changes", "changelogs"})  # fragment-named files
_FRAGMENT_TYPES = (
    "feature|bugfix|bug|fix|doc|docs|removal|misc|trivial|vendor|process|deprecation|breaking|security|"
    "change|added|changed|fixed|removed|deprecated|improvement|internal|dependency|packaging|major|minor|patch"
)
_FRAGMENT_NAME = re.compile(
    rf"^(\+|\d)[^.]*\.[a-z]+(\.\d+)?(\.\w+)?$|^[^.]+\.({_FRAGMENT_TYPES})(\.\d+)?(\.\w+)?$", re.I
)
_DEF = re.compile(r"^\s*(?:async\s+)?def\s+\w+\(([^)]*)\)\s*(->)?[^:]*:\s*\n(\s*[rRuU]?\"\"\")?", re.M)
_CLASS = re.compile(r"^\s*class\s+(\w+)\s*(?:\(([^)]*)\))?\s*:", re.M)
_PREFIX = re.compile(r"^(\w+)(\([^)]*\))?!?: ")


def _toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}


def _formatters(configs: Mapping[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    tools = _toml(configs.get("pyproject.toml", "")).get("tool", {})
    for name in _TOOL_SECTIONS:
        section = tools.get(name)
        if isinstance(section, dict):
            lint = section.get("lint")  # ruff's rule settings live under [tool.ruff.lint] since ruff 0.2
            merged = {**section, **lint} if isinstance(lint, dict) else section
            found[name] = {k: merged[k] for k in _TOOL_KEYS if k in merged}
    for path, text in configs.items():
        if path == ".pre-commit-config.yaml":
            found["pre-commit"] = sorted(set(re.findall(r"^\s*-\s*id:\s*([\w.-]+)", text, re.M)))
        elif path == ".editorconfig":
            found[path] = _editorconfig(text)
        elif path not in ("pyproject.toml", "towncrier.toml"):
            sections = re.findall(r"^\[(?:tool:)?([\w.-]+)\]", text, re.M)
            found[path] = sorted(set(sections)) or True
    return found


def _editorconfig(text: str) -> dict[str, str]:
    """The settings `.editorconfig` gives Python files (its `[*]` and `[*.py]` sections, the latter winning)."""
    found: dict[str, str] = {}
    applies = False
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            applies = line in ("[*]", "[*.py]", "[*.{py,pyi}]")
        elif applies and "=" in line and not line.startswith(("#", ";")):
            key, value = (part.strip() for part in line.split("=", 1))
            if key in _EDITORCONFIG_KEYS:
                found[key] = value
    return found


def _towncrier_dir(section: Mapping[str, Any]) -> str:
    """The fragment folder of a `[tool.towncrier]` section (its default: newsfragments/ in the package)."""
    directory = section.get("directory")
    if isinstance(directory, str) and directory.strip("./"):
        return str(PurePosixPath(directory))
    package = str(section.get("package") or "")
    base = str(section.get("package_dir") or ".")
    return str(PurePosixPath(base, *package.split("."), "newsfragments")) if package else "newsfragments"


def fragment_dirs_declared(configs: Mapping[str, str]) -> list[str]:
    """Fragment folders a towncrier config names (`[tool.towncrier]` of pyproject.toml or towncrier.toml)."""
    out = []
    for name in ("pyproject.toml", "towncrier.toml"):
        section = _toml(configs.get(name, "")).get("tool", {}).get("towncrier")
        if isinstance(section, dict):
            out.append(_towncrier_dir(section))
    return list(dict.fromkeys(out))


def _is_changelog_file(path: str) -> bool:
    """CHANGES/CHANGELOG/HISTORY/NEWS/RELEASE-NOTES, as text, at the root or under docs/ (not `changes.py`)."""
    parts = PurePosixPath(path).parts
    return bool(parts) and bool(_CHANGELOG.match(parts[-1])) and (len(parts) == 1 or parts[0] in ("docs", "doc"))


def _fragment_dir(path: str, declared: Collection[str]) -> str | None:
    """The folder of which `path` is a changelog fragment, else None."""
    p = PurePosixPath(path)
    folder, name = str(p.parent), p.name
    if folder == "." or name.startswith(".") or name.lower().startswith(("readme", "template")):
        return None
    if folder in declared or p.parent.name.lower() in _FRAGMENT_HOMES:
        return folder
    if p.parent.name.lower() in _FRAGMENT_MAYBE and not is_source(path) and _FRAGMENT_NAME.match(name):
        return folder
    return None


def changelog_paths(paths: Iterable[str], declared: Collection[str] = ()) -> list[str]:
    """The changelog files and fragments among a tree's paths: what `profile_from` takes as `changelog`."""
    return sorted(p for p in paths if _is_changelog_file(p) or _fragment_dir(p, declared))


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
    classes: dict[str, list[str]] = {}
    for name, parents in _CLASS.findall(text):
        bases = (b.split("[")[0].strip().split(".")[-1] for b in parents.split(",") if "=" not in b)
        classes.setdefault(name, []).extend(b for b in bases if b.isidentifier())
    stats["classes"] = classes
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


@functools.cache
def _builtin_exceptions() -> frozenset[str]:
    found = (getattr(builtins, n) for n in dir(builtins))
    return frozenset(k.__name__ for k in found if isinstance(k, type) and issubclass(k, BaseException))


def _exceptions(code: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """The project's own exception bases (its classes other project exceptions derive from), most derived
    from first, apart from the builtin ones its exceptions derive from directly."""
    classes: dict[str, set[str]] = {}
    for path in sorted(code):
        for name, bases in code[path].get("classes", {}).items():
            classes.setdefault(name, set()).update(bases)
    foreign = {b for bases in classes.values() for b in bases if b not in classes}
    seeds = {b for b in foreign if b in _builtin_exceptions() or re.search(r"(Error|Exception|Warning)$", b)}
    errors: set[str] = set()
    while fresh := {n for n, bases in classes.items() if n not in errors and bases & (errors | seeds)}:
        errors |= fresh
    own = Counter(b for n in errors for b in classes[n] if b in errors and b != n)
    builtin = Counter(b for n in errors for b in classes[n] if b in foreign and b in _builtin_exceptions())
    return {
        "exception_bases": [n for n, _ in sorted(own.items(), key=lambda kv: (-kv[1], kv[0]))][:8],
        "builtin_exception_bases": [n for n, _ in sorted(builtin.items(), key=lambda kv: (-kv[1], kv[0]))][:8],
    }


def _errors_and_logging(code: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    logging: Counter[str] = Counter()
    for path in sorted(code):
        logging.update(code[path]["logging"])
    return {
        **_exceptions(code),
        "raise_from": _total(code, "raise_from"),
        "logging": [k for k, v in logging.most_common() if v][:3],
    }


def _recent(units: Sequence[Unit]) -> list[Unit]:
    return list(units)[-300:]


def _titles(units: Sequence[Unit]) -> dict[str, Any]:
    titles = [u.title for u in _recent(units) if u.title]
    prefixes = Counter(m.group(1).lower() for t in titles if (m := _PREFIX.match(t)))
    first_words = Counter(t.split()[0] for t in titles if t.split())
    n = len(titles) or 1
    return {
        "title": {
            "conventional_commits": round(sum(prefixes.values()) / n, 2),
            "prefixes": [p for p, _ in prefixes.most_common(5)],
            "capitalized": round(sum(t[:1].isupper() for t in titles) / n, 2),
            "trailing_period": round(sum(t.endswith(".") for t in titles) / n, 2),
            "median_length": sorted(len(t) for t in titles)[len(titles) // 2] if titles else 0,
            "common_first_words": [w for w, _ in first_words.most_common(5)],
        },
    }


def _changelog_history(units: Sequence[Unit], declared: Collection[str], towncrier: bool) -> dict[str, Any]:
    """How the recent units touch changelogs: files edited in place, fragments added to folders (or, when no
    unit touched one, fragments if towncrier is set up). `touched` lists the most often added to first, and
    leaves out changelogs deleted or renamed since."""
    recent = _recent(units)
    touched: Counter[str] = Counter()
    edits = fragments = 0
    for unit in recent:
        for gone in (f.old_path for f in unit.files if f.status in ("D", "R")):
            touched.pop(gone, None)  # a changelog deleted or renamed since is no longer where entries go
        edited = {f.path for f in unit.files if f.status != "D" and _is_changelog_file(f.path)}
        added = {d for f in unit.files if f.status == "A" and (d := _fragment_dir(f.path, declared))}
        edits, fragments = edits + bool(edited), fragments + bool(added)
        touched.update(edited | {f"{d}/" for d in added})
    entries = "fragments" if fragments > edits or (towncrier and not edits) else "edited in place" if edits else None
    return {
        "in_units": round(sum(1 for u in recent if _touches(u, declared)) / max(1, len(recent)), 2),
        "touched": sorted(touched, key=lambda p: (-touched[p], p))[:3],
        "entries": entries,
    }


def _touches(unit: Unit, declared: Collection[str]) -> bool:
    return any(_is_changelog_file(f.path) or _fragment_dir(f.path, declared) for f in unit.files)


def _changelog(paths: Collection[str], configs: Mapping[str, str], units: Sequence[Unit]) -> dict[str, Any]:
    """Where the changelog lives in the tree, and how the history adds to it."""
    declared = fragment_dirs_declared(configs)
    files = sorted((p for p in paths if _is_changelog_file(p)), key=lambda p: (p.count("/"), p))
    found = Counter(d for p in paths if (d := _fragment_dir(p, declared)))
    dirs = list(dict.fromkeys([*declared, *(d for d, _ in found.most_common())]))[:3]
    history = _changelog_history(units, dirs, bool(declared))
    return {"files": files[:3], "fragment_dirs": dirs, "towncrier": bool(declared), **history}


def profile_from(
    stats: Mapping[str, dict[str, Any]],
    configs: Mapping[str, str],
    units: Sequence[Unit],
    changelog: Collection[str] = (),
) -> dict[str, Any]:
    """The profile from per-file stats (path -> file_stats), config files, the units so far, and the tree's
    changelog files and fragments (`changelog_paths` of every path at the head)."""
    code = {p: s for p, s in stats.items() if "defs" in s}
    return {
        "formatters": _formatters(configs),
        "code": _docstyle(code),
        "tests": _tests(stats),
        **_errors_and_logging(code),
        "changelog": _changelog(changelog, configs, units),
        **_titles(units),
    }


def mine_conventions(
    texts: Mapping[str, str], configs: Mapping[str, str], units: Sequence[Unit], paths: Iterable[str] = ()
) -> dict[str, Any]:
    """The profile from source and test texts (path -> text), config files, the units so far and the tree's
    other paths (changelogs are found among `paths` and the texts' paths)."""
    declared = fragment_dirs_declared(configs)
    changelog = changelog_paths({*paths, *texts}, declared)
    return profile_from({p: file_stats(p, t) for p, t in texts.items()}, configs, units, changelog)


def refresh_history(profile: dict[str, Any], units: Sequence[Unit]) -> dict[str, Any]:
    """The profile with its history-derived parts recomputed (cheap; used between full re-minings)."""
    changelog = profile.get("changelog") or {}
    history = _changelog_history(units, changelog.get("fragment_dirs") or [], bool(changelog.get("towncrier")))
    return {**profile, "changelog": {**changelog, **history}, **_titles(units)}
