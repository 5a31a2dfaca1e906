"""Store operations of the fix pipeline: candidate trajectories, daily spend per installation, bot PRs by issue.

trajectories = SqlTrajectoryStore(store)             # bot.patching.trajectory.TrajectoryStore
await add_daily_spend(store, 42, tokens=900, usd=0.01)
tokens, usd = await daily_spend(store, 42)
prs = await bot_prs_for_issue(store, "octo/widgets", 7)
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from bot.patching.trajectory import Trajectory
from bot.store.db import Store
from bot.store.models import BotPR, DailySpend, TrajectoryRow, utcnow

__all__ = ["SqlTrajectoryStore", "add_daily_spend", "bot_prs_for_issue", "daily_spend", "today", "update_bot_pr"]


def today() -> str:
    """The UTC day daily budgets count in."""
    return datetime.now(UTC).strftime("%Y-%m-%d")


class SqlTrajectoryStore:
    """Trajectories in the `trajectories` table, one row per (job, candidate), replaced on each save."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def save(self, trajectory: Trajectory) -> None:
        async with self.store.session() as session:
            row = await session.get(TrajectoryRow, (trajectory.job_id, trajectory.candidate))
            if row is None:
                session.add(
                    TrajectoryRow(
                        job_id=trajectory.job_id,
                        candidate=trajectory.candidate,
                        status=trajectory.status.value,
                        data=trajectory.to_json(),
                    )
                )
            else:
                row.status, row.data, row.updated_at = trajectory.status.value, trajectory.to_json(), utcnow()

    async def load(self, job_id: str, candidate: int) -> Trajectory | None:
        async with self.store.session() as session:
            row = await session.get(TrajectoryRow, (job_id, candidate))
        if row is None:
            return None
        try:
            return Trajectory.from_json(row.data)
        except (KeyError, TypeError, ValueError):
            return None  # an unreadable record: the candidate runs again

    async def for_job(self, job_id: str) -> list[Trajectory]:
        async with self.store.session() as session:
            query = select(TrajectoryRow).where(TrajectoryRow.job_id == job_id).order_by(TrajectoryRow.candidate)
            rows = list((await session.execute(query)).scalars())
        return [Trajectory.from_json(r.data) for r in rows]


async def add_daily_spend(
    store: Store, installation_id: int, *, tokens: int, usd: float, day: str | None = None
) -> None:
    """Add to the installation's spend for `day` (today, UTC, by default), atomically."""
    key = {"installation_id": installation_id, "day": day or today(), "tokens": 0, "usd": 0.0}
    async with store.session() as session:
        await session.execute(store._insert_ignore(DailySpend), [key])
        await session.execute(
            update(DailySpend)
            .where(DailySpend.installation_id == installation_id, DailySpend.day == key["day"])
            .values(tokens=DailySpend.tokens + tokens, usd=DailySpend.usd + usd)
        )


async def daily_spend(store: Store, installation_id: int, day: str | None = None) -> tuple[int, float]:
    """Tokens and dollars the installation spent on `day` (today, UTC, by default)."""
    async with store.session() as session:
        row = await session.get(DailySpend, (installation_id, day or today()))
    return (0, 0.0) if row is None else (int(row.tokens), float(row.usd))


async def bot_prs_for_issue(store: Store, repo: str, issue: int) -> list[BotPR]:
    """The bot's PRs for an issue, oldest first."""
    async with store.session() as session:
        query = select(BotPR).where(BotPR.repo_full_name == repo, BotPR.issue_number == issue).order_by(BotPR.id)
        return list((await session.execute(query)).scalars())


async def update_bot_pr(store: Store, repo: str, number: int, *, state: str) -> None:
    """Set a bot PR's state (open again after a relabel)."""
    async with store.session() as session:
        await session.execute(
            update(BotPR)
            .where(BotPR.repo_full_name == repo, BotPR.number == number)
            .values(state=state, closed_at=None)
        )
