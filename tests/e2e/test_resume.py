"""A worker SIGKILLed during candidate generation: the next worker resumes, finished candidates are not rerun."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.patching.trajectory import CandidateStatus
from bot.settings import Settings
from bot.store import Store
from bot.store.models import JobState
from bot.store.pipeline import SqlTrajectoryStore
from tests.bot.conftest import Deliver
from tests.e2e.fixture_repo import fix_answer
from tests.e2e.helpers import job, label, repo_of
from tests.llm.scripted import ScriptedLLM, Slow
from tests.standin.fixtures import Standin


def worker_process(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    """`organic-pr worker` in a child process, configured through the environment only."""
    names = (
        "redis_url",
        "database_url",
        "github_api_url",
        "github_app_id",
        "github_git_url",
        "llm_base_url",
        "llm_model",
        "sandbox_index_url",
        "sandbox_cache_dir",
        "memory_dir",
        "workspace_dir",
        "llm_max_attempts",
    )
    env = {**os.environ, **{n.upper(): str(getattr(settings, n)) for n in names}}
    env |= {
        "GITHUB_WEBHOOK_SECRET": settings.github_webhook_secret.get_secret_value(),
        "GITHUB_APP_PRIVATE_KEY": settings.private_key() or "",
        "LLM_API_KEY": settings.llm_api_key.get_secret_value() if settings.llm_api_key else "",
        "GITHUB_WRITE_GAP_S": "0",
        "GITHUB_CONTENT_GAP_S": "0",
        "GITHUB_THROTTLE_LOCK_TTL_S": "2",
        "JOB_TIMEOUT_S": "15",  # arq hands a dead worker's job on once its in-progress key (timeout + 10 s) expires
    }
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "bot.cli", "worker"], env=env, stdout=out, stderr=out)


async def candidate_status(settings: Settings, job_id: str, index: int) -> CandidateStatus | None:
    store = Store(settings.database_url)
    try:
        trajectory = await SqlTrajectoryStore(store).load(job_id, index)
    finally:
        await store.aclose()
    return trajectory.status if trajectory else None


def test_killed_worker_resumes_without_rerunning_finished_candidates(
    deliver: Deliver, service_settings: Settings, standin: Standin, scripted_llm: ScriptedLLM, tmp_path: Path
) -> None:
    """Candidate 0 finishes, the worker dies while candidate 1 waits for the model; the resumed job asks the model
    only for candidate 1 and opens one PR."""
    scripted_llm.on("generate", fix_answer(), candidate=0)
    scripted_llm.on("generate", Slow(60.0, fix_answer()), candidate=1, repeat=True)
    job_id = label(deliver)
    log = tmp_path / "worker.log"
    first = worker_process(service_settings, log)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if asyncio.run(candidate_status(service_settings, job_id, 0)) is CandidateStatus.PROVEN:
            break
        time.sleep(0.2)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert asyncio.run(candidate_status(service_settings, job_id, 0)) is CandidateStatus.PROVEN, log.read_text()[-3000:]
    scripted_llm.scripts.clear()
    scripted_llm.on("generate", fix_answer(), candidate=1, repeat=True)
    second = worker_process(service_settings, log)
    try:
        while time.monotonic() < deadline + 60 and job(service_settings, job_id).state != JobState.SUCCEEDED:
            time.sleep(0.3)
    finally:
        second.terminate()
        second.wait(timeout=20)
    row = job(service_settings, job_id)
    assert row.state == JobState.SUCCEEDED, log.read_text()[-3000:]
    assert row.attempts == 2
    assert len(scripted_llm.requests_for("generate", candidate=0)) == 1
    assert len(repo_of(standin).pulls) == 1
