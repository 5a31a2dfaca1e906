"""The store on both backends: SQLite (embedded default) and a real PostgreSQL started by the tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.errors import ServiceUnavailable
from bot.store import Store
from bot.store.models import BotPR, DeliveryOutcome, Installation, Job, JobState, Repository


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path}/store.db"
    else:
        url = request.getfixturevalue("postgres_url")
    store = Store(url)
    await store.migrate()
    async with store.session() as session:  # a clean slate on the shared PostgreSQL
        for table in ("jobs", "webhook_deliveries", "bot_prs", "repositories", "installations"):
            await session.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - fixed table names
    yield store
    await store.aclose()


async def test_migrate_twice_is_a_no_op(store: Store) -> None:
    """Running the Alembic upgrade again on a current schema changes nothing and does not fail."""
    await store.migrate()
    assert await store.count_deliveries() == 0


async def test_delivery_row_is_unique(store: Store) -> None:
    """Recording the same delivery id twice keeps one row, the first."""
    await store.record_delivery("guid-1", "issues", "labeled", installation_id=1, repo="o/r")
    await store.record_delivery("guid-1", "issues", "opened", installation_id=1, repo="o/r")
    row = await store.get_delivery("guid-1")
    assert row is not None and row.action == "labeled"
    assert await store.count_deliveries() == 1


async def test_concurrent_delivery_inserts_keep_one_row(store: Store) -> None:
    """Twenty concurrent inserts of one delivery id leave exactly one row and raise nothing."""
    await asyncio.gather(
        *(store.record_delivery("guid-c", "push", None, installation_id=1, repo="o/r") for _ in range(20))
    )
    assert await store.count_deliveries() == 1


async def test_delivery_and_its_jobs_are_recorded_together(store: Store) -> None:
    """Job rows planned for a delivery are written in the same transaction, once, however often it arrives."""
    job = Job(id="fix_issue:guid-j", kind="fix_issue", repo_full_name="o/r", target_number=1, delivery_id="guid-j")
    for _ in range(2):
        await store.record_delivery("guid-j", "issues", "labeled", installation_id=1, repo="o/r", jobs=[job])
    assert await store.count_jobs("fix_issue") == 1
    stored = await store.get_job("fix_issue:guid-j")
    assert stored is not None and stored.state == JobState.QUEUED


async def test_finish_delivery_records_outcome_and_jobs(store: Store) -> None:
    """A delivery's outcome and job ids are kept for audit."""
    await store.record_delivery("guid-2", "issues", "labeled", installation_id=1, repo="o/r")
    await store.finish_delivery("guid-2", DeliveryOutcome.ENQUEUED, job_ids=["fix_issue:guid-2"])
    row = await store.get_delivery("guid-2")
    assert row is not None
    assert (row.outcome, row.job_ids) == ("enqueued", ["fix_issue:guid-2"])


async def test_checkpoints_survive_a_new_attempt(store: Store) -> None:
    """A stage recorded in one attempt is visible to the next, which is how a killed job resumes."""
    await store.create_job(Job(id="j1", kind="fix_issue", repo_full_name="o/r", target_number=3))
    await store.start_job("j1", 1)
    await store.checkpoint("j1", "reaction", True)
    await store.checkpoint("j1", "status_comment", 991)
    resumed = await store.start_job("j1", 2)
    assert resumed.checkpoints == {"reaction": True, "status_comment": 991}
    assert resumed.attempts == 2


async def test_cancel_flags_only_active_jobs_of_the_target(store: Store) -> None:
    """Cancellation marks the target's running jobs and leaves finished ones alone."""
    await store.create_job(Job(id="a", kind="fix_issue", repo_full_name="o/r", target_number=5))
    await store.create_job(Job(id="b", kind="fix_issue", repo_full_name="o/r", target_number=5))
    await store.finish_job("b", JobState.SUCCEEDED)
    assert await store.request_cancel("o/r", 5, ("fix_issue",)) == ["a"]
    assert await store.is_cancel_requested("a")
    assert not await store.is_cancel_requested("b")


async def test_installation_sync_and_bot_prs(store: Store) -> None:
    """Installations, their repositories and the bot's PRs round-trip."""
    inst = Installation(id=10, account_login="octo", account_type="Organization")
    await store.upsert_installation(inst, [Repository(id=100, installation_id=10, full_name="octo/a")])
    await store.set_repositories_active(["octo/a"], False)
    [repo] = await store.list_repositories(10)
    assert not repo.active
    await store.add_bot_pr(BotPR(repo_full_name="octo/a", number=4, branch="organic-pr/issue-1", issue_number=1))
    await store.close_bot_pr("octo/a", 4, merged=False)
    pr = await store.find_bot_pr("octo/a", 4)
    assert pr is not None and pr.state == "closed"


async def test_unreachable_store_raises_service_unavailable(tmp_path: Path) -> None:
    """A store that cannot be reached is reported as ServiceUnavailable, which the web edge maps to 503."""
    store = Store("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    with pytest.raises(ServiceUnavailable):
        await store.ping()
    await store.aclose()


async def test_lone_surrogates_are_escaped_in_text_and_kept_in_json(store: Store) -> None:
    """A lone surrogate (a JSON escape in a payload, a non-UTF-8 file name's byte) neither fails the write nor is
    taken for an outage: text columns hold its escape, and lookups by the same text find the row; JSON keeps it."""
    await store.record_delivery("guid-s", "issues", "x\ud800", installation_id=1, repo="o/r", reason="x\ud800")
    delivery = await store.get_delivery("guid-s")
    assert delivery is not None and (delivery.action, delivery.reason) == ("x\\ud800", "x\\ud800")
    await store.create_job(Job(id="s", kind="fix_issue", repo_full_name="o/caf\udce9", target_number=1))
    await store.checkpoint("s", "recall", {"files": ["caf\udce9.py", "x\ud800"]})
    await store.finish_job("s", JobState.FAILED, error="GitError: caf\udce9.py")
    job = await store.get_job("s")
    assert job is not None and (job.repo_full_name, job.error) == ("o/caf\\udce9", "GitError: caf\\udce9.py")
    assert job.checkpoints == {"recall": {"files": ["caf\udce9.py", "x\ud800"]}}
    assert [j.id for j in await store.jobs_for_target("o/caf\udce9", 1)] == ["s"]


async def test_nul_in_text_is_stored_as_its_escape(store: Store) -> None:
    """PostgreSQL's text refuses NUL (its refusal would read as an outage): text holds `\\u0000`, lookups agree."""
    await store.create_job(Job(id="n", kind="fix_issue", repo_full_name="o/r\x00", target_number=1))
    await store.finish_job("n", JobState.FAILED, error="sandbox said a\x00b")
    job = await store.get_job("n")
    assert job is not None and (job.repo_full_name, job.error) == ("o/r\\u0000", "sandbox said a\\u0000b")
    assert [j.id for j in await store.jobs_for_target("o/r\x00", 1)] == ["n"]
