"""Formatter and linter settings read from a repository's config files (a pure part of the conventions profile).

Each tool's settings come from the file the tool itself would read first: ruff from `.ruff.toml`, `ruff.toml`
or `[tool.ruff]`; flake8, pytest, mypy, isort and pylint from their own INI files, `[tool.*]` tables of
pyproject.toml, or sections of setup.cfg and tox.ini. Malformed files give no settings, never an error, and
every value is plain JSON (TOML dates become strings).
"""

from __future__ import annotations

import configparser
import fnmatch
import re
import tomllib
from collections.abc import Mapping
from typing import Any

__all__ = ["CONFIG_FILES", "formatters", "read_toml"]

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


def _ruff(configs: Mapping[str, str]) -> dict[str, Any] | None:
    """Ruff's settings from the file ruff reads: `.ruff.toml`, else `ruff.toml`, else `[tool.ruff]`."""
    for name in (".ruff.toml", "ruff.toml"):
        if name in configs:
            return _settings(read_toml(configs[name]))
    tools = _table(read_toml(configs.get("pyproject.toml", "")), "tool")
    return _settings(tools["ruff"]) if isinstance(tools.get("ruff"), dict) else None


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
        tool = "pylint" if path == ".pylintrc" else section.removeprefix("tool:").split(":")[0]
        if tool in _INI_TOOLS:
            items = {k: _ini_value(v) for k, v in parser.items(section) if k in _KEYS}
            found.setdefault(tool, {}).update(items)
    return found


def _tool_settings(configs: Mapping[str, str]) -> dict[str, Any]:
    """Each tool's settings from the first place it is configured, in the order the tools look."""
    pyproject = _table(read_toml(configs.get("pyproject.toml", "")), "tool")
    places: list[dict[str, dict[str, Any]]] = [_ini_tools(p, configs[p]) for p in _INI_ORDER[:4] if p in configs]
    places.append({t: _settings(pyproject[t]) for t in _PYPROJECT_TOOLS if isinstance(pyproject.get(t), dict)})
    places += [_ini_tools(p, configs[p]) for p in _INI_ORDER[4:] if p in configs]
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


def formatters(configs: Mapping[str, str]) -> dict[str, Any]:
    """Formatter and linter settings per tool, pre-commit hook ids, .editorconfig, the line length in force and
    the config files present."""
    found: dict[str, Any] = {}
    ruff = _ruff(configs)
    if ruff is not None:
        found["ruff"] = ruff
    found.update(_tool_settings(configs))
    if ".pre-commit-config.yaml" in configs:
        found["pre-commit"] = sorted(set(_HOOK_ID.findall(configs[".pre-commit-config.yaml"])))
    if ".editorconfig" in configs:
        found[".editorconfig"] = _editorconfig(configs[".editorconfig"])
    found["line_length"] = _line_length(found)
    found["files"] = sorted(configs)
    return found
