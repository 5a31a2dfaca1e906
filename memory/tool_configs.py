"""Formatter and linter settings read from a repository's config files (a pure part of the conventions profile).

Each tool's settings come from the file the tool itself would read first: ruff from `.ruff.toml`, `ruff.toml`
or `[tool.ruff]` (with the files its `extend` names beneath: the extending file wins, key by key); flake8,
pytest, mypy, isort and pylint from their own INI files, `[tool.*]` tables of pyproject.toml, or sections of
setup.cfg and tox.ini. Malformed files give no settings, never an error, and every value is plain JSON (TOML
dates become strings). changie's unreleased folder is read from `.changie.yaml` here too.

A monorepo keeps a project's config in its folder (`backend/pyproject.toml`): the root's settings are the
profile's, and each folder (up to two down) whose own files configure a tool gets its own (`folder_formatters`).
A file's settings are its deepest such folder's, else the root's.
"""

from __future__ import annotations

import configparser
import fnmatch
import posixpath
import re
import tomllib
from collections.abc import Callable, Mapping
from typing import Any

import yaml

from memory.paths import is_test, is_vendored

__all__ = [
    "CONFIG_FILES",
    "changie_unreleased",
    "config_folder",
    "folder_formatters",
    "formatters",
    "read_toml",
    "ruff_extended",
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
    ".changie.yaml",
    ".changie.yml",
)
MAX_CONFIG_DEPTH = 2  # config files are read in the root and up to two folders down (`api/`, `services/api/`)
MAX_CONFIG_FOLDERS = 20  # folders below the root whose settings the profile keeps
_RUFF_FILES = (".ruff.toml", "ruff.toml", "pyproject.toml")  # the order ruff looks in a folder
_CHANGIE_FILES = (".changie.yaml", ".changie.yml")
_PYPROJECT_TOOLS = ("black", "isort", "mypy", "pylint", "flake8", "pytest", "pyright", "coverage", "codespell")
_INI_TOOLS = ("flake8", "pycodestyle", "pydocstyle", "mypy", "isort", "pytest", "pylint", "coverage", "codespell")
_KEYS = frozenset(
    "line-length line_length max-line-length max_line_length select extend-select ignore extend-ignore "
    "extend_ignore strict target-version profile extend quote-style indent-style skip-string-normalization "
    "max-complexity max_complexity testpaths python_files disallow_untyped_defs docstring-convention "
    "convention".split()
)
_NESTED = ("ini_options", "format", "lint")  # [tool.pytest.ini_options], [tool.ruff.format], [tool.ruff.lint]
# Where each INI file stands among the places tools look (earlier wins); pyproject.toml sits after the first four.
_INI_ORDER = ("mypy.ini", "pytest.ini", ".isort.cfg", ".pylintrc", "setup.cfg", "tox.ini", ".flake8")
_EDITORCONFIG_KEYS = frozenset({"indent_style", "indent_size", "max_line_length", "end_of_line", "charset"})
_LENGTH_KEYS = ("line-length", "line_length", "max-line-length", "max_line_length")
_DEFAULT_LENGTH = {"ruff": 88, "black": 88, "flake8": 79, "pycodestyle": 79, "pylint": 100}  # the tools' defaults
_SECTION = re.compile(r"^[ \t]*\[[^\]\n]+\]", re.M)
_HOOK_ID = re.compile(r"""(?:^[ \t-]*|[{,][ \t]*)id:[ \t]*["']?([\w.+-]+)""", re.M)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's when PyYAML was built with it
_NOT_IN_TREE = re.compile(r"^(?:[~/\\]|[A-Za-z]:)|\$")  # home, absolute, drive and environment paths


def read_toml(text: str) -> dict[str, Any]:
    """The TOML document, or {} when it does not parse (a BOM, as tools accept, is skipped)."""
    try:
        return tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError:
        return {}


def _table(data: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """`data[k1][k2]...` when every step is a table, else {}."""
    for key in keys:
        found = data.get(key)
        if not isinstance(found, dict):
            return {}
        data = found
    return dict(data)


def _plain(value: Any) -> Any:
    """A setting as JSON: strings, numbers, booleans and lists of them; anything else as its string."""
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value)


def _settings(section: Mapping[str, Any]) -> dict[str, Any]:
    """The settings worth knowing of a tool's table, its nested format/lint/ini_options tables merged in."""
    merged = dict(section)
    for nested in _NESTED:
        if isinstance(section.get(nested), dict):
            merged.update(section[nested])
    return {k: _plain(v) for k, v in merged.items() if k in _KEYS and not isinstance(v, dict)}


def _tree_path(folder: str, target: str) -> str | None:
    """`target`, relative to `folder`, as a path in the repository's tree; None for `~`, absolute and
    environment paths and for paths that lead out of the tree."""
    if not target or _NOT_IN_TREE.search(target):
        return None
    path = posixpath.normpath(posixpath.join(folder, target))
    return None if path in (".", "..") or path.startswith("../") else path


