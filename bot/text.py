"""Text at the bot's boundaries with UTF-8: a lone surrogate (an escape like "\\ud800" in a webhook's or GitHub's
JSON, or a non-UTF-8 file name's byte kept with surrogateescape, "caf\\udce9.py") cannot be encoded, so text
written for people or other services (the model included) carries its escape instead.
"""

from __future__ import annotations

from typing import Any

__all__ = ["encodable", "encodable_json"]


def encodable(text: str) -> str:
    """`text` with every character UTF-8 cannot encode written as its escape, `\\udce9`."""
    if text.isascii():
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def encodable_json(value: Any) -> Any:
    """A JSON value with `encodable` applied to every string in it, keys included."""
    if isinstance(value, str):
        return encodable(value)
    if isinstance(value, dict):
        return {encodable_json(key): encodable_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [encodable_json(item) for item in value]
    return value
