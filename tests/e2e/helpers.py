"""Helpers for the end-to-end tests: deliver label events, run a real arq worker, read the stand-in back."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.settings import Settings
from bot.store.models import Job
from tests.bot.conftest import Deliver
from tests.bot.test_worker import job_row, run_burst
from tests.e2e.conftest import E2E_REPO
from tests.standin.fixtures import Standin
from tests.standin.state import Comment, Repo

__all__ = ["bot_comments", "issue_event", "job_row", "label", "run_worker", "status_comment"]

BOT = "organic-pr[bot]"


def issue_event(
    action: str, *, number: int = 1, label_name: str = "bot-fix", sender: str = "maintainer"
) -> dict[str, Any]:
    """An issues.<action> payload for octo/ledger (only the fields routing reads)."""
    return {
        "action": action,
        "issue": {"number": number, "title": "split() loses cents"},
        "label": {"name": label_name},
        "repository": {"full_name": E2E_REPO, "default_branch": "main"},
        "installation": {"id": 42},
        "sender": {"login": sender, "type": "User"},
    }


def label(deliver: Deliver, delivery_id: str = "label-1", **kwargs: Any) -> str:
    """Deliver issues.labeled; returns the fix job's id."""
    [job_id] = deliver("issues", issue_event("labeled", **kwargs), delivery_id=delivery_id).json()["jobs"]
    return str(job_id)


def run_worker(settings: Settings) -> None:
    """A real arq worker in burst mode until the queue is empty."""
    asyncio.run(run_burst(settings))


def job(settings: Settings, job_id: str) -> Job:
    return asyncio.run(job_row(settings, job_id))


def repo_of(standin: Standin) -> Repo:
    return standin.state.repo(E2E_REPO)


def bot_comments(standin: Standin, number: int = 1) -> list[Comment]:
    return [c for c in repo_of(standin).issue_comments(number) if c.user == BOT]


def status_comment(standin: Standin, number: int = 1) -> Comment:
    [status] = [c for c in bot_comments(standin, number) if "organic-pr:status" in c.body]
    return status
