"""Real arq workers in burst mode against real Redis and a real SQLite store."""

from __future__ import annotations

import asyncio
from typing import Any

from arq import create_pool
from arq.connections import RedisSettings

from bot.jobs.lifecycle import LOCK_KEY
from bot.settings import Settings
from bot.store import Store
from bot.store.models import Job, JobState
from bot.worker import build_worker
from tests.bot.conftest import Deliver, labeled_payload


async def run_burst(settings: Settings, **kwargs: Any) -> None:
    worker = build_worker(settings, burst=True, poll_delay_s=0.05, **kwargs)
    try:
        await worker.main()
    finally:
        await worker.close()


async def job_row(settings: Settings, job_id: str) -> Job:
    store = Store(settings.database_url)
    try:
        job = await store.get_job(job_id)
    finally:
        await store.aclose()
    assert job is not None
    return job


def test_installation_event_syncs_the_store(deliver: Deliver, settings: Settings) -> None:
    """installation.created becomes a sync job that records the installation and its repositories."""
    payload = {
        "action": "created",
        "installation": {"id": 77, "account": {"login": "octo", "type": "Organization"}},
        "repositories": [{"id": 1, "full_name": "octo/a"}, {"id": 2, "full_name": "octo/b"}],
        "sender": {"login": "admin", "type": "User"},
    }
    [job_id] = deliver("installation", payload, delivery_id="inst-1").json()["jobs"]
    asyncio.run(run_burst(settings))

    async def check() -> None:
        store = Store(settings.database_url)
        repos = [r.full_name for r in await store.list_repositories(77)]
        inst = await store.get_installation(77)
        await store.aclose()
        assert repos == ["octo/a", "octo/b"]
        assert inst is not None and inst.account_login == "octo"

    asyncio.run(check())
    assert asyncio.run(job_row(settings, job_id)).state == JobState.SUCCEEDED


def test_job_needing_github_fails_clearly_when_app_is_unconfigured(deliver: Deliver, settings: Settings) -> None:
    """Without an App id and key the fix job fails and its row says exactly which settings are missing."""
    [job_id] = deliver("issues", labeled_payload(), delivery_id="unconf").json()["jobs"]
    asyncio.run(run_burst(settings))
    job = asyncio.run(job_row(settings, job_id))
    assert job.state == JobState.FAILED
    assert job.error is not None and "GITHUB_APP_ID" in job.error and "GITHUB_APP_PRIVATE_KEY_FILE" in job.error


def test_busy_target_defers_instead_of_running_twice(deliver: Deliver, settings: Settings, redis_url: str) -> None:
    """While another job holds the target lock, the job is deferred with arq.Retry and its row says why."""
    [job_id] = deliver("issues", labeled_payload(number=9), delivery_id="busy").json()["jobs"]

    async def scenario() -> None:
        pool = await create_pool(RedisSettings.from_dsn(redis_url))
        await pool.set(LOCK_KEY.format("octo/widgets#9"), "someone-else", ex=60)
        worker = build_worker(settings, burst=True, poll_delay_s=0.05)
        task = asyncio.create_task(worker.main())
        for _ in range(200):
            await asyncio.sleep(0.05)
            row = await job_row(settings, job_id)
            if row.state == JobState.RETRYING:
                break
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await worker.close()
        await pool.aclose()

    asyncio.run(scenario())
    job = asyncio.run(job_row(settings, job_id))
    assert (job.state, job.error) == (JobState.RETRYING, "target busy")


def test_cancel_command_flags_running_fix(deliver: Deliver, settings: Settings) -> None:
    """issues.unlabeled flags the target's active fix job for cancellation."""
    [fix_id] = deliver("issues", labeled_payload(number=11), delivery_id="fix-11").json()["jobs"]
    unlabeled = {**labeled_payload(number=11), "action": "unlabeled"}
    [cancel_id] = deliver("issues", unlabeled, delivery_id="unl-11").json()["jobs"]

    async def run_only_cancel() -> None:
        store = Store(settings.database_url)
        ids = await store.request_cancel("octo/widgets", 11, ("fix_issue",))
        await store.aclose()
        assert ids == [fix_id]

    asyncio.run(run_only_cancel())
    assert cancel_id.startswith("cancel_target:")


def test_job_logs_carry_delivery_installation_repo_and_job(deliver: Deliver, settings: Settings) -> None:
    """Every job log line is bound to its delivery id, installation, repository and job id."""
    from structlog.contextvars import merge_contextvars
    from structlog.testing import capture_logs

    [job_id] = deliver("issues", labeled_payload(), delivery_id="logs-1").json()["jobs"]
    with capture_logs(processors=[merge_contextvars]) as logs:
        asyncio.run(run_burst(settings))
    [finished] = [entry for entry in logs if entry["event"] == "job.finished"]
    assert finished["delivery_id"] == "logs-1"
    assert (finished["job_id"], finished["installation_id"], finished["repo"]) == (job_id, 42, "octo/widgets")
