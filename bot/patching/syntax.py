"""Syntax checks of edited files: ast for Python, stdlib parsers for data files, tree-sitter where installed."""

from __future__ import annotations

import ast
import json
import tomllib
import warnings

import yaml

__all__ = ["syntax_error"]


def syntax_error(path: str, text: str) -> str | None:
    """A one-line description of the first syntax error in `text`, or None if it parses (or cannot be checked).

    Parsers get the file's bytes: `text` holds any byte that is not UTF-8 as a surrogate (surrogateescape)."""
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    checker = {"py": _python, "pyi": _python, "json": _json, "toml": _toml, "yml": _yaml, "yaml": _yaml}.get(suffix)
    return checker(text) if checker else _tree_sitter(path, text)


def _python(text: str) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences warn; they are not our concern here
            ast.parse(text.encode("utf-8", "surrogateescape"))  # its bytes: a coding line is honoured
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    return None


def _json(text: str) -> str | None:
    try:
        json.loads(text)
    except ValueError as exc:
        return str(exc)
    return None


def _toml(text: str) -> str | None:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return str(exc)
    return None


def _yaml(text: str) -> str | None:
    try:
        list(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        return str(exc).splitlines()[0]
    return None


def _tree_sitter(path: str, text: str) -> str | None:
    """Use the grammar wheel for the file's suffix when one is installed (memory's table); nothing is downloaded."""
    from memory.treesitter import parser_for

    suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
    parser = parser_for(suffix)
    if parser is None:
        return None
    root = parser.parse(text.encode("utf-8", "surrogateescape")).root_node
    if not root.has_error:
        return None
    return f"{suffix[1:]} parse error near line {_first_error_line(root) + 1}"


def _first_error_line(node: object) -> int:
    stack = [node]
    while stack:
        current = stack.pop()
        if getattr(current, "is_error", False) or getattr(current, "is_missing", False):
            return int(getattr(current, "start_point", (0, 0))[0])
        stack.extend(reversed(list(getattr(current, "children", []))))
    return 0
