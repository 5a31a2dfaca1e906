"""The pipeline's store tables on SQLite and PostgreSQL: trajectories and daily spend."""

from __future__ import annotations

from bot.patching.trajectory import CandidateStatus, Trajectory
from bot.store import Store
from bot.store.pipeline import SqlTrajectoryStore, add_daily_spend, daily_spend
from tests.bot.conftest import database_url  # noqa: F401  (fixture re-exported)


async def test_trajectory_round_trips_and_is_replaced(database_url: str) -> None:  # noqa: F811
    """A saved trajectory loads back equal; saving again replaces it; an unknown one is None."""
    store = Store(database_url)
    await store.migrate()
    trajectories = SqlTrajectoryStore(store)
    trajectory = Trajectory("job-1", 0, 0.5, ["a.py"])
    await trajectories.save(trajectory)
    trajectory.status, trajectory.diff = CandidateStatus.PROVEN, "--- a/a.py\n"
    await trajectories.save(trajectory)
    loaded = await trajectories.load("job-1", 0)
    missing = await trajectories.load("job-1", 1)
    await store.aclose()
    assert loaded == trajectory and missing is None


async def test_daily_spend_adds_up_per_installation_and_day(database_url: str) -> None:  # noqa: F811
    """Spend adds up within a day and installation, and other days or installations stay apart."""
    store = Store(database_url)
    await store.migrate()
    await add_daily_spend(store, 1, tokens=100, usd=0.5, day="2025-01-01")
    await add_daily_spend(store, 1, tokens=50, usd=0.25, day="2025-01-01")
    await add_daily_spend(store, 2, tokens=7, usd=0.0, day="2025-01-01")
    totals = [await daily_spend(store, 1, "2025-01-01"), await daily_spend(store, 1, "2025-01-02")]
    await store.aclose()
    assert totals == [(150, 0.75), (0, 0.0)]
