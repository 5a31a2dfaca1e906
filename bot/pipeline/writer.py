"""The PR's words, in the repository's own style: the commit title from memory's conventions profile, and the
PR body rendered from the evidence in eight sections ending in `Fixes #N`. Pure: JSON in, text out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from reviewers.diffs import parse_diff

__all__ = ["SECTIONS", "commit_message", "commit_title", "file_changes", "render_body"]

SECTIONS = (
    "What was wrong and what changed",
    "Reproduction",
    "Tests that ran",
    "Candidates considered",
    "Conventions and past changes followed",
    "Dependency versions",
    "Confidence and cost",
    "Steering",
)
MAX_TITLE = 72
SKIP_PREFIXES = {"docs", "tests", "test", "ci", "build", "chore"}


def _area(prefixes: Sequence[str], paths: Sequence[str]) -> str:
    """The prefix for a change to `paths`: a known prefix naming the module or folder, else a code prefix."""
    for path in paths:
        parts = PurePosixPath(path)
        for name in (parts.stem, parts.parent.name):
            if name in prefixes:
                return name
    code = [p for p in prefixes if p not in SKIP_PREFIXES]
    return code[0] if code else (PurePosixPath(paths[0]).stem if paths else "fix")


def commit_title(conventions: Mapping[str, Any], issue_title: str, paths: Sequence[str]) -> str:
    """`area: fix <issue title>` when the repo prefixes its titles, else `Fix <issue title>`, cased its way."""
    style = conventions.get("title") or {}
    summary = f"fix {issue_title.strip().rstrip('.')}"
    if float(style.get("capitalized", 1.0)) >= 0.5:
        summary = summary[:1].upper() + summary[1:]
    title = summary
    if float(style.get("conventional_commits", 0.0)) >= 0.5:
        title = f"{_area(list(style.get('prefixes') or []), paths)}: {summary}"
    if float(style.get("trailing_period", 0.0)) >= 0.5:
        title += "."
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1].rstrip() + "…"


def commit_message(title: str, issue_number: int | None, note: str = "") -> str:
    refs = f"Fixes #{issue_number}." if issue_number is not None else ""
    return "\n\n".join(part for part in (title, note, refs) if part) + "\n"


def file_changes(diff: str) -> list[tuple[str, int, int]]:
    """(path, lines added, lines removed) per file of a diff."""
    return [
        (f.path, sum(len(h.added) for h in f.hunks), sum(len(h.removed) for h in f.hunks)) for f in parse_diff(diff)
    ]


def _what(winner: Mapping[str, Any], test_path: str | None) -> str:
    lines = [winner.get("explanation") or "_The model gave no explanation._", ""]
    lines += [f"- `{path}`: +{add} −{rem}" for path, add, rem in file_changes(winner["diff"])]
    if test_path:
        lines.append(f"- `{test_path}`: new reproduction test")
    return "\n".join(lines)


def _runs(winner: Mapping[str, Any]) -> str:
    parts = []
    for run in winner.get("runs") or []:
        label = {"original": "Before the fix", "patched": "After the fix"}.get(run["label"], run["label"])
        rows = [
            f"{node}: {outcome}" + (f" — {message.splitlines()[0]}" if message else "")
            for node, outcome, message in run["tests"]
        ]
        parts.append(f"{label} ({run['verdict']}):\n```\n" + "\n".join(rows or ["(no test results)"]) + "\n```")
    return "\n".join(parts)


def _reproduction(winner: Mapping[str, Any], test_path: str | None) -> str:
    if not test_path:
        return "_No reproduction test is kept in this PR._"
    code = (winner.get("test_code") or "").rstrip()
    return f"`{test_path}`\n\n```python\n{code}\n```\n\n" + _runs(winner)


def _conventions(recall: Mapping[str, Any], repo_url: str, title: str, test_path: str | None) -> str:
    conventions = recall.get("conventions") or {}
    style = conventions.get("title") or {}
    tests = conventions.get("tests") or {}
    lines = [
        f"- Commit title `{title}`: {round(100 * float(style.get('conventional_commits', 0)))}% of recent titles "
        f"use an `area:` prefix (most common: {', '.join(style.get('prefixes') or []) or 'none'})."
    ]
    if test_path:
        lines.append(
            f"- The reproduction test `{test_path}` is named `{tests.get('naming') or 'test_*'}` and lives where the "
            f"repository's {tests.get('files', 0)} test files do ({_folders(tests.get('dirs'))})."
        )
    for change in (recall.get("changes") or [])[:5]:
        lines.append(f"- Past change [{change['sha'][:10]}]({repo_url}/commit/{change['sha']}): {change['title']}")
    return "\n".join(lines)


def _folders(dirs: Any) -> str:
    """The profile's test folders as `a` or `b` (each is a folder of its own, not parts of one path)."""
    names = [d for d in dirs if isinstance(d, str)] if isinstance(dirs, list) else []
    return " or ".join(f"`{d}`" for d in names) or "`.`"


def _versions(environment: Mapping[str, Any]) -> str:
    versions = environment.get("versions") or {}
    shown = [f"- {name} {version}" for name, version in list(versions.items())[:25]]
    return (
        f"Python {environment.get('python', '?')}, environment `{str(environment.get('env_key', ''))[:12]}`\n"
        + "\n".join(shown)
    )


def _candidates(result: Mapping[str, Any]) -> str:
    notes = "".join(f"\n- {note}" for note in result.get("notes") or [])
    return f"{result['scores_table']}\n\n{result['why']}" + (f"\n\nLeft out or noted:{notes}" if notes else "")


def _cost(result: Mapping[str, Any], spend: tuple[int, float]) -> str:
    return (
        f"Confidence **{float(result['confidence']):.2f}** ({result['decision'].replace('_', ' ')}). "
        f"Spent {spend[0]:,} tokens, ${spend[1]:.4f} on {result.get('pool', 0)} candidate(s)."
    )


STEERING = (
    "Comment on a line of this PR or submit a review asking for changes: I'll push a new commit and answer in each "
    "thread. On the issue: `/organic-pr retry`, `/organic-pr cancel`, `/organic-pr status`."
)


def render_body(
    result: Mapping[str, Any],
    *,
    title: str,
    issue_number: int | None,
    repo_url: str,
    test_path: str | None,
    spend: tuple[int, float],
) -> str:
    """The PR body: the eight sections, then `Fixes #N`."""
    winner = next(c for c in result["candidates"] if f"candidate-{c['candidate']}" == result["winner"])
    texts = [
        _what(winner, test_path),
        _reproduction(winner, test_path),
        "Existing tests (regression guard):\n\n"
        + result["guard_table"]
        + "\n\nReproduction tests:\n\n"
        + result["repro_table"],
        _candidates(result),
        _conventions(result.get("recall") or {}, repo_url, title, test_path),
        _versions(result.get("environment") or {}),
        _cost(result, spend),
        STEERING,
    ]
    body = "\n\n".join(
        f"### {i}. {name}\n\n{text}" for i, (name, text) in enumerate(zip(SECTIONS, texts, strict=True), 1)
    )
    fixes = f"\n\nFixes #{issue_number}\n" if issue_number is not None else "\n"
    return body + fixes
