"""The conventions profile, mined without a model from the tree and the history (a pure core).

Formatter and linter settings come from `memory.tool_configs`, and per-file code stats (typing, docstrings,
classes, raises, logging) from `memory.code_style`; this module sums them with the test layout, the project's
exceptions, the changelog and the title style. Habits are read from the recent units people wrote, not bots.

Changelogs come from the tree's paths (`changelog_paths`: CHANGES/CHANGELOG/HISTORY/NEWS files at the root or
under docs/, fragment folders such as changelog.d/ or newsfragments/, a towncrier directory, changie's unreleased
folder) and from the history: which of them the units edit or add to answers how an entry is added (edited in
place or fragments).
"""

from __future__ import annotations

import builtins
import functools
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from memory.code_style import DOCSTRING_STYLES, file_stats
from memory.model import Unit
from memory.paths import is_source, is_test, is_vendored
from memory.tool_configs import (
    CONFIG_FILES,
    changie_unreleased,
    config_folder,
    folder_formatters,
    formatters,
    read_toml,
)

__all__ = [
    "CONFIG_FILES",
    "config_folder",
    "changelog_paths",
    "file_stats",
    "fragment_dirs_declared",
    "mine_conventions",
    "profile_from",
    "refresh_history",
]

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
_TEST_DIRS = frozenset({"test", "tests", "testing", "__tests__", "spec", "specs"})  # as memory.paths.is_test
_PREFIX = re.compile(r"^(\w+)(\([^)]*\))?!?: ")
_GITMOJI = re.compile(r"^(?::[a-z0-9_+-]+:|[\u2190-\u2bff\U0001f000-\U0001faff][\ufe0f\u200d]*)+\s*")
_BOT = re.compile(r"\[bot\]$|^(dependabot|renovate|pre-commit-ci|github-actions|greenkeeper|pyup-bot)\b", re.I)
_ERROR_NAME = re.compile(r"(Error|Exception|Warning)$")
RECENT = 300  # the units, newest, that title and changelog habits are read from


def _towncrier_dir(section: Mapping[str, Any]) -> str:
    """The fragment folder of a `[tool.towncrier]` section (its default: newsfragments/ in the package)."""
    directory = section.get("directory")
    if isinstance(directory, str) and directory.strip("./"):
        return str(PurePosixPath(directory))
    package = str(section.get("package") or "")
    base = str(section.get("package_dir") or ".")
    return str(PurePosixPath(base, *package.split("."), "newsfragments")) if package else "newsfragments"


def _towncrier_dirs(configs: Mapping[str, str]) -> list[str]:
    """Fragment folders a towncrier config names (`[tool.towncrier]` of pyproject.toml or towncrier.toml)."""
    out = []
    for name in ("pyproject.toml", "towncrier.toml"):
        tools = read_toml(configs.get(name, "")).get("tool")
        section = tools.get("towncrier") if isinstance(tools, dict) else None
        if isinstance(section, dict):
            out.append(_towncrier_dir(section))
    return out


def fragment_dirs_declared(configs: Mapping[str, str]) -> list[str]:
    """Fragment folders the configs declare: towncrier's directory, changie's unreleased folder."""
    changie = changie_unreleased(configs)
    return list(dict.fromkeys([*_towncrier_dirs(configs), *([changie] if changie else [])]))


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
    home = next((d for d in declared if folder == d or folder.startswith(f"{d}/")), None)
    if home is not None:
        return home  # towncrier sections keep their fragments in subfolders of the directory
    if p.parent.name.lower() in _FRAGMENT_HOMES:
        return folder
    if p.parent.name.lower() in _FRAGMENT_MAYBE and not is_source(path) and _FRAGMENT_NAME.match(name):
        return folder
    return None


def changelog_paths(paths: Iterable[str], declared: Collection[str] = ()) -> list[str]:
    """The changelog files and fragments among a tree's paths: what `profile_from` takes as `changelog`."""
    return sorted(p for p in paths if _is_changelog_file(p) or _fragment_dir(p, declared))


def _total(stats: Mapping[str, dict[str, Any]], key: str) -> int:
    return sum(int(s.get(key, 0)) for s in stats.values())


def _counts(stats: Mapping[str, dict[str, Any]], key: str) -> Counter[str]:
    """The sum of the files' `key` tables (name -> count)."""
    total: Counter[str] = Counter()
    for path in sorted(stats):
        total.update(stats[path].get(key) or {})
    return total