def _ruff_table(path: str, text: str) -> dict[str, Any] | None:
    """Ruff's table in a config file: `[tool.ruff]` of a pyproject.toml (None without one), all of any other."""
    if posixpath.basename(path) != "pyproject.toml":
        return read_toml(text)
    tools = _table(read_toml(text), "tool")
    return tools["ruff"] if isinstance(tools.get("ruff"), dict) else None


def _extend_target(path: str, table: Mapping[str, Any]) -> str | None:
    """The tree path of the file a ruff table's `extend` names (relative to the folder of `path`), else None."""
    target = table.get("extend")
    return _tree_path(posixpath.dirname(path), target) if isinstance(target, str) else None


def config_folder(path: str) -> str | None:
    """The folder whose settings the config file at `path` gives ("" for the root); None for a file that is no
    config file memory reads: another name, deeper than `MAX_CONFIG_DEPTH`, or in a test or vendored folder."""
    folder, name = posixpath.split(path)
    if name not in CONFIG_FILES or folder.count("/") >= MAX_CONFIG_DEPTH or is_test(path) or is_vendored(path):
        return None
    return folder


def _ruff_chain(configs: Mapping[str, str], folder: str = "") -> list[tuple[str, dict[str, Any]]]:
    """(path, ruff table) of the file ruff reads in `folder`, then of each file the previous one extends, as far
    as they are in `configs`, have ruff's table and do not come round again."""
    own = (posixpath.join(folder, p) for p in _RUFF_FILES)
    path = next((p for p in own if p in configs and _ruff_table(p, configs[p]) is not None), None)
    chain: list[tuple[str, dict[str, Any]]] = []
    while path is not None and path in configs and all(path != p for p, _ in chain):
        table = _ruff_table(path, configs[path])
        if table is None:
            break
        chain.append((path, table))
        path = _extend_target(path, table)
    return chain


def _ruff(chain: list[tuple[str, dict[str, Any]]]) -> dict[str, Any] | None:
    """Ruff's settings from the file ruff reads (`.ruff.toml`, else `ruff.toml`, else `[tool.ruff]`) over
    those of the files it extends: the extending file's settings win, `lint` and `format` ones key by key."""
    if not chain:
        return None
    found: dict[str, Any] = {}
    for _, table in reversed(chain):
        found.update(_settings(table))
    return found


def ruff_extended(configs: Mapping[str, str], read: Callable[[str], str | None]) -> dict[str, str]:
    """The files the ruff configs in `configs` extend, in turn, that `configs` lacks, read with `read` (None:
    no such file): what a collector of the config files adds so that `formatters` follows `extend`."""
    found = dict(configs)
    for folder in sorted({f for p in configs if (f := config_folder(p)) is not None}):
        while chain := _ruff_chain(found, folder):
            target = _extend_target(*chain[-1])
            if target is None or target in found:
                break  # the chain ends, or comes round again
            text = read(target)
            if text is None:
                break  # a file that is not there
            found[target] = text
    return {p: t for p, t in found.items() if p not in configs}


