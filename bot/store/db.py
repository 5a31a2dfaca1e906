"""The async SQL store: engine, Alembic upgrade, and the operations the bot performs on its tables."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.errors import ServiceUnavailable
from bot.store.models import Base, BotPR, Delivery, DeliveryOutcome, Installation, Job, JobState, Repository, utcnow
from bot.text import encodable

__all__ = ["Store"]

ALEMBIC_DIR = Path(__file__).parent / "alembic"


class Store:
    """The bot's SQL state. SQLite (aiosqlite) by default, PostgreSQL (asyncpg) in production.

    Usage:
        store = Store("sqlite+aiosqlite:///var/organic-pr.db")
        await store.migrate()
        await store.record_delivery("guid", "issues", "labeled", installation_id=1, repo="o/r")
        await store.aclose()
    """

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite"):
            _ensure_sqlite_dir(url)
        # SQLite is a local file: a pre-ping per checkout would only add a round trip to every request.
        self.engine: AsyncEngine = create_async_engine(url, pool_pre_ping=not url.startswith("sqlite"))
        if url.startswith("sqlite"):
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(self.engine.sync_engine, "before_cursor_execute", _encodable_parameters, retval=True)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def aclose(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A transaction; connection failures become ServiceUnavailable."""
        try:
            async with self.sessions.begin() as session:
                yield session
        except IntegrityError:
            raise  # a constraint the caller handles, not an outage
        except (SQLAlchemyError, OSError, ConnectionError) as exc:
            raise ServiceUnavailable(f"store unavailable: {type(exc).__name__}") from exc

    async def ping(self) -> None:
        async with self.session() as session:
            await session.execute(text("SELECT 1"))

    async def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(ALEMBIC_DIR))

        def upgrade(connection: Any) -> None:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

        try:
            async with _migration_lock(), self.engine.begin() as conn:
                await conn.run_sync(upgrade)
        except (OperationalError, OSError, ConnectionError) as exc:
            raise ServiceUnavailable(f"store unreachable: {type(exc).__name__}") from exc

    # Deliveries -----------------------------------------------------------------------------------------------

    async def record_delivery(
        self,
        delivery_id: str,
        event: str,
        action: str | None,
        *,
        installation_id: int | None,
        repo: str | None,
        jobs: Sequence[Job] = (),
        outcome: DeliveryOutcome = DeliveryOutcome.RECEIVED,
        reason: str | None = None,
    ) -> None:
        """Insert the delivery row and its job rows in one transaction; rows that already exist are kept as they are."""
        delivery: dict[str, Any] = {
            "id": delivery_id,
            "event": event,
            "action": action,
            "installation_id": installation_id,
            "repo_full_name": repo,
            "outcome": outcome,
            "reason": reason,
            "job_ids": [job.id for job in jobs],
            "received_at": utcnow(),
        }
        async with self.session() as session:
            await session.execute(self._insert_ignore(Delivery), [delivery])
            if jobs:
                await session.execute(self._insert_ignore(Job), [_job_values(job) for job in jobs])

    def _insert_ignore(self, model: type[Base]) -> Any:
        """INSERT ... ON CONFLICT DO NOTHING, executed with parameter lists so its compiled form is cached."""
        insert = sqlite_insert if self.engine.dialect.name == "sqlite" else postgresql_insert
        return insert(model).on_conflict_do_nothing()

    async def get_delivery(self, delivery_id: str) -> Delivery | None:
        async with self.session() as session:
            return await session.get(Delivery, delivery_id)

    async def finish_delivery(
        self, delivery_id: str, outcome: DeliveryOutcome, *, job_ids: list[str] | None = None, reason: str | None = None
    ) -> None:
        async with self.session() as session:
            values: dict[str, Any] = {"outcome": outcome, "reason": reason}
            if job_ids is not None:
                values["job_ids"] = job_ids
            await session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))

    async def count_deliveries(self) -> int:
        async with self.session() as session:
            return int((await session.execute(select(func.count()).select_from(Delivery))).scalar_one())

    # Jobs -----------------------------------------------------------------------------------------------------

    async def create_job(self, job: Job) -> Job:
        """Insert a job row, or return the existing one with the same id (enqueueing is idempotent)."""
        try:
            async with self.session() as session:
                session.add(job)
            return job
        except IntegrityError:
            existing = await self.get_job(job.id)
            if existing is None:  # the conflicting row was deleted in between: let the caller retry
                raise
            return existing

    async def get_job(self, job_id: str) -> Job | None:
        async with self.session() as session:
            return await session.get(Job, job_id)

    async def start_job(self, job_id: str, attempt: int) -> Job:
        """Mark the job running for this attempt and return it with its checkpoints."""
        async with self.session() as session:
            job = await session.get(Job, job_id, with_for_update=True)
            if job is None:
                raise LookupError(f"no job {job_id!r} in the store")
            job.state = JobState.RUNNING
            job.attempts = attempt
            job.started_at = job.started_at or utcnow()
            return job

    async def checkpoint(self, job_id: str, stage: str, value: Any) -> None:
        """Record that `stage` finished with `value`; a resumed attempt reads it instead of redoing the work."""
        async with self.session() as session:
            job = await session.get(Job, job_id, with_for_update=True)
            if job is None:
                raise LookupError(f"no job {job_id!r} in the store")
            job.checkpoints = {**job.checkpoints, stage: value}

    async def finish_job(self, job_id: str, state: JobState, *, error: str | None = None) -> None:
        async with self.session() as session:
            values: dict[str, Any] = {"state": state, "error": error}
            if state.finished:
                values["finished_at"] = utcnow()
            await session.execute(update(Job).where(Job.id == job_id).values(**values))

    async def add_spend(self, job_id: str, *, tokens: int, usd: float) -> None:
        async with self.session() as session:
            await session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(spend_tokens=Job.spend_tokens + tokens, spend_usd=Job.spend_usd + usd)
            )

    async def jobs_for_target(self, repo: str, number: int, *, active_only: bool = False) -> list[Job]:
        query = select(Job).where(Job.repo_full_name == repo, Job.target_number == number)
        if active_only:
            query = query.where(Job.state.in_([JobState.QUEUED, JobState.RUNNING, JobState.RETRYING]))
        async with self.session() as session:
            return list((await session.execute(query.order_by(Job.created_at))).scalars())

    async def request_cancel(self, repo: str, number: int, kinds: tuple[str, ...]) -> list[str]:
        """Flag the target's active jobs of these kinds for cancellation; return their ids."""
        jobs = [j for j in await self.jobs_for_target(repo, number, active_only=True) if j.kind in kinds]
        if jobs:
            async with self.session() as session:
                await session.execute(update(Job).where(Job.id.in_([j.id for j in jobs])).values(cancel_requested=True))
        return [j.id for j in jobs]

    async def is_cancel_requested(self, job_id: str) -> bool:
        async with self.session() as session:
            value = (await session.execute(select(Job.cancel_requested).where(Job.id == job_id))).scalar_one_or_none()
        return bool(value)

    async def count_jobs(self, kind: str | None = None) -> int:
        query = select(func.count()).select_from(Job)
        if kind is not None:
            query = query.where(Job.kind == kind)
        async with self.session() as session:
            return int((await session.execute(query)).scalar_one())

    # Installations, repositories, bot PRs -----------------------------------------------------------------------

    async def upsert_installation(self, inst: Installation, repos: list[Repository]) -> None:
        async with self.session() as session:
            await session.merge(inst)
            for repo in repos:
                await session.merge(repo)

    async def set_repositories_active(self, full_names: list[str], active: bool) -> None:
        async with self.session() as session:
            await session.execute(update(Repository).where(Repository.full_name.in_(full_names)).values(active=active))

    async def get_installation(self, installation_id: int) -> Installation | None:
        async with self.session() as session:
            return await session.get(Installation, installation_id)

    async def list_repositories(self, installation_id: int) -> list[Repository]:
        async with self.session() as session:
            query = select(Repository).where(Repository.installation_id == installation_id)
            return list((await session.execute(query.order_by(Repository.full_name))).scalars())

    async def find_bot_pr(self, repo: str, number: int) -> BotPR | None:
        async with self.session() as session:
            query = select(BotPR).where(BotPR.repo_full_name == repo, BotPR.number == number)
            return (await session.execute(query)).scalar_one_or_none()

    async def add_bot_pr(self, pr: BotPR) -> None:
        async with self.session() as session:
            session.add(pr)

    async def close_bot_pr(self, repo: str, number: int, *, merged: bool) -> None:
        async with self.session() as session:
            await session.execute(
                update(BotPR)
                .where(BotPR.repo_full_name == repo, BotPR.number == number)
                .values(state="merged" if merged else "closed", closed_at=utcnow())
            )


