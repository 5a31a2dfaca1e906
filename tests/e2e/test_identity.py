"""Identity: one branch and one PR per issue, whatever the deliveries."""

from __future__ import annotations

from bot.settings import Settings
from bot.store.models import JobState
from tests.bot.conftest import Deliver
from tests.e2e.conftest import E2E_REPO
from tests.e2e.fixture_repo import fix_answer
from tests.e2e.helpers import issue_event, job, label, repo_of, run_worker
from tests.llm.scripted import ScriptedLLM
from tests.standin.fixtures import Standin

BRANCH = "organic-pr/issue-1"


def test_redelivered_webhook_still_gives_one_pr(
    deliver: Deliver, service_settings: Settings, standin: Standin, scripted_llm: ScriptedLLM
) -> None:
    """A redelivery of the label event runs nothing twice, and a later fresh label event updates the same PR."""
    scripted_llm.on("generate", fix_answer(), repeat=True)
    job_id = label(deliver, delivery_id="label-1")
    again = deliver("issues", issue_event("labeled"), delivery_id="label-1")
    assert again.status_code in (200, 202) and again.json().get("jobs", [job_id]) in ([job_id], [])
    run_worker(service_settings)
    first_head = standin.state.branch_sha(E2E_REPO, BRANCH)
    rerun = label(deliver, delivery_id="label-2")
    run_worker(service_settings)
    assert job(service_settings, job_id).state == JobState.SUCCEEDED
    assert job(service_settings, rerun).state == JobState.SUCCEEDED, job(service_settings, rerun).error
    [pr] = repo_of(standin).pulls.values()
    assert pr.head == BRANCH and pr.state == "open"
    assert standin.state.branch_sha(E2E_REPO, BRANCH) == first_head  # same fix: no new commit, never a force-push