def _yaml(text: str) -> dict[str, Any]:
    """The YAML mapping, or {} when it does not parse or is no mapping (safe loading only)."""
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506  # a safe loader
    except (yaml.YAMLError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def changie_unreleased(configs: Mapping[str, str]) -> str | None:
    """The folder changie keeps unreleased entries in: `changesDir`/`unreleasedDir` of `.changie.yaml` (or
    `.changie.yml`), by default `.changes/unreleased`; None without a changie config or out of the tree."""
    name = next((n for n in _CHANGIE_FILES if n in configs), None)
    if name is None:
        return None
    data = _yaml(configs[name])
    changes, unreleased = data.get("changesDir"), data.get("unreleasedDir")
    changes = changes if isinstance(changes, str) and changes.strip() else ".changes"
    unreleased = unreleased if isinstance(unreleased, str) and unreleased.strip() else "unreleased"
    return _tree_path("", f"{changes.strip()}/{unreleased.strip()}")


def _ini(text: str) -> configparser.RawConfigParser:
    """The INI file as far as it parses: lines before the first section, stray lines and duplicates are passed
    over (what parsed before an error is kept)."""
    parser = configparser.RawConfigParser(strict=False, inline_comment_prefixes=("#", ";"))
    text = text.removeprefix("\ufeff")
    first = _SECTION.search(text)
    try:
        parser.read_string(text[first.start() :] if first else "")
    except configparser.Error:
        pass
    return parser


def _ini_value(value: str) -> str | int | bool:
    """An INI value as JSON: whole numbers and true/false typed, other text on one line."""
    text = " ".join(value.split())
    if text.isascii() and text.isdigit():
        return int(text)
    return {"true": True, "false": False}.get(text.lower(), text)


def _ini_tools(path: str, text: str) -> dict[str, dict[str, Any]]:
    """The tool sections of one INI file (`[flake8]`, `[tool:pytest]`, `[coverage:run]`; all of a .pylintrc)."""
    found: dict[str, dict[str, Any]] = {}
    parser = _ini(text)
    for section in parser.sections():
        tool = "pylint" if posixpath.basename(path) == ".pylintrc" else section.removeprefix("tool:").split(":")[0]
        if tool in _INI_TOOLS:
            items = {k: _ini_value(v) for k, v in parser.items(section) if k in _KEYS}
            found.setdefault(tool, {}).update(items)
    return found


def _tool_settings(configs: Mapping[str, str], folder: str) -> dict[str, Any]:
    """Each tool's settings from the first place in `folder` it is configured, in the order the tools look."""
    pyproject = _table(read_toml(configs.get(posixpath.join(folder, "pyproject.toml"), "")), "tool")
    ini = [posixpath.join(folder, p) for p in _INI_ORDER]
    places: list[dict[str, dict[str, Any]]] = [_ini_tools(p, configs[p]) for p in ini[:4] if p in configs]
    places.append({t: _settings(pyproject[t]) for t in _PYPROJECT_TOOLS if isinstance(pyproject.get(t), dict)})
    places += [_ini_tools(p, configs[p]) for p in ini[4:] if p in configs]
    found: dict[str, Any] = {}
    for place in places:
        for tool, settings in place.items():
            found.setdefault(tool, settings)
    return found


def _editorconfig_applies(section: str) -> bool:
    """Whether an .editorconfig section's glob matches a Python file (`*`, `*.py`, `*.{py,rst}`, `{*.py,*.pyi}`)."""
    glob = section.strip()[1:-1].replace("**", "*")
    braces = re.search(r"\{([^{}]*)\}", glob)
    options = (
        [glob[: braces.start()] + o + glob[braces.end() :] for o in braces.group(1).split(",")] if braces else [glob]
    )
    return any(fnmatch.fnmatchcase("module.py", o) or fnmatch.fnmatchcase("pkg/module.py", o) for o in options)


def _editorconfig(text: str) -> dict[str, str]:
    """The settings `.editorconfig` gives Python files (later sections win, as in editorconfig)."""
    found: dict[str, str] = {}
    applies = False
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            applies = _editorconfig_applies(line)
        elif applies and "=" in line and not line.startswith(("#", ";")):
            key, value = (part.strip() for part in line.split("=", 1))
            if key.lower() in _EDITORCONFIG_KEYS:
                found[key.lower()] = value
    return found


def _line_length(found: Mapping[str, Any]) -> int | None:
    """The line length in force: the first one configured (ruff, black, flake8, pycodestyle, pylint, then
    .editorconfig), else the default of the first of those tools the repository configures."""
    for tool in (*_DEFAULT_LENGTH, ".editorconfig"):
        section = found.get(tool)
        value = next((section[k] for k in _LENGTH_KEYS if k in section), None) if isinstance(section, dict) else None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.isascii() and value.isdigit():
            return int(value)
    return next((length for tool, length in _DEFAULT_LENGTH.items() if tool in found), None)


def formatters(configs: Mapping[str, str], folder: str = "") -> dict[str, Any]:
    """Formatter and linter settings per tool, pre-commit hook ids, .editorconfig, the line length in force and
    the config files read, from the config files in `folder` (the root's by default) and those they extend."""
    found: dict[str, Any] = {}
    chain = _ruff_chain(configs, folder)
    ruff = _ruff(chain)
    if ruff is not None:
        found["ruff"] = ruff
    found.update(_tool_settings(configs, folder))
    hooks, editorconfig = posixpath.join(folder, ".pre-commit-config.yaml"), posixpath.join(folder, ".editorconfig")
    if hooks in configs:
        found["pre-commit"] = sorted(set(_HOOK_ID.findall(configs[hooks])))
    if editorconfig in configs:
        found[".editorconfig"] = _editorconfig(configs[editorconfig])
    found["line_length"] = _line_length(found)
    found["files"] = sorted({p for p in configs if config_folder(p) == folder} | {p for p, _ in chain})
    return found


def folder_formatters(configs: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """`formatters` of each folder below the root whose own config files configure a tool (a project of a
    monorepo, `backend/`), the first `MAX_CONFIG_FOLDERS` by name; a file's settings are its deepest folder's."""
    found: dict[str, dict[str, Any]] = {}
    for folder in sorted({f for p in configs if (f := config_folder(p))}):
        settings = formatters(configs, folder)
        if set(settings) - {"line_length", "files"} and len(found) < MAX_CONFIG_FOLDERS:
            found[folder] = settings
    return found
