"""What the bot learns on its own: a closed bot PR's outcome, and skills distilled on a push to the default branch."""

from __future__ import annotations

import json
from typing import Any

from bot.github.git import GitWorkspace
from bot.settings import Settings
from bot.store.models import JobState
from memory.feedback import load_outcomes
from memory.service import RepoMemory
from tests.bot.conftest import Deliver
from tests.e2e.conftest import E2E_REPO
from tests.e2e.helpers import job, repo_of, run_worker
from tests.e2e.test_closed_pr import closed_event, open_then_close
from tests.llm.scripted import Fail, ScriptedLLM
from tests.standin.fixtures import Standin

SKILL = [{"kind": "convention", "text": "Keep money in integer cents", "paths": ["ledger/money.py"], "apis": []}]


def memory_folder(settings: Settings) -> Any:
    mirror = GitWorkspace(settings.workspace_dir).mirror_path(E2E_REPO)
    return RepoMemory(settings.memory_dir, None).store.repo_dir(mirror)


def test_closed_bot_pr_is_remembered_as_a_rejected_approach(
    deliver: Deliver, service_settings: Settings, standin: Standin, scripted_llm: ScriptedLLM
) -> None:
    """Memory keeps the issue the PR answered, the files it changed and that it was closed unmerged."""
    pr, job_id = open_then_close(deliver, service_settings, standin, scripted_llm)
    run_worker(service_settings)
    assert job(service_settings, job_id).state == JobState.SUCCEEDED
    [outcome] = load_outcomes(memory_folder(service_settings) / "outcomes.json")
    assert (outcome.pr, outcome.merged) == (pr.number, False)
    assert sorted(outcome.files) == ["ledger/money.py", "tests/test_split_remainder.py"]
    issue = repo_of(standin).issues[1]
    assert outcome.text.startswith(issue.title)
    assert outcome.reason == "closed without merging by maintainer"
    mirror = GitWorkspace(service_settings.workspace_dir).mirror_path(E2E_REPO)
    [rejected] = RepoMemory(service_settings.memory_dir, None).recall(mirror, issue.title).rejected
    assert (rejected["pr"], rejected["rejected"]) == (pr.number, True)


def push_event(standin: Standin) -> dict[str, Any]:
    return {
        "ref": "refs/heads/main",
        "after": standin.state.branch_sha(E2E_REPO, "main"),
        "repository": {"full_name": E2E_REPO, "default_branch": "main"},
        "installation": {"id": 42},
        "sender": {"login": "maintainer", "type": "User"},
    }


def test_push_to_default_branch_distills_skills_within_budget(
    deliver: Deliver, service_settings: Settings, standin: Standin, scripted_llm: ScriptedLLM
) -> None:
    """With a model configured, a memory refresh attempts past units blind, keeps the skills and books the spend."""
    scripted_llm.on("skill.attempt", "--- a/ledger/money.py\n+++ b/ledger/money.py\n", repeat=True)
    scripted_llm.on("skill.distill", json.dumps(SKILL), repeat=True)
    [job_id] = deliver("push", push_event(standin), delivery_id="push-1").json()["jobs"]
    run_worker(service_settings)
    row = job(service_settings, job_id)
    assert row.state == JobState.SUCCEEDED and row.error is not None
    assert row.error.endswith("; 2 skills learned")
    assert len(scripted_llm.requests_for("skill.attempt")) == service_settings.memory_skill_units == 2
    [skill] = json.loads((memory_folder(service_settings) / "skills.json").read_text())
    assert skill["text"] == "Keep money in integer cents" and len(skill["citations"]) == 2
    assert row.spend_tokens > 0


def test_model_outage_while_learning_skills_retries_the_refresh(
    deliver: Deliver, service_settings: Settings, standin: Standin, scripted_llm: ScriptedLLM
) -> None:
    """A 503 from the model defers the refresh job; its retry learns the skills and the job succeeds."""
    scripted_llm.on("skill.attempt", Fail(503), "--- a/ledger/money.py\n", repeat=True)
    scripted_llm.on("skill.distill", json.dumps(SKILL), repeat=True)
    [job_id] = deliver("push", push_event(standin), delivery_id="push-1").json()["jobs"]
    run_worker(service_settings)
    row = job(service_settings, job_id)
    assert (row.state, row.attempts) == (JobState.SUCCEEDED, 2), row.error
    assert row.error is not None and row.error.endswith("; 2 skills learned")


def test_a_late_closed_delivery_does_not_undo_a_merge(
    deliver: Deliver, service_settings: Settings, standin: Standin, scripted_llm: ScriptedLLM
) -> None:
    """The outcome is what GitHub says now: a "closed" job running after the PR was reopened and merged records
    the merge; one running while the PR is open again records nothing."""
    pr, _ = open_then_close(deliver, service_settings, standin, scripted_llm)
    pr.state = "open"
    run_worker(service_settings)
    assert not (memory_folder(service_settings) / "outcomes.json").exists()
    pr.state, pr.merged = "closed", True
    deliver("pull_request", closed_event(pr.number), delivery_id="closed-late")
    run_worker(service_settings)
    [outcome] = load_outcomes(memory_folder(service_settings) / "outcomes.json")
    assert (outcome.pr, outcome.merged, outcome.reason) == (pr.number, True, "")
