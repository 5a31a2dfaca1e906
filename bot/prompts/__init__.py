"""Prompt templates (files beside this module) and the fencing of untrusted data inside them.

Templates use `string.Template` placeholders. Every untrusted value goes through `fence`, which labels it
as data and picks a fence the value cannot close early.
"""

from __future__ import annotations

import string
from importlib import resources

from memory.textproc import fence

__all__ = ["fence", "marker", "render"]


def marker(purpose: str, candidate: int, turn: int) -> dict[str, str]:
    """The machine-readable step marker fields every prompt starts with."""
    return {"purpose": purpose, "candidate": str(candidate), "turn": str(turn)}


def render(name: str, **fields: str) -> str:
    """Fill template `name` (a file in this package). Missing fields are an error, not a silent blank."""
    text = resources.files(__package__).joinpath(f"{name}.md").read_text(encoding="utf-8")
    return string.Template(text).substitute(fields)
