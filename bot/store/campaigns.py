"""Store tables and operations of migration campaigns: one row per run (per due slot), per repository target,
and per campaign (dashboard issue, sandbox time spent).

    claimed = await claim_run(store, 42, "fixlib-2", "2025-01-06T09:00Z", job_id="campaign:42:fixlib-2:...")
    await save_target(store, TargetRow(installation_id=42, campaign="fixlib-2", unit="fixlib-2", repo="acme/web", ...))
    rows = await targets_of(store, 42, "fixlib-2", "fixlib-2")
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, DateTime, Float, Integer, String, Text, UniqueConstraint, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.db import Store
from bot.store.models import Base, Installation, utcnow

__all__ = [
    "CampaignRow",
    "active_installations",
    "run_row",
    "runs_of",
    "set_run_state",
    "RunRow",
    "TargetRow",
    "add_sandbox_seconds",
    "campaign_row",
    "claim_run",
    "finish_run",
    "save_target",
    "set_dashboard",
    "target_counts",
    "targets_of",
]


class RunRow(Base):
    """One campaign run: at most one per (installation, campaign, due slot)."""

    __tablename__ = "campaign_runs"
    __table_args__ = (UniqueConstraint("installation_id", "campaign", "slot"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    installation_id: Mapped[int] = mapped_column(BigInteger)
    campaign: Mapped[str] = mapped_column(String(64))
    slot: Mapped[str] = mapped_column(String(32))
    job_id: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class TargetRow(Base):
    """A repository's state in a campaign unit (one PR per unit and repository)."""

    __tablename__ = "campaign_targets"
    installation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    campaign: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit: Mapped[str] = mapped_column(String(128), primary_key=True)
    repo: Mapped[str] = mapped_column(String(255), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(512), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    pr_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pr_url: Mapped[str | None] = mapped_column(String(512), nullable=True)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class CampaignRow(Base):
    """Per campaign: its dashboard issue in the org's `.github` repository and the sandbox time it has spent."""

    __tablename__ = "campaigns"
    installation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    campaign: Mapped[str] = mapped_column(String(64), primary_key=True)
    dashboard_issue: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sandbox_s: Mapped[float] = mapped_column(Float, default=0.0)


async def active_installations(store: Store) -> list[Installation]:
    """Installations that are neither removed nor suspended."""
    async with store.session() as session:
        query = select(Installation).where(Installation.removed.is_(False), Installation.suspended.is_(False))
        return list((await session.execute(query.order_by(Installation.id))).scalars())


async def run_row(store: Store, installation_id: int, campaign: str, slot: str) -> RunRow | None:
    async with store.session() as session:
        query = select(RunRow).where(
            RunRow.installation_id == installation_id, RunRow.campaign == campaign, RunRow.slot == slot
        )
        return (await session.execute(query)).scalar_one_or_none()


async def set_run_state(store: Store, job_id: str, state: str) -> None:
    async with store.session() as session:
        row = (await session.execute(select(RunRow).where(RunRow.job_id == job_id))).scalar_one_or_none()
        if row is not None:
            row.state = state


async def claim_run(store: Store, installation_id: int, campaign: str, slot: str, *, job_id: str) -> bool:
    """Record the run of a due slot; False when that slot already has a run (it is never run twice)."""
    row = RunRow(
        installation_id=installation_id, campaign=campaign, slot=slot, job_id=job_id, state="queued", summary={}
    )
    try:
        async with store.session() as session:
            session.add(row)
    except IntegrityError:
        return False
    return True


async def finish_run(store: Store, job_id: str, *, state: str, summary: dict[str, Any]) -> None:
    async with store.session() as session:
        row = (await session.execute(select(RunRow).where(RunRow.job_id == job_id))).scalar_one_or_none()
        if row is not None:
            row.state, row.summary, row.finished_at = state, summary, utcnow()


async def runs_of(store: Store, installation_id: int, campaign: str) -> list[RunRow]:
    async with store.session() as session:
        query = select(RunRow).where(RunRow.installation_id == installation_id, RunRow.campaign == campaign)
        return list((await session.execute(query.order_by(RunRow.id))).scalars())


async def targets_of(store: Store, installation_id: int, campaign: str, unit: str) -> dict[str, TargetRow]:
    async with store.session() as session:
        query = select(TargetRow).where(
            TargetRow.installation_id == installation_id, TargetRow.campaign == campaign, TargetRow.unit == unit
        )
        return {row.repo: row for row in (await session.execute(query)).scalars()}


async def save_target(store: Store, row: TargetRow) -> None:
    """Insert or replace the row of (installation, campaign, unit, repo)."""
    key = (row.installation_id, row.campaign, row.unit, row.repo)
    async with store.session() as session:
        existing = await session.get(TargetRow, key)
        if existing is None:
            session.add(row)
            return
        for name in ("status", "target", "reason", "pr_number", "pr_url", "opened_at"):
            setattr(existing, name, getattr(row, name))
        existing.updated_at = utcnow()


async def target_counts(store: Store, installation_id: int, campaign: str, *, now: datetime) -> tuple[int, int, int]:
    """(PRs open now, PRs opened in the hour before `now`, PRs opened in total) over all units of the campaign."""
    mine = (TargetRow.installation_id == installation_id, TargetRow.campaign == campaign)
    async with store.session() as session:

        async def count(*where: Any) -> int:
            return int((await session.execute(select(func.count()).select_from(TargetRow).where(*where))).scalar_one())

        open_now = await count(*mine, TargetRow.status == "pr_open")
        last_hour = await count(*mine, TargetRow.opened_at > now - timedelta(hours=1))
        total = await count(*mine, TargetRow.opened_at.is_not(None))
    return open_now, last_hour, total


async def campaign_row(store: Store, installation_id: int, campaign: str) -> CampaignRow:
    async with store.session() as session:
        row = await session.get(CampaignRow, (installation_id, campaign))
        if row is None:
            row = CampaignRow(installation_id=installation_id, campaign=campaign, dashboard_issue=None, sandbox_s=0.0)
            session.add(row)
    return row


async def set_dashboard(store: Store, installation_id: int, campaign: str, issue_number: int) -> None:
    await _update_campaign(store, installation_id, campaign, dashboard_issue=issue_number)


async def add_sandbox_seconds(store: Store, installation_id: int, campaign: str, seconds: float) -> None:
    """Add test time to the campaign's spend, atomically."""
    await _update_campaign(store, installation_id, campaign, sandbox_s=CampaignRow.sandbox_s + seconds)


async def _update_campaign(store: Store, installation_id: int, campaign: str, **values: Any) -> None:
    """Create the campaign's row if needed, then set `values` on it in one UPDATE."""
    await campaign_row(store, installation_id, campaign)
    async with store.session() as session:
        await session.execute(
            update(CampaignRow)
            .where(CampaignRow.installation_id == installation_id, CampaignRow.campaign == campaign)
            .values(**values)
        )