_MIGRATION_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def _migration_lock() -> asyncio.Lock:
    """Alembic keeps its context in module globals: two upgrades in one process must not interleave."""
    loop = asyncio.get_running_loop()
    if loop not in _MIGRATION_LOCKS:
        _MIGRATION_LOCKS[loop] = asyncio.Lock()
    return _MIGRATION_LOCKS[loop]


def _job_values(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "installation_id": job.installation_id,
        "repo_full_name": job.repo_full_name,
        "target_number": job.target_number,
        "delivery_id": job.delivery_id,
        "state": JobState.QUEUED,
        "attempts": 0,
        "checkpoints": {},
        "cancel_requested": False,
        "spend_tokens": 0,
        "spend_usd": 0.0,
        "created_at": utcnow(),
    }


def _encodable_parameters(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> tuple[str, Any]:
    """Bound text with a lone surrogate (a payload's "\\ud800" escape, a non-UTF-8 file name's byte) or a NUL is
    stored with the escape instead: neither driver can encode the one, PostgreSQL's text refuses the other, and
    its refusal would read as an outage. JSON columns arrive here serialised with `\\u` escapes already, so they
    keep such characters as they are."""
    return statement, _encodable_values(parameters)


def _encodable_values(value: Any) -> Any:
    """`value` (a parameter row, a list of rows, or one value) with `encodable` applied to each str in it."""
    if isinstance(value, str):
        return encodable(value).replace("\x00", "\\u0000")
    if isinstance(value, tuple | list):
        return type(value)(_encodable_values(item) for item in value)
    if isinstance(value, dict):
        return {key: _encodable_values(item) for key, item in value.items()}
    return value


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    """WAL lets readers run beside the writer; NORMAL sync skips an fsync per commit (WAL stays consistent)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _ensure_sqlite_dir(url: str) -> None:
    """Create the SQLite file's folder, so a fresh checkout's default URL just works."""
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
