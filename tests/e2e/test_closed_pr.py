"""A bot PR closed unmerged is remembered: not reopened on a retry, reopened when the issue is labelled again."""

from __future__ import annotations

from typing import Any

from bot.jobs import messages
from bot.settings import Settings
from tests.bot.conftest import Deliver
from tests.e2e.conftest import E2E_REPO
from tests.e2e.fixture_repo import fix_answer
from tests.e2e.helpers import BOT, bot_comments, label, repo_of, run_worker
from tests.llm.scripted import ScriptedLLM
from tests.standin.fixtures import Standin
from tests.standin.objects import Pull

BRANCH = "organic-pr/issue-1"


def closed_event(number: int) -> dict[str, Any]:
    return {
        "action": "closed",
        "pull_request": {"number": number, "merged": False, "user": {"login": BOT}, "head": {"ref": BRANCH}},
        "repository": {"full_name": E2E_REPO, "default_branch": "main"},
        "installation": {"id": 42},
        "sender": {"login": "maintainer", "type": "User"},
    }


def retry_event() -> dict[str, Any]:
    return {
        "action": "created",
        "issue": {"number": 1, "title": "split() loses cents"},
        "comment": {"id": 991, "body": "/organic-pr retry", "user": {"login": "maintainer", "type": "User"}},
        "repository": {"full_name": E2E_REPO, "default_branch": "main"},
        "installation": {"id": 42},
        "sender": {"login": "maintainer", "type": "User"},
    }


def open_then_close(deliver: Deliver, settings: Settings, standin: Standin, llm: ScriptedLLM) -> tuple[Pull, str]:
    """The bot opens its PR for issue #1, a maintainer closes it unmerged: the PR and the outcome job's id."""
    llm.on("generate", fix_answer(), repeat=True)
    label(deliver, delivery_id="label-1")
    run_worker(settings)
    [pr] = repo_of(standin).pulls.values()
    pr.state = "closed"
    [job_id] = deliver("pull_request", closed_event(pr.number), delivery_id="closed-1").json()["jobs"]
    return pr, str(job_id)


def test_closed_bot_pr_is_not_reopened_until_relabelled(
    deliver: Deliver, service_settings: Settings, standin: Standin, scripted_llm: ScriptedLLM
) -> None:
    """After a close without merge a retry only explains; a fresh label event reopens the same PR."""
    pr, _ = open_then_close(deliver, service_settings, standin, scripted_llm)
    deliver("issue_comment", retry_event(), delivery_id="retry-1")
    run_worker(service_settings)
    remembered = messages.CLOSED_PR_REMEMBERED.format(pr=pr.number, label="bot-fix")
    assert [c.body for c in bot_comments(standin)].count(remembered) == 1
    assert pr.state == "closed"
    label(deliver, delivery_id="label-2")
    run_worker(service_settings)
    assert list(repo_of(standin).pulls) == [pr.number]
    assert pr.state == "open"
