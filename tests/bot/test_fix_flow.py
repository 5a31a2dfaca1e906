"""fix_issue end to end at this stage: webhook -> real Redis -> real arq worker -> the GitHub stand-in."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis

from bot.jobs import messages
from bot.jobs.progress import CHECK_NAME
from bot.settings import Settings
from bot.store.models import JobState
from tests.bot.conftest import REPO, Deliver, labeled_payload
from tests.bot.test_worker import job_row, run_burst
from tests.standin.fixtures import Standin


def label(deliver: Deliver, sender: str = "maintainer", delivery_id: str = "lbl-1") -> str:
    payload = labeled_payload(number=1)
    payload["repository"]["full_name"] = REPO
    payload["sender"]["login"] = sender
    [job_id] = deliver("issues", payload, delivery_id=delivery_id).json()["jobs"]
    return str(job_id)


def test_label_gives_reaction_status_comment_and_check(deliver: Deliver, app_settings: Settings, standin: Standin):
    """A maintainer's label leads to one 👀 reaction, one status comment and a completed check on the stand-in."""
    job_id = label(deliver)
    asyncio.run(run_burst(app_settings))
    repo = standin.state.repo(REPO)
    assert [(r.content, r.user, r.subject) for r in repo.reactions] == [("eyes", "organic-pr[bot]", ("issue", 1))]
    [status] = [c for c in repo.issue_comments(1) if c.user == "organic-pr[bot]"]
    assert messages.NO_MODEL in status.body and "organic-pr:status" in status.body
    [check] = repo.check_runs.values()
    assert (check.name, check.status, check.conclusion) == (CHECK_NAME, "completed", "neutral")
    assert check.external_id == job_id
    assert asyncio.run(job_row(app_settings, job_id)).state == JobState.SUCCEEDED


def test_triage_sender_is_refused_politely(deliver: Deliver, app_settings: Settings, standin: Standin) -> None:
    """A sender with triage access gets one polite comment and no work is started."""
    job_id = label(deliver, sender="triager")
    asyncio.run(run_burst(app_settings))
    repo = standin.state.repo(REPO)
    bodies = [c.body for c in repo.issue_comments(1) if c.user == "organic-pr[bot]"]
    assert bodies == [messages.REFUSED_PERMISSION.format(sender="triager", permission="triage")]
    assert repo.reactions == [] and not repo.check_runs
    assert asyncio.run(job_row(app_settings, job_id)).state == JobState.REFUSED


def test_secondary_rate_limit_defers_the_job(
    deliver: Deliver, app_settings: Settings, standin: Standin, redis_url: str
) -> None:
    """A secondary rate limit turns into an arq retry deferred by retry-after; the worker does not sleep on it."""
    job_id = label(deliver)
    standin.state.faults.secondary_rate_limit(retry_after_s=30, method="POST")
    enqueued_at_ms = time.time() * 1000

    async def until_deferred() -> None:
        from bot.worker import build_worker

        worker = build_worker(app_settings, burst=True, poll_delay_s=0.05)
        task = asyncio.create_task(worker.main())
        for _ in range(400):
            await asyncio.sleep(0.05)
            if (await job_row(app_settings, job_id)).state == JobState.RETRYING:
                break
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await worker.close()

    asyncio.run(until_deferred())
    job = asyncio.run(job_row(app_settings, job_id))
    assert (job.state, job.error) == (JobState.RETRYING, "rate limited")
    score: float | None = redis.Redis.from_url(redis_url).zscore("arq:queue", job_id)  # type: ignore[assignment]
    assert score is not None and score >= enqueued_at_ms + 29_000  # rescheduled, not slept on
    assert job.checkpoints.get("permission") == "maintain"  # finished stages are kept for the retry


def worker_process(settings: Settings, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GITHUB_WEBHOOK_SECRET": settings.github_webhook_secret.get_secret_value(),
        "REDIS_URL": settings.redis_url or "",
        "DATABASE_URL": settings.database_url,
        "GITHUB_API_URL": settings.github_api_url,
        "GITHUB_APP_ID": str(settings.github_app_id),
        "GITHUB_APP_PRIVATE_KEY": settings.private_key() or "",
        "GITHUB_WRITE_GAP_S": "0",
        "GITHUB_CONTENT_GAP_S": "0",
        "GITHUB_THROTTLE_LOCK_TTL_S": "2",
        "JOB_TIMEOUT_S": "8",  # arq re-runs a job whose worker died once its in-progress key (timeout + 10 s) expires
    }
    with (tmp_path / "worker.log").open("ab") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-m", "bot.cli", "worker"], env=env, stdout=log, stderr=log)


def test_worker_killed_mid_job_resumes_with_one_set_of_side_effects(
    deliver: Deliver, app_settings: Settings, standin: Standin, tmp_path: Path
) -> None:
    """SIGKILL while the status comment is being written: a new worker resumes the job and nothing is doubled."""
    job_id = label(deliver)
    repo = standin.state.repo(REPO)
    standin.state.write_latency_s = 1.5  # every write takes a while, so the kill lands inside one
    first = worker_process(app_settings, tmp_path)
    deadline = time.monotonic() + 60
    while not repo.reactions and time.monotonic() < deadline:
        time.sleep(0.05)
    assert repo.reactions, "the first worker never reacted"
    time.sleep(0.3)  # now inside the status-comment write
    first.send_signal(signal.SIGKILL)
    first.wait()
    standin.state.write_latency_s = 0.0
    second = worker_process(app_settings, tmp_path)
    try:
        while time.monotonic() < deadline + 30:
            if asyncio.run(job_row(app_settings, job_id)).state == JobState.SUCCEEDED:
                break
            time.sleep(0.2)
    finally:
        second.terminate()
        second.wait(timeout=20)
    job = asyncio.run(job_row(app_settings, job_id))
    assert job.state == JobState.SUCCEEDED, (tmp_path / "worker.log").read_text()[-3000:]
    assert job.attempts == 2
    assert len(repo.reactions) == 1
    assert len([c for c in repo.issue_comments(1) if c.user == "organic-pr[bot]"]) == 1
    assert len(repo.check_runs) == 1
