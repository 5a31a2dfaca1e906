"""File text as lines, keeping the line ending and the final newline so a rewrite changes nothing else."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ELISION", "Doc", "block_lines", "is_elision"]

ELISION = re.compile(
    r"^\s*(#|//|/\*|<!--)?\s*(\.\.\.|…)\s*((existing|rest|unchanged|other|same)\b.*)?(\*/|-->)?\s*$", re.I
)


@dataclass
class Doc:
    lines: list[str]
    eol: str = "\n"
    final_newline: bool = True

    @classmethod
    def parse(cls, text: str) -> Doc:
        eol = "\r\n" if "\r\n" in text and text.count("\r\n") == text.count("\n") else "\n"
        body = text.replace("\r\n", "\n") if eol == "\r\n" else text
        if not body:
            return cls([], eol, False)
        final = body.endswith("\n")
        lines = body.split("\n")
        if final:
            lines.pop()
        return cls(lines, eol, final)

    def render(self) -> str:
        if not self.lines:
            return ""
        return self.eol.join(self.lines) + (self.eol if self.final_newline else "")


def block_lines(text: str) -> list[str]:
    """A model-written block as lines: CRLF and a single trailing newline do not count."""
    body = text.replace("\r\n", "\n")
    if body.endswith("\n"):
        body = body[:-1]
    return body.split("\n") if body else []


def is_elision(line: str) -> bool:
    return bool(ELISION.match(line))
