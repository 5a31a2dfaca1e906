"""Who gets a PR now: the campaign's decision per repository under its limits and budget (pure).

    decisions = decide(order, facts, records, targets, limits=..., budget=..., counters=...)

Repositories are taken in dependency order. A repository that does not use the packages, or already runs the
target, is skipped; a merged PR stays merged; a PR closed without merging is remembered and never reopened for
the same target; an open PR is updated; anything else opens a new PR while the open-PR and per-hour limits and
the PR budget allow, and is otherwise *planned* for the next due slot.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from packaging.version import InvalidVersion, Version

__all__ = ["Action", "Counters", "Decision", "Record", "Status", "decide", "target_key"]


class Status(enum.StrEnum):
    PLANNED = "planned"
    PR_OPEN = "pr_open"
    MERGED = "merged"
    FAILED = "failed"
    SKIPPED = "skipped"
    CLOSED = "closed"  # closed without merging: shown as skipped, remembered per target


class Action(enum.StrEnum):
    OPEN = "open"  # migrate and open a new PR
    UPDATE = "update"  # migrate again on the open PR's branch (new commits only)
    NONE = "none"


@dataclass(frozen=True)
class Record:
    """What the store knows of a repository's PR for this campaign unit."""

    status: Status
    target: str
    pr_number: int | None = None
    pr_url: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class Decision:
    repo: str
    action: Action
    status: Status
    reason: str = ""


@dataclass(frozen=True)
class Counters:
    open_prs: int = 0  # the campaign's PRs open now
    opened_last_hour: int = 0
    opened_total: int = 0


def target_key(targets: Mapping[str, str]) -> str:
    """`fixlib==2.0` (several packages joined by commas, sorted): what "the same target" means."""
    return ",".join(f"{name}=={version}" for name, version in sorted(targets.items()))


def decide(
    order: Sequence[str],
    versions: Mapping[str, Mapping[str, str | None]],
    records: Mapping[str, Record],
    targets: Mapping[str, str],
    *,
    open_limit: int,
    hourly_limit: int,
    budget_prs: int | None,
    counters: Counters,
) -> list[Decision]:
    """One decision per repository of `order`; `versions[repo][package]` is the version in use (None: unused)."""
    key = target_key(targets)
    decisions: list[Decision] = []
    for repo in order:
        settled = _settled(repo, versions.get(repo, {}), records.get(repo), targets, key)
        if settled is not None:
            decisions.append(settled)
            continue
        reason = _blocked(counters, open_limit, hourly_limit, budget_prs)
        if reason:
            decisions.append(Decision(repo, Action.NONE, Status.PLANNED, reason))
            continue
        decisions.append(Decision(repo, Action.OPEN, Status.PLANNED))
        counters = replace(
            counters,
            open_prs=counters.open_prs + 1,
            opened_last_hour=counters.opened_last_hour + 1,
            opened_total=counters.opened_total + 1,
        )
    return decisions


def _settled(
    repo: str, used: Mapping[str, str | None], record: Record | None, targets: Mapping[str, str], key: str
) -> Decision | None:
    """The decision that needs no new PR, or None when the repository needs one."""
    if record is not None and record.target == key:
        if record.status == Status.MERGED:
            return Decision(repo, Action.NONE, Status.MERGED, f"#{record.pr_number}")
        if record.status == Status.CLOSED:
            why = f"PR #{record.pr_number} was closed without merging; not reopened for {key}"
            return Decision(repo, Action.NONE, Status.CLOSED, why)
    if record is not None and record.status == Status.PR_OPEN:
        return Decision(repo, Action.UPDATE, Status.PR_OPEN)
    in_use = {name: v for name, v in used.items() if v is not None}
    if not in_use:
        return Decision(repo, Action.NONE, Status.SKIPPED, f"does not depend on {', '.join(sorted(targets))}")
    if all(_at_least(v, targets[name]) for name, v in in_use.items() if name in targets):
        current = ", ".join(f"{n} {v}" for n, v in sorted(in_use.items()))
        return Decision(repo, Action.NONE, Status.SKIPPED, f"already on {current}")
    return None


def _blocked(counters: Counters, open_limit: int, hourly_limit: int, budget_prs: int | None) -> str:
    if budget_prs is not None and counters.opened_total >= budget_prs:
        return f"waiting: the campaign's budget of {budget_prs} PRs is used"
    if counters.open_prs >= open_limit:
        return f"waiting: {open_limit} campaign PRs are open (limit)"
    if counters.opened_last_hour >= hourly_limit:
        return f"waiting: {hourly_limit} PRs per hour (limit)"
    return ""


def _at_least(current: str, target: str) -> bool:
    try:
        return Version(current) >= Version(target)
    except InvalidVersion:
        return False
