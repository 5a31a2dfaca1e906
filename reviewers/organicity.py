"""Organicity without a model: four scores in [0, 1], each with a one-line reason (a pure core)."""

from __future__ import annotations

import ast
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reviewers.base import PoolContext, RepoProfile, Score, Verdict
from reviewers.diffs import FileDiff, apply_diff, parse_diff
from reviewers.errors import PatchError
from reviewers.organic_code import added_line_numbers, body_key, calls_on_lines, new_functions
from reviewers.size_discipline import code_changed, linked_groups, noise_hunks, unrelated_files
from reviewers.static_checks import new_findings

__all__ = ["WEIGHTS", "OrganicityReviewer", "organicity_scores", "total"]

WEIGHTS = {"style": 1.0, "reuse": 1.0, "plausibility": 1.0, "size": 1.0}
SUPPORT_FILE = 0.2  # a localization score from which a file counts as expected
SUPPORT_COCHANGE = 0.1  # P(b | a) from which two files count as changing together


@dataclass(frozen=True)
class _Patch:
    """A parsed candidate with its post-images."""

    files: list[FileDiff]
    after: dict[str, str | None]
    originals: Mapping[str, str | None]


def total(scores: Sequence[Score]) -> float:
    """The weighted mean of the organicity scores."""
    weighted = [(WEIGHTS.get(s.name, 0.0), s.value) for s in scores]
    norm = sum(w for w, _ in weighted)
    return sum(w * v for w, v in weighted) / norm if norm else 0.0


def style_score(patch: _Patch, profile: RepoProfile, new_lint: Sequence[str]) -> Score:
    """New linter violations, new dead or dangling code, over-long added lines, and new functions that break the
    repo's habits."""
    limits = {change.path: _line_length(profile.conventions, change.path) for change in patch.files}
    long_lines = sum(
        1
        for change in patch.files
        for hunk in change.hunks
        for line in hunk.added
        if len(line.rstrip()) > limits[change.path]
    )
    static = [
        found
        for change in patch.files
        for found in new_findings(patch.originals.get(change.old_path or ""), patch.after.get(change.path), change.path)
    ]
    habits = _habit_breaks(patch, profile.conventions)
    issues = len(new_lint) + len(static) + long_lines + len(habits)
    parts = [f"{len(new_lint)} new lint violation(s)"]
    if new_lint:
        parts[0] += f" ({', '.join(sorted(set(new_lint))[:3])})"
    parts.append(f"{len(static)} new dead or dangling name(s)" + (f" ({', '.join(static[:3])})" if static else ""))
    shown = sorted(set(limits.values())) or [_line_length(profile.conventions, "")]
    parts.append(f"{long_lines} added line(s) over {'/'.join(map(str, shown))} chars")
    if habits:
        parts.append("; ".join(habits[:2]))
    return Score("style", 1.0 / (1.0 + issues), ", ".join(parts))


def _folder_settings(formatters: Mapping[str, object], path: str) -> Mapping[str, object]:
    """The settings of the deepest folder holding `path` that has its own config (a monorepo's project), else
    the root's."""
    folders = formatters.get("folders")
    if isinstance(folders, Mapping):
        held = [f for f in folders if isinstance(f, str) and path.startswith(f"{f}/")]
        deepest = folders.get(max(held, key=len)) if held else None
        if isinstance(deepest, Mapping) and isinstance(deepest.get("line_length"), int):
            return deepest
    return formatters


def _line_length(conventions: Mapping[str, object], path: str) -> int:
    """The line length memory found in force for `path` (its folder's settings, else the root's, else the
    configured tools' defaults), else 100."""
    formatters = conventions.get("formatters")
    if isinstance(formatters, Mapping):
        formatters = _folder_settings(formatters, path)
        value = formatters.get("line_length")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        for tool in ("ruff", "black", "flake8"):  # a profile mined before memory recorded `line_length`
            section = formatters.get(tool)
            if isinstance(section, Mapping):
                value = section.get("line-length") or section.get("line_length") or section.get("max-line-length")
                if isinstance(value, int):
                    return value
    return 100


def _habit_breaks(patch: _Patch, conventions: Mapping[str, object]) -> list[str]:
    code = conventions.get("code")
    if not isinstance(code, Mapping):
        return []
    breaks: list[str] = []
    for path, text in patch.after.items():
        for func in new_functions(patch.originals.get(path), text, path):
            if _ratio(code, "docstring_ratio") >= 0.7 and ast.get_docstring(func) is None:
                breaks.append(f"new {func.name}() has no docstring where most functions do")
            if _ratio(code, "annotated_ratio") >= 0.7 and func.returns is None and not func.args.args:
                breaks.append(f"new {func.name}() is unannotated where most functions are")
    return breaks


def _ratio(code: Mapping[str, object], key: str) -> float:
    value = code.get(key, 0.0)
    return float(value) if isinstance(value, int | float) else 0.0


