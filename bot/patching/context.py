"""What each candidate is shown: diversified plans (temperature, localization hypothesis, context slice)
and the prompts built from the job's shared work. Pure: file texts are passed in."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.prompts import fence, marker, render

if TYPE_CHECKING:
    from memory.recall import Recall  # numpy behind it: only the type is needed here

__all__ = [
    "OPTIONAL_SECTIONS",
    "CandidatePlan",
    "Issue",
    "feedback_prompt",
    "first_prompt",
    "plan_candidates",
    "render_context",
    "system_prompt",
]

OPTIONAL_SECTIONS = ("functions", "changes", "skills", "conventions", "api")
MAX_FILE_CHARS = 16_000
MAX_SECTION_CHARS = 6_000
PURPOSE = "generate"


@dataclass(frozen=True)
class Issue:
    """The task as the user wrote it: untrusted text."""

    title: str
    body: str
    number: int | None = None


@dataclass(frozen=True)
class CandidatePlan:
    """How one candidate differs from the others: sampling temperature, files in focus, sections shown."""

    index: int
    temperature: float
    focus: tuple[str, ...]
    sections: tuple[str, ...]


def plan_candidates(
    n: int, ranked_paths: Sequence[str], *, temperatures: Sequence[float] = (0.0, 0.6, 0.9), focus_size: int = 3
) -> list[CandidatePlan]:
    """N diversified plans: candidate i puts the i-th recalled file first (a different localization
    hypothesis), samples at its own temperature, and every candidate but the first drops one optional
    context section so that no two see the same slice."""
    plans = []
    for i in range(n):
        focus: list[str] = []
        if ranked_paths:
            primary = ranked_paths[i % len(ranked_paths)]
            focus = [primary, *[p for p in ranked_paths if p != primary]][:focus_size]
        dropped = OPTIONAL_SECTIONS[(i - 1) % len(OPTIONAL_SECTIONS)] if i else None
        sections = tuple(s for s in OPTIONAL_SECTIONS if s != dropped)
        plans.append(CandidatePlan(i, float(temperatures[i % len(temperatures)]), tuple(focus), sections))
    return plans


def _clip(text: str, limit: int = MAX_SECTION_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + f"\n... [{len(text) - limit} more characters cut]"


def _json(items: Any) -> str:
    return _clip(json.dumps(items, indent=1, ensure_ascii=False))


def _recall_sections(recall: Recall, plan: CandidatePlan) -> list[str]:
    parts = []
    wanted = set(plan.sections)
    if recall.files:
        files = [{"path": f.get("path"), "why": f.get("why")} for f in recall.files]
        parts.append("## Files memory ranks for this issue\n" + fence("recalled files", _json(files)))
    if "functions" in wanted and recall.functions:
        parts.append("## Functions memory ranks\n" + fence("recalled functions", _json(recall.functions)))
    if "changes" in wanted and recall.changes:
        parts.append("## Similar past changes in this repository\n" + fence("past changes", _json(recall.changes)))
    if "skills" in wanted and recall.skills:
        parts.append("## How this project does such changes\n" + fence("skills", _json(recall.skills)))
    if "conventions" in wanted and recall.conventions:
        parts.append("## Conventions of this repository\n" + fence("conventions", _json(recall.conventions)))
    if "api" in wanted and recall.api:
        parts.append("## Internal helpers to reuse\n" + fence("internal helpers", _json(recall.api)))
    return parts


def render_context(
    plan: CandidatePlan, recall: Recall | None, file_texts: Mapping[str, str], version_facts: str
) -> str:
    """The context block of the first prompt: recall slice, the focus files' text, and version facts."""
    parts = _recall_sections(recall, plan) if recall is not None else []
    for path in plan.focus:
        if path in file_texts:
            parts.append(
                f"## Current text of {path}\n" + fence(f"file {path}", _clip(file_texts[path], MAX_FILE_CHARS))
            )
    if version_facts:
        parts.append(
            "## Installed library versions and their signatures (use only these APIs)\n"
            + fence("installed versions", version_facts)
        )
    return "\n\n".join(parts)


def system_prompt(candidate: int, turn: int) -> str:
    return render("generate_system", **marker(PURPOSE, candidate, turn))


def first_prompt(issue: Issue, context: str, candidate: int) -> str:
    title = f"#{issue.number} {issue.title}" if issue.number is not None else issue.title
    return render(
        "generate_user",
        **marker(PURPOSE, candidate, 0),
        issue=fence("issue", f"{title}\n\n{issue.body}"),
        context=context,
        feedback="",
    )


def feedback_prompt(report: str, data: Sequence[tuple[str, str]], candidate: int, turn: int) -> str:
    """The next turn's message: our own `report`, then each untrusted output fenced as data."""
    blocks = "\n\n".join(fence(label, _clip(text)) for label, text in data if text)
    return render("generate_feedback", **marker(PURPOSE, candidate, turn), report=report, data=blocks)
