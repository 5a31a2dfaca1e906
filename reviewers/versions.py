"""The version check: calls a candidate adds must resolve against the pinned versions' API surfaces."""

from __future__ import annotations

from collections.abc import Mapping

from migrations.callcheck import FindingKind, check_source
from migrations.surface import ApiSurface
from reviewers.base import PoolContext, Score, Verdict
from reviewers.diffs import apply_diff, parse_diff
from reviewers.errors import PatchError
from reviewers.organic_code import added_line_numbers

__all__ = ["VersionReviewer", "version_findings"]

BLOCKING = (FindingKind.MISSING, FindingKind.NO_BIND)


def version_findings(originals: Mapping[str, str | None], diff: str, surfaces: Mapping[str, ApiSurface]) -> list[str]:
    """One line per added call that does not resolve (missing name, or a call shape that does not bind)."""
    after = apply_diff(originals, diff)
    lines: list[str] = []
    for change in parse_diff(diff):
        text = after.get(change.path)
        if text is None or not change.path.endswith(".py"):
            continue
        for finding in check_source(text, surfaces, only_lines=added_line_numbers(change)):
            if finding.kind in BLOCKING:
                hint = f" (did you mean {', '.join(finding.alternatives)})" if finding.alternatives else ""
                lines.append(f"{change.path}:{finding.line} {finding.api}: {finding.message}{hint}")
    return lines


class VersionReviewer:
    """Rejects a candidate whose added calls do not exist, or do not bind, in the installed versions."""

    name = "versions"

    def __init__(self, surfaces: Mapping[str, ApiSurface]) -> None:
        self.surfaces = surfaces

    def review(self, context: PoolContext) -> list[Verdict]:
        verdicts = []
        for candidate in context.candidates:
            try:
                findings = version_findings(context.originals, candidate.diff, self.surfaces)
            except PatchError as exc:
                findings = [f"the diff does not apply: {exc}"]
            if findings:
                why = f"{len(findings)} added call(s) do not resolve: {findings[0]}"
                verdicts.append(Verdict(self.name, candidate.id, [Score("versions", 0.0, why)], rejected=why))
            else:
                why = f"every added call resolves against {len(self.surfaces)} pinned package(s)"
                verdicts.append(Verdict(self.name, candidate.id, [Score("versions", 1.0, why)]))
        return verdicts