def reuse_score(patch: _Patch, profile: RepoProfile) -> Score:
    """Calls in added code that resolve to the repo's own helpers; added functions that duplicate one."""
    helpers = {name.split("::")[-1].rsplit(".", 1)[-1]: body for name, body in profile.helpers.items()}
    by_body = {body: name for name, body in profile.helpers.items() if body}
    reused: set[str] = set()
    duplicates: list[str] = []
    for change in patch.files:
        text = patch.after.get(change.path)
        if text is None or not change.path.endswith(".py"):
            continue
        reused |= calls_on_lines(text, added_line_numbers(change)) & set(helpers)
        for func in new_functions(patch.originals.get(change.path), text, change.path):
            twin = by_body.get(body_key(func))
            if twin is not None:
                duplicates.append(f"{func.name}() duplicates {twin}")
    value = max(0.0, 1.0 - 0.5 * len(duplicates))
    why = f"calls {len(reused)} internal helper(s)"
    if reused:
        why += f" ({', '.join(sorted(reused)[:3])})"
    why += "; " + ("; ".join(duplicates[:2]) if duplicates else "duplicates no existing helper")
    return Score("reuse", value, why)


def plausibility_score(patch: _Patch, profile: RepoProfile) -> Score:
    """Whether each touched file is localized for the issue, usually changes with a localized touched file, or is
    linked by its code to one (the localized change uses what it adds)."""
    paths = [change.path for change in patch.files]
    if not paths:
        return Score("plausibility", 0.0, "the candidate changes nothing")
    if not profile.file_scores and not profile.cochange:
        return Score("plausibility", 0.5, "no localization or co-change data for this repository")
    groups = linked_groups(patch.files, patch.after, patch.originals)
    unexpected = [path for path in paths if not _supported(path, paths, profile, groups)]
    value = 1.0 - len(unexpected) / len(paths)
    if not unexpected:
        return Score("plausibility", value, f"all {len(paths)} touched file(s) agree with localization or co-change")
    return Score("plausibility", value, f"not localized and no co-change with the rest: {', '.join(unexpected[:3])}")


def _supported(path: str, paths: list[str], profile: RepoProfile, groups: list[set[str]]) -> bool:
    if profile.file_scores.get(path, 0.0) >= SUPPORT_FILE:
        return True
    partners = [other for other in paths if other != path]
    group = next((g for g in groups if path in g), {path})
    return any(
        profile.file_scores.get(other, 0.0) >= SUPPORT_FILE
        and (profile.cochange.get(other, {}).get(path, 0.0) >= SUPPORT_COCHANGE or other in group)
        for other in partners
    )


def size_score(patch: _Patch, profile: RepoProfile) -> Score:
    """Changed lines against similar past changes; reformatting, files unrelated to the rest, and changes that
    alter no executable code all cost. A diff smaller than similar past changes earns nothing for it."""
    changed = sum(change.changed_lines() for change in patch.files)
    noise = sum(noise_hunks(change, patch.originals) for change in patch.files)
    unrelated = unrelated_files(patch.files, patch.after, patch.originals, profile.cochange)
    typical = statistics.median(profile.past_sizes) if profile.past_sizes else None
    ratio = changed / max(typical, 1) if typical else 1.0
    value = (1.0 / (1.0 + noise)) * (1.0 / (1.0 + len(unrelated))) * (1.0 if ratio <= 3.0 else 3.0 / ratio)
    parts = [f"{changed} changed line(s)" + (f" vs a median of {typical:g} in similar changes" if typical else "")]
    parts.append(f"{noise} hunk(s) or line(s) only reformat code")
    if unrelated:
        parts.append(f"unrelated to the rest of the change: {', '.join(unrelated[:2])}")
    before = patch.originals
    if not any(code_changed(before.get(c.old_path or ""), patch.after.get(c.path), c.path) for c in patch.files):
        value *= 0.5
        parts.append("no executable code changes (comments or docstrings only)")
    return Score("size", value, "; ".join(parts))


def organicity_scores(
    originals: Mapping[str, str | None], diff: str, profile: RepoProfile, new_lint: Sequence[str] = ()
) -> list[Score]:
    """The four scores of one candidate."""
    try:
        patch = _Patch(parse_diff(diff), apply_diff(originals, diff), originals)
    except PatchError as exc:
        return [Score(name, 0.0, f"the diff does not apply: {exc}") for name in WEIGHTS]
    return [
        style_score(patch, profile, new_lint),
        reuse_score(patch, profile),
        plausibility_score(patch, profile),
        size_score(patch, profile),
    ]


class OrganicityReviewer:
    """Scores how much a candidate looks like this project's own changes."""

    name = "organicity"

    def review(self, context: PoolContext) -> list[Verdict]:
        return [
            Verdict(
                self.name,
                c.id,
                organicity_scores(context.originals, c.diff, context.profile, context.new_lint.get(c.id, ())),
            )
            for c in context.candidates
        ]
