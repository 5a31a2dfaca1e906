"""Campaign tables on both backends: SQLite and the real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.store import Store
from bot.store.campaigns import (
    TargetRow,
    add_sandbox_seconds,
    campaign_row,
    claim_run,
    finish_run,
    runs_of,
    save_target,
    set_dashboard,
    target_counts,
    targets_of,
)
from bot.store.models import utcnow


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    url = (
        f"sqlite+aiosqlite:///{tmp_path}/store.db"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    store = Store(url)
    await store.migrate()
    async with store.session() as session:  # a clean slate on the shared PostgreSQL
        for table in ("campaign_runs", "campaign_targets", "campaigns"):
            await session.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - fixed table names
    yield store
    await store.aclose()


def target(repo: str, status: str, *, opened_hours_ago: float | None = None, pr: int | None = None) -> TargetRow:
    opened = utcnow() - timedelta(hours=opened_hours_ago) if opened_hours_ago is not None else None
    return TargetRow(installation_id=1, campaign="c", unit="c", repo=repo, status=status, target="x==2",
                     reason="", pr_number=pr, pr_url=None, opened_at=opened)  # fmt: skip


async def test_a_slot_is_claimed_once(store: Store) -> None:
    """The second claim of the same (installation, campaign, slot) fails; another slot succeeds."""
    assert await claim_run(store, 1, "c", "2025-01-06T09:00Z", job_id="j1")
    assert not await claim_run(store, 1, "c", "2025-01-06T09:00Z", job_id="j1")
    assert await claim_run(store, 1, "c", "2025-01-13T09:00Z", job_id="j2")
    await finish_run(store, "j1", state="done", summary={"statuses": {"pr_open": 2}})
    runs = await runs_of(store, 1, "c")
    assert [(r.slot, r.state) for r in runs] == [("2025-01-06T09:00Z", "done"), ("2025-01-13T09:00Z", "queued")]
    assert runs[0].summary == {"statuses": {"pr_open": 2}}


async def test_target_rows_are_replaced_in_place(store: Store) -> None:
    """Saving a repository's row again updates it; rows are per unit."""
    await save_target(store, target("o/a", "planned"))
    await save_target(store, target("o/a", "pr_open", pr=5, opened_hours_ago=0))
    rows = await targets_of(store, 1, "c", "c")
    assert [(r.repo, r.status, r.pr_number) for r in rows.values()] == [("o/a", "pr_open", 5)]
    assert await targets_of(store, 1, "c", "other-unit") == {}


async def test_counts_of_open_recent_and_total_prs(store: Store) -> None:
    """Open now, opened in the last hour, opened ever: what the limits and budget read."""
    await save_target(store, target("o/a", "pr_open", opened_hours_ago=0.5))
    await save_target(store, target("o/b", "merged", opened_hours_ago=3))
    await save_target(store, target("o/c", "pr_open", opened_hours_ago=2))
    await save_target(store, target("o/d", "planned"))
    assert await target_counts(store, 1, "c", now=utcnow()) == (2, 1, 3)


async def test_dashboard_issue_and_sandbox_time_are_kept_per_campaign(store: Store) -> None:
    """The dashboard's issue number and the sandbox seconds spent are remembered per campaign."""
    assert (await campaign_row(store, 1, "c")).dashboard_issue is None
    await set_dashboard(store, 1, "c", 12)
    await add_sandbox_seconds(store, 1, "c", 30.0)
    await add_sandbox_seconds(store, 1, "c", 12.5)
    row = await campaign_row(store, 1, "c")
    assert (row.dashboard_issue, row.sandbox_s) == (12, 42.5)
