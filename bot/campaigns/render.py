"""Text the campaign writes: the PR title and body, and the dashboard issue (pure).

The PR body carries the bump, the code changes, the API changes that hit this repository with their call sites,
the test results, and the changelog excerpt. The dashboard lists every repository with its status.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "HUMAN_STATUSES",
    "MAX_DIFF",
    "STATUS_TEXT",
    "dashboard_body",
    "dashboard_marker",
    "dashboard_title",
    "needs_human",
    "pr_body",
    "pr_title",
]

MAX_DIFF = 20_000
MAX_SITES = 20
STATUS_TEXT = {
    "planned": "⏳ planned",
    "pr_open": "🔀 PR open",
    "merged": "✅ merged",
    "failed": "❌ failed",
    "skipped": "⏭️ skipped",
    "closed": "⏭️ skipped",
}


def pr_title(packages: Sequence[Mapping[str, Any]]) -> str:
    bumps = ", ".join(f"{p['name']} to {p['new']}" for p in packages)
    return f"Migrate {bumps}"


HUMAN_STATUSES = {
    "no_model": "no language model is configured, so the patch engine did not run",
    "unfixed": "the patch engine found no candidate that fixes them",
    "budget": "the model budget ran out before the patch engine found a fix",
    "partial": "the patch engine's fix leaves some call sites broken",
}
MAX_EXPLANATION = 1500


def needs_human(packages: Sequence[Mapping[str, Any]], patch: Mapping[str, Any]) -> bool:
    """Breaks without a codemod that the patch engine did not fix (or fixed with low confidence): a draft PR."""
    if not any(_left(p) for p in packages):
        return False
    return patch.get("status") != "fixed" or patch.get("decision") not in ("ready_pr", None)


def pr_body(
    campaign: str,
    packages: Sequence[Mapping[str, Any]],
    tests: Mapping[str, Any],
    diff: str,
    *,
    patch: Mapping[str, Any] | None = None,
) -> str:
    patch = patch or {}
    parts = [f"Organic PR migration campaign **{campaign}**.\n"]
    for package in packages:
        parts.append(_package_section(package, patch))
    if any(_left(p) for p in packages):
        parts.append(_patch_section(patch))
    parts.append(_tests_section(tests))
    if diff:
        shown = diff if len(diff) <= MAX_DIFF else diff[:MAX_DIFF] + "\n… (cut)"
        parts.append(
            "### Code changes\n\n<details><summary>Diff of the codemods and bump</summary>\n\n"
            f"```diff\n{shown}\n```\n</details>\n"
        )
    parts.append(f"<!-- organic-pr:campaign:{campaign} -->")
    return "\n".join(parts)


def _left(package: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [c for c in package.get("left") or [] if c.get("sites")]


def _left_status(change: Mapping[str, Any], patch: Mapping[str, Any]) -> str:
    status = patch.get("status")
    if status in ("fixed", "partial"):
        still = [r for r in patch.get("remaining") or [] if r.startswith(f"{change['api']} at ")]
        return "left for a human: still hit after the patch engine's fix" if still else "fixed by the patch engine"
    return f"left for a human: {HUMAN_STATUSES.get(str(status), 'the patch engine did not run')}"


def _left_section(package: Mapping[str, Any], patch: Mapping[str, Any]) -> list[str]:
    lines = ["\n#### Breaking changes without a codemod\n"]
    for change in _left(package):
        sites = ", ".join(f"`{s['file']}:{s['line']}`" for s in change["sites"][:MAX_SITES])
        lines.append(f"- **{change['kind']}** `{change['api']}` at {sites}: {_left_status(change, patch)}")
    return lines


def _package_section(package: Mapping[str, Any], patch: Mapping[str, Any]) -> str:
    lines = [f"## {package['name']} {package['old']} → {package['new']}\n", "### Bump\n"]
    lines += [
        f"- `{e['file']}` line {e['line']}: `{e['before'].strip()}` → `{e['after'].strip()}`" for e in package["edits"]
    ]
    lines += [f"- `{lock['file']}`: regenerate with `{' '.join(lock['command'])}`" for lock in package["locks"]]
    if not package["edits"] and not package["locks"]:
        lines.append("- no declaration needed a change")
    lines.append("\n### Code changes\n")
    codemods = package["codemod_files"]
    lines += [f"- `{path}` (codemods)" for path in codemods] or ["- none: no call site needed a mechanical rewrite"]
    if patch.get("status") in ("fixed", "partial") and _left(package):
        lines += [f"- `{path}` (patch engine)" for path in sorted(patch.get("files") or {})]
    lines.append("\n### API changes that hit this repository\n")
    hits = [c for c in package["changes"] if c["sites"]]
    if not hits:
        lines.append("None of the changed APIs is used here.")
    for change in hits:
        lines.append(_change_line(change))
    if _left(package):
        lines += _left_section(package, patch)
    elif package.get("non_mechanical", 0) and "left" not in package:  # a plan recorded before the patch engine
        lines.append(f"\n{package['non_mechanical']} breaking change(s) have no codemod; check the call sites by hand.")
    excerpt = package.get("changelog") or ""
    if excerpt:
        lines.append(
            f"\n### Changelog\n\n<details><summary>{package['name']} changelog</summary>\n\n{excerpt}\n</details>"
        )
    return "\n".join(lines) + "\n"


def _change_line(change: Mapping[str, Any]) -> str:
    signature = ""
    if change.get("old_signature") or change.get("new_signature"):
        signature = f" (`{change.get('old_signature') or '-'}` → `{change.get('new_signature') or '-'}`)"
    replacement = f", use `{change['replacement']}`" if change.get("replacement") else ""
    sites = change["sites"][:MAX_SITES]
    more = f" and {len(change['sites']) - MAX_SITES} more" if len(change["sites"]) > MAX_SITES else ""
    where = ", ".join(f"`{s}`" for s in sites)
    return f"- **{change['kind']}** `{change['api']}`{signature}{replacement} [{change['severity']}]: {where}{more}"


def _patch_section(patch: Mapping[str, Any]) -> str:
    """What the patch engine did with the breaks no codemod handles."""
    status = str(patch.get("status"))
    lines = ["### Patch engine\n"]
    if status in ("fixed", "partial"):
        lines.append(
            f"{patch.get('winner')} of {patch.get('candidates')} candidates was chosen "
            f"(confidence {float(patch.get('confidence') or 0):.2f}, panel decision: {patch.get('decision')}); "
            "it is its own commit on this branch."
        )
        if patch.get("test_path"):
            lines.append(f"Its reproduction test is kept as `{patch['test_path']}`.")
        explanation = str(patch.get("explanation") or "")[:MAX_EXPLANATION]
        if explanation:
            lines.append("\n" + "\n".join(f"> {row}" for row in explanation.splitlines()))
        if status == "partial":
            lines.append("\nStill broken: " + ", ".join(f"`{r}`" for r in patch.get("remaining") or []))
    else:
        lines.append(f"The call sites above are left for a human: {HUMAN_STATUSES.get(status, status)}.")
    if patch.get("spent_tokens"):
        lines.append(f"\nModel spend: {patch['spent_tokens']} tokens, ${float(patch.get('spent_usd') or 0):.4f}.")
    lines += [f"- {note}" for note in patch.get("notes") or []]
    return "\n".join(lines) + "\n"


def _tests_section(tests: Mapping[str, Any]) -> str:
    if tests.get("error"):
        return f"### Tests\n\nThe tests could not run: {tests['error']}\n"
    counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(tests.get("counts", {}).items())) or "no tests found"
    verdict = "✅ passed" if tests.get("ok") else f"❌ failed ({tests.get('verdict')})"
    text = f"### Tests\n\n{verdict} in the sandbox with {tests.get('installed') or 'the new version'}: {counts}.\n"
    tail = tests.get("output_tail") or ""
    if tail and not tests.get("ok"):
        text += f"\n```\n{tail}\n```\n"
    return text


def dashboard_marker(campaign: str) -> str:
    return f"<!-- organic-pr:campaign-dashboard:{campaign} -->"


def dashboard_title(campaign: str) -> str:
    return f"Organic PR migration campaign: {campaign}"


def dashboard_body(
    campaign: str,
    targets: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    slot: str,
    cycles: Sequence[Sequence[str]] = (),
    problem: str | None = None,
) -> str:
    """`rows` in rollout order: repo, status, reason, pr_number, pr_url."""
    lines = [dashboard_marker(campaign), f"## Migration campaign `{campaign}`\n", f"Target: {targets or '-'}  "]
    lines.append(f"Last run: {slot}\n")
    if problem:
        lines.append(f"> [!WARNING]\n> The campaign's configuration is invalid, so it does not run: {problem}\n")
    if cycles:
        shown = "; ".join(" ↔ ".join(c) for c in cycles)
        lines.append(f"Dependency cycles (rolled out in name order): {shown}\n")
    lines += ["| # | Repository | Status | Details |", "|---|---|---|---|"]
    for index, row in enumerate(rows, 1):
        status = STATUS_TEXT.get(row["status"], row["status"])
        link = f"[#{row['pr_number']}]({row['pr_url']})" if row.get("pr_url") else ""
        detail = " ".join(p for p in (link, _cell(row.get("reason") or "")) if p)
        lines.append(f"| {index} | {row['repo']} | {status} | {detail} |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:300]
