"""Text the campaign writes: the PR title and body, and the dashboard issue (pure).

The PR body carries the bump, the code changes, the API changes that hit this repository with their call sites,
the test results, and the changelog excerpt. The dashboard lists every repository with its status.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["MAX_DIFF", "STATUS_TEXT", "dashboard_body", "dashboard_marker", "dashboard_title", "pr_body", "pr_title"]

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


def pr_body(campaign: str, packages: Sequence[Mapping[str, Any]], tests: Mapping[str, Any], diff: str) -> str:
    parts = [f"Organic PR migration campaign **{campaign}**.\n"]
    for package in packages:
        parts.append(_package_section(package))
    parts.append(_tests_section(tests))
    if diff:
        shown = diff if len(diff) <= MAX_DIFF else diff[:MAX_DIFF] + "\n… (cut)"
        parts.append(f"### Code changes\n\n<details><summary>Diff</summary>\n\n```diff\n{shown}\n```\n</details>\n")
    parts.append(f"<!-- organic-pr:campaign:{campaign} -->")
    return "\n".join(parts)


def _package_section(package: Mapping[str, Any]) -> str:
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
    lines.append("\n### API changes that hit this repository\n")
    hits = [c for c in package["changes"] if c["sites"]]
    if not hits:
        lines.append("None of the changed APIs is used here.")
    for change in hits:
        lines.append(_change_line(change))
    left = package.get("non_mechanical", 0)
    if left:
        lines.append(f"\n{left} breaking change(s) have no codemod; check the call sites above by hand.")
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
