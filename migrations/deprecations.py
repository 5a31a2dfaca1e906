"""Find deprecations statically: warnings.warn(..., DeprecationWarning), @deprecated, docstrings (pure)."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

WARNING_CLASSES = ("DeprecationWarning", "PendingDeprecationWarning", "FutureWarning")
REPLACEMENT_PATTERNS = (
    re.compile(r"\buse\s+[`'\"]*([A-Za-z_][\w.]*(?:\(\))?)[`'\"]*\s*(?:instead|\.\s|,|$)", re.IGNORECASE),
    re.compile(r"\b(?:replaced|superseded)\s+by\s+[`'\"]*([A-Za-z_][\w.]*)", re.IGNORECASE),
    re.compile(r"\bin\s+favou?r\s+of\s+[`'\"]*([A-Za-z_][\w.]*)", re.IGNORECASE),
    re.compile(r"\buse\s+[`'\"]*([A-Za-z_][\w.]*)", re.IGNORECASE),
)
DOC_MARKERS = re.compile(r"(\.\. deprecated::|^\s*\**deprecated\b)", re.IGNORECASE | re.MULTILINE)
STOPWORDS = {"the", "a", "an", "it", "this", "that", "of", "in", "instead", "and", "or", "to"}


def find_deprecation(
    source: str | None, docstring: str | None, decorators: Sequence[str]
) -> tuple[str | None, str | None]:
    """Return (deprecation text, named replacement) for a function, class or module, or (None, None)."""
    for decorator in decorators:
        if re.search(r"(^|\.)deprecated\b", decorator):
            text = _first_string(decorator) or decorator
            return text, find_replacement(text)
    if source and ("warn" in source or "deprecat" in source.lower()):
        warning = _warning_text(source)
        if warning is not None:
            return warning, find_replacement(warning)
    if docstring and DOC_MARKERS.search(docstring) and _doc_deprecates(docstring):
        paragraph = _deprecated_paragraph(docstring)
        return paragraph, find_replacement(paragraph)
    return None, None


def find_replacement(text: str) -> str | None:
    """The API a deprecation message points to (`use X instead`, `replaced by X`), if any."""
    for pattern in REPLACEMENT_PATTERNS:
        match = pattern.search(text)
        if match and match.group(1).lower() not in STOPWORDS:
            return match.group(1).rstrip(".").removesuffix("()")
    return None


def _warning_text(source: str) -> str | None:
    try:
        tree = ast.parse(_dedent(source))
    except SyntaxError:
        return None
    # Only unconditional warnings at the top of the body deprecate the whole callable; a warning
    # under an `if` usually deprecates one parameter or one value.
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.FunctionDef | ast.AsyncFunctionDef) else []
    for stmt in body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and _is_deprecation_call(stmt.value):
            return _message(stmt.value) or "deprecated"
    return None


def _is_deprecation_call(call: ast.Call) -> bool:
    name = ast.unparse(call.func)
    args = [ast.unparse(a) for a in call.args[1:3]] + [ast.unparse(k.value) for k in call.keywords]
    mentions = any(any(w in a for w in WARNING_CLASSES) or "Deprecat" in a for a in args)
    if name.split(".")[-1] == "warn":
        return mentions
    return "deprecat" in name.lower() and "warn" in name.lower()


def _message(call: ast.Call) -> str | None:
    if not call.args:
        return None
    first = call.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    pieces = [n.value for n in ast.walk(first) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return "".join(pieces) or None


def _doc_deprecates(docstring: str) -> bool:
    """A directive anywhere, or a summary line that starts with "Deprecated"."""
    summary = docstring.strip().splitlines()[0] if docstring.strip() else ""
    return ".. deprecated::" in docstring or summary.lower().lstrip("*").startswith("deprecated")


def _first_string(text: str) -> str | None:
    match = re.search(r"""(['"])(.+?)\1""", text)
    return match.group(2) if match else None


def _deprecated_paragraph(docstring: str) -> str:
    lines = docstring.splitlines()
    for i, line in enumerate(lines):
        if DOC_MARKERS.search(line):
            block = [line.strip()]
            for follow in lines[i + 1 : i + 4]:
                if not follow.strip():
                    break
                block.append(follow.strip())
            return " ".join(block)
    return docstring.strip().splitlines()[0]


def _dedent(source: str) -> str:
    lines = source.splitlines()
    indent = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
    return "\n".join(x[indent:] for x in lines)