def _docstyle(code: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """Typing and docstrings: each docstring votes once for its style; `plain` when none has sections."""
    defs = _total(code, "defs")
    styles = _counts(code, "styles")
    voted = [s for s in DOCSTRING_STYLES if styles[s]]
    return {
        "functions": defs,
        "docstring_ratio": round(_total(code, "documented") / defs, 2) if defs else 0.0,
        "annotated_ratio": round(_total(code, "annotated") / defs, 2) if defs else 0.0,
        "docstring_style": max(voted, key=lambda s: styles[s]) if voted else "plain",
        "future_annotations": _total(code, "future"),
    }


def _test_home(path: str) -> str:
    """The test folder a test file lives in (`tests`, `src/pkg/tests`), else its own folder (`.` at the root)."""
    parts = PurePosixPath(path).parts
    home = next((i for i, part in enumerate(parts[:-1]) if part in _TEST_DIRS), None)
    return "/".join(parts[: home + 1] if home is not None else parts[:-1]) or "."


def _test_naming(path: str) -> str | None:
    """`test_*` or `*_test` for a test module; None for helpers, `__init__.py` and conftest."""
    stem = PurePosixPath(path).name.split(".", 1)[0]
    if stem.startswith("test_"):
        return "test_*"
    return "*_test" if stem.endswith(("_test", "_tests")) else None


def _tests(stats: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """Test layout from the project's own test files (Python ones when there are any; vendored ones never)."""
    found = sorted(p for p in stats if is_test(p) and is_source(p) and not is_vendored(p))
    tests = [p for p in found if p.endswith(".py")] or found
    modules = [p for p in tests if _test_naming(p)]
    names = Counter(_test_naming(p) for p in modules)
    dirs = Counter(_test_home(p) for p in tests)
    unittest = sum(int(stats[p].get("unittest", 0)) for p in modules or tests)
    return {
        "files": len(tests),
        "dirs": [d for d, _ in dirs.most_common(3)],
        "naming": names.most_common(1)[0][0] if names else None,
        "framework": ("unittest" if unittest > len(modules or tests) / 2 else "pytest") if tests else None,
        "conftest": any(PurePosixPath(p).name == "conftest.py" for p in tests),
    }


@functools.cache
def _builtin_exceptions() -> frozenset[str]:
    found = (getattr(builtins, n) for n in dir(builtins))
    return frozenset(k.__name__ for k in found if isinstance(k, type) and issubclass(k, BaseException))


def _ranked(counts: Counter[str], limit: int) -> list[str]:
    return [n for n, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:limit]


def _exceptions(code: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """The project's own exception bases (its classes other project exceptions derive from), most derived
    from first, apart from the builtin ones its exceptions derive from directly; and the exceptions its code
    raises most (its own, builtin, or named like one), which a flat hierarchy tells best."""
    classes: dict[str, set[str]] = {}
    for path in sorted(code):
        for name, bases in code[path].get("classes", {}).items():
            classes.setdefault(name, set()).update(bases)
    foreign = {b for bases in classes.values() for b in bases if b not in classes}
    seeds = {b for b in foreign if _is_error_name(b)}
    errors: set[str] = set()
    while fresh := {n for n, bases in classes.items() if n not in errors and bases & (errors | seeds)}:
        errors |= fresh
    own = Counter(b for n in errors for b in classes[n] if b in errors and b != n)
    builtin = Counter(b for n in errors for b in classes[n] if b in foreign and b in _builtin_exceptions())
    raised = Counter({n: k for n, k in _counts(code, "raises").items() if n in errors or _is_error_name(n)})
    return {
        "exception_bases": _ranked(own, 8),
        "builtin_exception_bases": _ranked(builtin, 8),
        "raised": _ranked(raised, 6),
    }


def _is_error_name(name: str) -> bool:
    return name in _builtin_exceptions() or bool(_ERROR_NAME.search(name))


def _errors_and_logging(code: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """Exceptions, `raise ... from`, and the logging styles by how many files use each."""
    logging = Counter(style for path in sorted(code) for style in code[path].get("logging") or ())
    return {**_exceptions(code), "raise_from": _total(code, "raise_from"), "logging": _ranked(logging, 3)}


def _recent(units: Sequence[Unit]) -> list[Unit]:
    """The newest units the project's people wrote (bots' dependency bumps and autoupdates are not its style)."""
    return [u for u in units if not _BOT.search(u.author)][-RECENT:]


def _title_parts(title: str) -> tuple[bool, str | None, str]:
    """(leads with a gitmoji, the `type(scope)!:` prefix, the description after both)."""
    rest = _GITMOJI.sub("", title, count=1)
    prefix = _PREFIX.match(rest)
    return rest != title, prefix.group(1).lower() if prefix else None, rest[prefix.end() :] if prefix else rest


def _titles(units: Sequence[Unit]) -> dict[str, Any]:
    """Title style; case and first words are read after any gitmoji and prefix, as a title is written."""
    titles = [u.title for u in _recent(units) if u.title]
    parts = [_title_parts(t) for t in titles]
    prefixes = Counter(prefix for _, prefix, _ in parts if prefix)
    first_words = Counter(words[0] for _, _, text in parts if (words := text.split()))
    n = len(titles) or 1
    return {
        "title": {
            "conventional_commits": round(sum(prefixes.values()) / n, 2),
            "prefixes": [p for p, _ in prefixes.most_common(5)],
            "gitmoji": round(sum(emoji for emoji, _, _ in parts) / n, 2),
            "capitalized": round(sum(text[:1].isupper() for _, _, text in parts) / n, 2),
            "trailing_period": round(sum(t.endswith(".") for t in titles) / n, 2),
            "median_length": sorted(len(t) for t in titles)[len(titles) // 2] if titles else 0,
            "common_first_words": [w for w, _ in first_words.most_common(5)],
        },
    }


def _changelog_history(units: Sequence[Unit], declared: Collection[str], tool: bool) -> dict[str, Any]:
    """How the recent units touch changelogs: files edited in place, fragments added to folders (or, when no
    unit touched one, fragments if towncrier or changie is set up). `touched` lists the most often added to first,
    and leaves out changelogs deleted or renamed since."""
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
    entries = "fragments" if fragments > edits or (tool and not edits) else "edited in place" if edits else None
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
    tools = {"towncrier": bool(_towncrier_dirs(configs)), "changie": changie_unreleased(configs) is not None}
    return {"files": files[:3], "fragment_dirs": dirs, **tools, **history}


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
        "formatters": {**formatters(configs), "folders": folder_formatters(configs)},
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
    tool = bool(changelog.get("towncrier") or changelog.get("changie"))
    history = _changelog_history(units, changelog.get("fragment_dirs") or [], tool)
    return {**profile, "changelog": {**changelog, **history}, **_titles(units)}
