"""Strict parsing of a candidate answer: one <edits> section and at most one <test path="..."> section."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.patching.edits import Edit
from bot.patching.errors import UnsafePath
from bot.patching.parse import parse_edits
from bot.patching.paths import check_path

__all__ = ["CandidateAnswer", "parse_answer"]

EDITS = re.compile(r"^<edits>\s*$(.*?)^</edits>\s*$", re.M | re.S)
TEST = re.compile(r'^<test path="([^"\n]+)">\s*$(.*?)^</test>\s*$', re.M | re.S)
NO_EDITS_SECTION = "expected exactly one <edits> ... </edits> section, found 0"


@dataclass(frozen=True)
class CandidateAnswer:
    edits: tuple[Edit, ...]
    test_path: str | None
    test_code: str | None
    errors: tuple[str, ...]

    @property
    def usable(self) -> bool:
        return not self.errors and bool(self.edits)

    @property
    def test_only(self) -> bool:
        """A well-formed answer that only replaces the reproduction test (no <edits> section at all)."""
        return self.errors == (NO_EDITS_SECTION,) and self.test_code is not None


def parse_answer(text: str) -> CandidateAnswer:
    """The edits and the reproduction test of a model answer; anything else in the text is ignored."""
    text = text.replace("\r\n", "\n")
    errors: list[str] = []
    sections = EDITS.findall(text)
    if len(sections) != 1:
        errors.append(f"expected exactly one <edits> ... </edits> section, found {len(sections)}")
    parsed = parse_edits(sections[0]) if sections else None
    if parsed is not None:
        errors += parsed.errors
        if not parsed.edits:
            errors.append("the <edits> section holds no edit block")
    tests = TEST.findall(text)
    if len(tests) > 1:
        errors.append("at most one <test path=...> section")
    test_path = test_code = None
    if len(tests) == 1:
        test_path, test_code = tests[0][0].strip(), tests[0][1].lstrip("\n")
        try:
            test_path = check_path(test_path)
        except UnsafePath as exc:
            errors.append(str(exc))
    return CandidateAnswer(parsed.edits if parsed else (), test_path, test_code, tuple(errors))
