"""The decision per repository under the limits and the budget (pure)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from bot.campaigns.rollout import Action, Counters, Record, Status, decide, target_key

TARGETS = {"fixlib": "2.0"}
KEY = target_key(TARGETS)
USES = {"fixlib": "1.0"}


def run(
    repos: list[str],
    *,
    versions: Mapping[str, Mapping[str, str | None]] | None = None,
    records: Mapping[str, Record] | None = None,
    open_limit: int = 10,
    hourly: int = 10,
    budget: int | None = None,
    counters: Counters | None = None,
) -> list[tuple[str, Action, Status]]:
    found = decide(
        repos, versions or {r: USES for r in repos}, records or {}, TARGETS,
        open_limit=open_limit, hourly_limit=hourly, budget_prs=budget, counters=counters or Counters(),
    )  # fmt: skip
    return [(d.repo, d.action, d.status) for d in found]


@pytest.mark.parametrize(
    ("kwargs", "opened"),
    [
        ({"open_limit": 2}, 2),
        ({"open_limit": 3, "counters": Counters(open_prs=2)}, 1),
        ({"hourly": 1}, 1),
        ({"hourly": 3, "counters": Counters(opened_last_hour=3)}, 0),
        ({"budget": 2, "counters": Counters(opened_total=1)}, 1),
        ({}, 4),
    ],
)
def test_limits_and_budget_cap_the_new_prs_and_plan_the_rest(kwargs: dict[str, object], opened: int) -> None:
    """New PRs open in order until a limit or the budget is reached; the rest are planned."""
    found = run(["a", "b", "c", "d"], **kwargs)  # type: ignore[arg-type]
    assert [a for _, a, _ in found] == [Action.OPEN] * opened + [Action.NONE] * (4 - opened)
    assert all(s == Status.PLANNED for _, _, s in found)


def test_planned_reason_names_the_limit() -> None:
    """A planned repository says which limit holds it back."""
    [decision] = decide(["a"], {"a": USES}, {}, TARGETS, open_limit=1, hourly_limit=5, budget_prs=None,
                        counters=Counters(open_prs=1))  # fmt: skip
    assert decision.reason == "waiting: 1 campaign PRs are open (limit)"


@pytest.mark.parametrize(
    ("used", "record", "expected"),
    [
        ({"fixlib": None}, None, (Action.NONE, Status.SKIPPED)),
        ({"fixlib": "2.1"}, None, (Action.NONE, Status.SKIPPED)),
        (USES, Record(Status.CLOSED, KEY, 7), (Action.NONE, Status.CLOSED)),
        (USES, Record(Status.MERGED, KEY, 7), (Action.NONE, Status.MERGED)),
        (USES, Record(Status.PR_OPEN, KEY, 7), (Action.UPDATE, Status.PR_OPEN)),
        (USES, Record(Status.CLOSED, "fixlib==1.5", 7), (Action.OPEN, Status.PLANNED)),  # a new target: a new PR
        (USES, Record(Status.FAILED, KEY), (Action.OPEN, Status.PLANNED)),  # failures are retried
    ],
)
def test_settled_repositories(
    used: dict[str, str | None], record: Record | None, expected: tuple[Action, Status]
) -> None:
    """Unused or up-to-date repos are skipped; closed stays closed for its target; open PRs are updated."""
    records = {"a": record} if record else {}
    assert run(["a"], versions={"a": used}, records=records)[0][1:] == expected


def test_updates_do_not_count_against_the_open_limit() -> None:
    """An open PR is updated even at the limit; a fresh repo waits."""
    records = {"a": Record(Status.PR_OPEN, KEY, 1)}
    found = run(["a", "b"], records=records, open_limit=1, counters=Counters(open_prs=1))
    assert found == [("a", Action.UPDATE, Status.PR_OPEN), ("b", Action.NONE, Status.PLANNED)]


def test_target_key_is_sorted() -> None:
    """The same target whatever the package order."""
    assert target_key({"b": "2", "a": "1"}) == "a==1,b==2"
