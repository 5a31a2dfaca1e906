"""`/organic-pr` commands, check reruns and bot-PR outcomes, through the app, a real worker and the stand-in."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.jobs import messages
from bot.settings import Settings
from bot.store import Store
from bot.store.models import BotPR, JobState
from tests.bot.conftest import REPO, Deliver
from tests.bot.test_worker import job_row, run_burst
from tests.standin.fixtures import Standin


def comment_payload(body: str, sender: str = "maintainer", number: int = 1) -> dict[str, Any]:
    return {
        "action": "created",
        "issue": {"number": number, "title": "size() is off by one"},
        "comment": {"id": 555, "body": body},
        "repository": {"full_name": REPO, "default_branch": "main"},
        "installation": {"id": 42},
        "sender": {"login": sender, "type": "User"},
    }


def bot_comments(standin: Standin) -> list[str]:
    return [c.body for c in standin.state.repo(REPO).issue_comments(1) if c.user == "organic-pr[bot]"]


def test_status_with_no_job_says_so(deliver: Deliver, app_settings: Settings, standin: Standin) -> None:
    """`/organic-pr status` on an untouched issue answers that nothing has run."""
    deliver("issue_comment", comment_payload("/organic-pr status"))
    asyncio.run(run_burst(app_settings))
    assert bot_comments(standin) == [messages.STATUS_NONE]


def test_unknown_command_gets_help(deliver: Deliver, app_settings: Settings, standin: Standin) -> None:
    """An unknown command is answered with the list of commands."""
    deliver("issue_comment", comment_payload("please\n/organic-pr dance"))
    asyncio.run(run_burst(app_settings))
    assert bot_comments(standin) == [messages.HELP]


def test_retry_queues_a_fresh_fix_that_runs(deliver: Deliver, app_settings: Settings, standin: Standin) -> None:
    """`/organic-pr retry` from a maintainer queues a new fix job, which the same worker run then completes."""
    deliver("issue_comment", comment_payload("/organic-pr retry"))
    asyncio.run(run_burst(app_settings))
    job_id = f"fix_issue:retry:{REPO}#1:555"
    assert messages.RETRY_QUEUED.format(job_id=job_id) in bot_comments(standin)
    assert asyncio.run(job_row(app_settings, job_id)).state == JobState.SUCCEEDED
    assert [r.content for r in standin.state.repo(REPO).reactions] == ["eyes"]


def test_retry_from_a_reader_is_refused(deliver: Deliver, app_settings: Settings, standin: Standin) -> None:
    """A reader cannot restart work; they get the polite refusal instead."""
    standin.state.set_permission(REPO, "reader", "read")
    deliver("issue_comment", comment_payload("/organic-pr retry", sender="reader"))
    asyncio.run(run_burst(app_settings))
    assert bot_comments(standin) == [messages.REFUSED_PERMISSION.format(sender="reader", permission="read")]


def test_bot_pr_closed_unmerged_is_recorded(deliver: Deliver, app_settings: Settings) -> None:
    """Closing one of the bot's PRs without merging marks it closed in the store, even when GitHub no longer has it."""

    async def add_pr() -> None:
        store = Store(app_settings.database_url)
        await store.migrate()
        await store.add_bot_pr(BotPR(repo_full_name=REPO, number=9, branch="organic-pr/issue-1", issue_number=1))
        await store.aclose()

    asyncio.run(add_pr())
    payload = {
        "action": "closed",
        "pull_request": {
            "number": 9,
            "merged": False,
            "user": {"login": "organic-pr[bot]", "type": "Bot"},
            "head": {"ref": "organic-pr/issue-1"},
        },
        "repository": {"full_name": REPO, "default_branch": "main"},
        "installation": {"id": 42},
        "sender": {"login": "maintainer", "type": "User"},
    }
    [job_id] = deliver("pull_request", payload).json()["jobs"]
    asyncio.run(run_burst(app_settings))
    job = asyncio.run(job_row(app_settings, job_id))
    assert (job.state, job.error) == (
        JobState.SUCCEEDED,
        "closed unmerged; memory not told (the PR is gone from GitHub)",
    )

    async def state() -> str | None:
        store = Store(app_settings.database_url)
        pr = await store.find_bot_pr(REPO, 9)
        await store.aclose()
        return pr.state if pr else None

    assert asyncio.run(state()) == "closed"


def test_rerequested_check_reruns_its_fix(deliver: Deliver, app_settings: Settings, standin: Standin) -> None:
    """Re-running the bot's check from GitHub's UI starts a new fix job for the issue behind it."""
    from tests.bot.test_fix_flow import label

    first = label(deliver)
    asyncio.run(run_burst(app_settings))
    payload = {
        "action": "rerequested",
        "check_run": {"id": 1, "external_id": first, "app": {"slug": "organic-pr"}},
        "repository": {"full_name": REPO, "default_branch": "main"},
        "installation": {"id": 42},
        "sender": {"login": "maintainer", "type": "User"},
    }
    response = deliver("check_run", payload, delivery_id="rerun-1").json()
    assert response["jobs"] == ["rerun_check:rerun-1"]
    asyncio.run(run_burst(app_settings))
    assert asyncio.run(job_row(app_settings, "fix_issue:rerun:rerun-1")).state == JobState.SUCCEEDED


def test_push_to_default_branch_refreshes_memory(deliver: Deliver, app_settings: Settings, standin: Standin) -> None:
    """A push to main fetches the mirror and memory learns the repo's history, indexed at the pushed head."""
    head = standin.state.branch_sha(REPO, "main")
    settings = app_settings.model_copy(update={"github_git_url": standin.url})
    payload = {
        "ref": "refs/heads/main",
        "after": head,
        "repository": {"full_name": REPO, "default_branch": "main"},
        "installation": {"id": 42},
        "sender": {"login": "maintainer", "type": "User"},
    }
    [job_id] = deliver("push", payload, delivery_id="push-1").json()["jobs"]
    asyncio.run(run_burst(settings))
    job = asyncio.run(job_row(settings, job_id))
    assert job.state == JobState.SUCCEEDED, job.error
    assert job.error == f"memory at {head} (1 units)"
