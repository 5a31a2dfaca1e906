"""A campaign over the fixture org end to end: stand-in GitHub, real git, Redis, arq worker, sandbox and store."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.campaigns.render import dashboard_marker
from bot.settings import Settings
from bot.store import Store
from bot.store.campaigns import RunRow, runs_of
from tests.campaigns.conftest import INSTALLATION, tick
from tests.campaigns.org import LIBRARY
from tests.conftest import git
from tests.standin.fixtures import Standin
from tests.standin.state import Issue, Pull

MONDAY = "2025-01-06T09:30:00+00:00"
NEXT_MONDAY = "2025-01-13T09:05:00+00:00"
MONDAY_AFTER = "2025-01-20T10:00:00+00:00"
BRANCH = "organic-pr/migrate-fixlib-2"


def pulls(standin: Standin) -> dict[str, Pull]:
    """The campaign's PR per repository (each repo has at most one)."""
    found: dict[str, Pull] = {}
    for name, repo in standin.state.repos.items():
        for pull in repo.pulls.values():
            assert name not in found, f"{name} has two PRs"
            assert pull.head == BRANCH
            found[name] = pull
    return found


def dashboards(standin: Standin) -> list[Issue]:
    issues = standin.state.repo("acme/.github").issues.values()
    return [i for i in issues if dashboard_marker("fixlib-2") in (i.body or "")]


def rows(issue: Issue) -> list[str]:
    return [line for line in (issue.body or "").splitlines() if line.startswith("| ") and "acme/" in line]


def test_first_run_opens_prs_in_dependency_order_within_the_open_pr_limit(
    org_settings: Settings, standin: Standin
) -> None:
    """The library's PR opens first, the open-PR limit (2) leaves the last app planned, and the dashboard says so."""
    tick(org_settings, MONDAY)
    prs = pulls(standin)
    assert set(prs) == {LIBRARY, "acme/api"}
    assert prs[LIBRARY].id < prs["acme/api"].id
    [dashboard] = dashboards(standin)
    listed = rows(dashboard)
    assert [line.split("|")[2].strip() for line in listed] == ["acme/docs", LIBRARY, "acme/api", "acme/billing"]
    assert "skipped" in listed[0] and "does not depend on fixlib" in listed[0]
    assert "PR open" in listed[1] and f"#{prs[LIBRARY].number}" in listed[1]
    assert "planned" in listed[3] and "2 campaign PRs are open" in listed[3]
    assert "legacy-tool" not in (dashboard.body or "")


def test_pr_carries_bump_call_sites_tests_and_changelog(org_settings: Settings, standin: Standin) -> None:
    """The library's PR body has the bump, the hit API with file:line, a passing sandbox run and the changelog."""
    tick(org_settings, MONDAY)
    body = pulls(standin)[LIBRARY].body or ""
    assert "fixlib 1.0 → 2.0.0" in body
    assert "`pyproject.toml` line 4" in body and "fixlib==2.0.0" in body
    assert "parameter-renamed" in body and "`acme_platform/__init__.py:5`" in body
    assert "✅ passed" in body and "1 passed" in body
    assert "spelled the American way" in body and "Faster fetches" in body and "First release" not in body
    branch = standin.state.branch_sha(LIBRARY, BRANCH)
    assert branch is not None


def test_later_slots_respect_merges_closures_and_open_nothing_new(org_settings: Settings, standin: Standin) -> None:
    """A slot runs once; after a merge and a close, the next slot opens the planned PR only; a third opens nothing."""
    tick(org_settings, MONDAY, times=2)
    first = pulls(standin)
    first[LIBRARY].state, first[LIBRARY].merged = "closed", True
    first["acme/api"].state = "closed"
    tick(org_settings, NEXT_MONDAY)
    second = pulls(standin)
    assert sorted(second) == ["acme/api", "acme/billing", LIBRARY]
    assert second["acme/api"].state == "closed" and second["acme/billing"].state == "open"
    heads = {name: standin.state.branch_sha(name, BRANCH) for name in second}
    tick(org_settings, MONDAY_AFTER)
    assert pulls(standin).keys() == second.keys()
    assert {name: standin.state.branch_sha(name, BRANCH) for name in second} == heads
    assert second["acme/api"].state == "closed"
    [dashboard] = dashboards(standin)
    listed = rows(dashboard)
    assert "merged" in listed[1]
    assert "skipped" in listed[2] and "closed without merging" in listed[2]
    assert "PR open" in listed[3]
    assert [r.slot for r in asyncio.run(_runs(org_settings))] == [
        "2025-01-06T09:00Z", "2025-01-13T09:00Z", "2025-01-20T09:00Z",
    ]  # fmt: skip


async def _runs(settings: Settings) -> list[RunRow]:
    store = Store(settings.database_url)
    try:
        return list(await runs_of(store, INSTALLATION, "fixlib-2"))
    finally:
        await store.aclose()


def test_a_pr_someone_else_pushed_to_is_left_as_it_is(org_settings: Settings, standin: Standin, tmp_path: Path) -> None:
    """A human commit on a campaign branch stops the bot from updating that PR; the dashboard says who pushed."""
    tick(org_settings, MONDAY)
    repo = standin.state.repos["acme/api"]
    work = tmp_path / "api"
    git(tmp_path, "clone", "-q", "--branch", BRANCH, str(repo.git_dir), str(work))
    (work / "NOTES.md").write_text("hand-made follow-up\n")
    git(work, "add", "NOTES.md")
    git(work, "commit", "-q", "--author", "Ann <ann@example.com>", "-m", "follow-up")
    git(work, "push", "-q", "origin", BRANCH)
    human = standin.state.branch_sha("acme/api", BRANCH)
    tick(org_settings, NEXT_MONDAY)
    assert standin.state.branch_sha("acme/api", BRANCH) == human
    [dashboard] = dashboards(standin)
    [row] = [line for line in rows(dashboard) if "acme/api" in line]
    assert "PR open" in row and "left as it is: ann@example.com pushed" in row
