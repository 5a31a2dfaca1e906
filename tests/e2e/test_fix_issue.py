"""The label gives one PR, on the stand-in with real git, Redis, an arq worker, the sandbox and the scripted model."""

from __future__ import annotations

from bot.pipeline.writer import SECTIONS
from bot.settings import Settings
from bot.store.models import JobState
from tests.bot.conftest import Deliver
from tests.conftest import git
from tests.e2e.conftest import E2E_REPO
from tests.e2e.fixture_repo import FIXED_LINES, REPRO_CODE, fix_answer
from tests.e2e.helpers import issue_event, job, label, repo_of, run_worker, status_comment
from tests.llm.scripted import ScriptedLLM
from tests.standin.fixtures import Standin

BRANCH = "organic-pr/issue-1"


def test_label_gives_one_complete_pr(
    deliver: Deliver, service_settings: Settings, standin: Standin, scripted_llm: ScriptedLLM
) -> None:
    """One PR with the right diff, the repro test, all eight body sections, a completed check and a final status."""
    scripted_llm.on("generate", fix_answer(), repeat=True)
    job_id = label(deliver)
    run_worker(service_settings)
    assert job(service_settings, job_id).state == JobState.SUCCEEDED, job(service_settings, job_id).error
    repo = repo_of(standin)
    [pr] = repo.pulls.values()
    assert (pr.head, pr.base, pr.state, pr.draft) == (BRANCH, "main", "open", False)
    assert pr.title == "money: fix split() loses cents"
    assert pr.requested_reviewers == ["maintainer"]
    changed = git(repo.git_dir, "diff", "--name-only", f"main..{BRANCH}").split()
    assert changed == ["ledger/money.py", "tests/test_split_remainder.py"]
    assert FIXED_LINES.strip() in git(repo.git_dir, "show", f"{BRANCH}:ledger/money.py")
    assert git(repo.git_dir, "show", f"{BRANCH}:tests/test_split_remainder.py") == REPRO_CODE
    assert all(f"### {i}. {name}" in (pr.body or "") for i, name in enumerate(SECTIONS, 1))
    assert (pr.body or "").rstrip().endswith("Fixes #1")
    head = standin.state.branch_sha(E2E_REPO, BRANCH)
    [check] = [c for c in repo.check_runs.values() if c.head_sha == head]
    assert (check.status, check.conclusion) == ("completed", "success")
    assert "tests/test_money.py::test_split_even" in (check.summary or "")
    assert any(a["path"] == "tests/test_split_remainder.py" for a in check.annotations)
    status = status_comment(standin).body
    assert f"/pull/{pr.number}" in status
    for stage in ("claim", "checkout", "recall", "prepare", "generate", "select", "publish"):
        assert f"- {stage}: done" in status


def test_issue_text_utf8_cannot_encode_still_gives_one_pr(
    deliver: Deliver, service_settings: Settings, standin: Standin, scripted_llm: ScriptedLLM
) -> None:
    """An issue whose JSON escapes a lone surrogate ("\\ud800", in the delivery and in GitHub's answers) is fixed
    like any other: the job does not stop half-way, and the commit and PR carry the escape."""
    scripted_llm.on("generate", fix_answer(), repeat=True)
    issue = repo_of(standin).issues[1]
    issue.title, issue.body = "split() loses cents \ud800", f"{issue.body}\n\nSeen with \ud800 in the memo."
    payload = issue_event("labeled")
    payload["issue"] |= {"title": issue.title, "body": issue.body}
    [job_id] = deliver("issues", payload, delivery_id="label-surrogate").json()["jobs"]
    run_worker(service_settings)
    assert job(service_settings, job_id).state == JobState.SUCCEEDED, job(service_settings, job_id).error
    [pr] = repo_of(standin).pulls.values()
    assert pr.title == "money: fix split() loses cents \\ud800"
    log = git(repo_of(standin).git_dir, "log", "-1", "--format=%s", BRANCH).strip()
    assert log == "money: fix split() loses cents \\ud800"
