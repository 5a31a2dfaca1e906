"""Clean stops: cancellation mid-run, a model that only returns malformed edits, a budget that runs out."""

from __future__ import annotations

import asyncio
import threading
import time

from bot.jobs import messages
from bot.settings import Settings
from bot.store.models import JobState
from tests.bot.conftest import Deliver
from tests.e2e.conftest import E2E_REPO
from tests.e2e.fixture_repo import fix_answer
from tests.e2e.helpers import issue_event, job, label, repo_of, run_worker, status_comment
from tests.llm.scripted import ScriptedLLM, Slow
from tests.standin.fixtures import Standin


def test_removing_the_label_mid_run_cancels_and_says_so(
    deliver: Deliver, service_settings: Settings, standin: Standin, scripted_llm: ScriptedLLM
) -> None:
    """While the model is thinking, the label is removed: the job stops, the status says why, no PR is opened."""
    scripted_llm.on("generate", Slow(6.0, fix_answer()), repeat=True)
    job_id = label(deliver)
    worker = threading.Thread(target=run_worker, args=(service_settings,))
    worker.start()
    deadline = time.monotonic() + 60
    while not scripted_llm.requests_for("generate") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert scripted_llm.requests_for("generate"), "generation never started"
    repo_of(standin).issues[1].labels.remove("bot-fix")
    deliver("issues", issue_event("unlabeled"), delivery_id="unlabel-1")
    worker.join(timeout=60)
    row = job(service_settings, job_id)
    assert row.state == JobState.CANCELLED
    assert messages.CANCELLED.format(reason="the `bot-fix` label was removed") in status_comment(standin).body
    assert not repo_of(standin).pulls
    assert [c.conclusion for c in repo_of(standin).check_runs.values()] == ["cancelled"]


def test_malformed_edits_give_a_failure_comment_and_no_pr(
    deliver: Deliver, service_settings: Settings, standin: Standin, scripted_llm: ScriptedLLM
) -> None:
    """A model that never produces an <edits> section ends in a clear failure comment, no PR and no branch."""
    scripted_llm.on("generate", "Sure! I fixed it, trust me.", repeat=True)
    job_id = label(deliver)
    run_worker(service_settings)
    assert job(service_settings, job_id).state == JobState.SUCCEEDED
    body = status_comment(standin).body
    assert "I could not produce a usable fix: all 2 candidate(s) failed, so nothing was pushed." in body
    assert "candidate-0 produced no usable edit" in body
    assert not repo_of(standin).pulls
    assert standin.state.branch_sha(E2E_REPO, "organic-pr/issue-1") is None


def test_budget_running_out_stops_with_the_spend_reported(
    deliver: Deliver, service_settings: Settings, standin: Standin, scripted_llm: ScriptedLLM
) -> None:
    """A job budget smaller than two calls stops the job; the comment reports exactly what the job row recorded."""
    scripted_llm.on("generate", "Let me think about it first.", repeat=True)  # each turn costs, none finishes
    settings = service_settings.model_copy(update={"job_budget_tokens": 3000})
    job_id = label(deliver)
    run_worker(settings)
    row = job(settings, job_id)
    assert row.state == JobState.SUCCEEDED
    assert row.spend_tokens > 0
    expected = messages.BUDGET_STOP.format(limit="job", tokens=row.spend_tokens, usd=row.spend_usd)
    assert expected in status_comment(standin).body
    assert not repo_of(standin).pulls
    assert asyncio.run(_daily(settings)) == row.spend_tokens


async def _daily(settings: Settings) -> int:
    from bot.store import Store
    from bot.store.pipeline import daily_spend

    store = Store(settings.database_url)
    try:
        return (await daily_spend(store, 42))[0]
    finally:
        await store.aclose()
