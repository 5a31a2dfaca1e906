"""A campaign PR is one of the bot's PRs: recorded in the store, revised on review comments, closed like others."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from bot.campaigns.migrate import changed_files
from bot.github.git import GitWorkspace
from bot.pipeline.changes import write_files
from bot.settings import Settings
from bot.store import Store
from bot.store.models import BotPR
from bot.web.app import create_app
from tests.bot.conftest import signed_headers
from tests.bot.test_worker import job_row, run_burst
from tests.campaigns.conftest import INSTALLATION, tick
from tests.campaigns.org import CONFIG, LIBRARY
from tests.conftest import git
from tests.standin.fixtures import Standin
from tests.standin.state import Pull

MONDAY = "2025-01-06T09:30:00+00:00"
NEXT_MONDAY = "2025-01-13T09:05:00+00:00"
BRANCH = "organic-pr/migrate-fixlib-2"
BOT = "organic-pr[bot]"


@pytest.fixture
def org_config() -> str:
    """The fixture campaign on the library repository only (one PR: these tests are about its lifecycle)."""
    return CONFIG.replace('repos: {exclude: ["legacy-*"]}', 'repos: {include: ["platform"]}')


def library_pull(standin: Standin) -> Pull:
    [pull] = standin.state.repo(LIBRARY).pulls.values()
    return pull


def bot_pr(settings: Settings, number: int) -> BotPR | None:
    async def read() -> BotPR | None:
        store = Store(settings.database_url)
        try:
            return await store.find_bot_pr(LIBRARY, number)
        finally:
            await store.aclose()

    return asyncio.run(read())


def deliver(settings: Settings, event: str, payload: dict[str, Any], delivery_id: str) -> list[str]:
    """POST a signed delivery to the web app; the ids of the jobs it enqueued."""
    body = json.dumps(payload).encode()
    secret = settings.github_webhook_secret.get_secret_value()
    with TestClient(create_app(settings)) as client:
        response = client.post("/webhooks", content=body, headers=signed_headers(body, event, delivery_id, secret))
    assert response.status_code == 202, response.text
    return list(response.json()["jobs"])


def pull_payload(number: int, **extra: Any) -> dict[str, Any]:
    return {
        "pull_request": {"number": number, "user": {"login": BOT}, "head": {"ref": BRANCH}, "merged": False},
        "repository": {"full_name": LIBRARY, "default_branch": "main"},
        "installation": {"id": INSTALLATION},
        "sender": {"login": "maintainer", "type": "User"},
        **extra,
    }


def test_campaign_prs_are_recorded_as_bot_prs(org_settings: Settings, standin: Standin) -> None:
    """The PR is in the bot's PR table with its campaign branch, open, and with no issue."""
    tick(org_settings, MONDAY)
    pull = library_pull(standin)
    row = bot_pr(org_settings, pull.number)
    assert row is not None and (row.branch, row.state, row.issue_number) == (BRANCH, "open", None)


def test_a_review_comment_on_a_campaign_pr_enqueues_a_revision(org_settings: Settings, standin: Standin) -> None:
    """The comment routes to revise_pr, which finds an open bot PR (and, with no model here, stops there)."""
    tick(org_settings, MONDAY)
    number = library_pull(standin).number
    comment = {"id": 9001, "body": "Please keep the old colour name in the docstring.",
               "user": {"login": "maintainer", "type": "User"}}  # fmt: skip
    payload = pull_payload(number, action="created", comment=comment)
    [job_id] = deliver(org_settings, "pull_request_review_comment", payload, "review-1")
    asyncio.run(run_burst(org_settings))
    job = asyncio.run(job_row(org_settings, job_id))
    assert job.kind == "revise_pr" and job.error == "no model configured"


def test_closing_a_campaign_pr_is_recorded_like_other_bot_prs(org_settings: Settings, standin: Standin) -> None:
    """pull_request.closed (unmerged) marks the bot PR closed; the next slot keeps it closed."""
    tick(org_settings, MONDAY)
    pull = library_pull(standin)
    pull.state = "closed"
    [job_id] = deliver(org_settings, "pull_request", pull_payload(pull.number, action="closed"), "closed-1")
    asyncio.run(run_burst(org_settings))
    row = bot_pr(org_settings, pull.number)
    assert row is not None and row.state == "closed"
    tick(org_settings, NEXT_MONDAY)
    assert library_pull(standin).state == "closed"


def test_a_pr_closed_without_a_webhook_is_closed_in_the_store_at_the_next_run(
    org_settings: Settings, standin: Standin
) -> None:
    """The campaign's refresh from GitHub also closes the bot PR record (a merge is recorded as merged)."""
    tick(org_settings, MONDAY)
    pull = library_pull(standin)
    pull.state, pull.merged = "closed", True
    tick(org_settings, NEXT_MONDAY)
    row = bot_pr(org_settings, pull.number)
    assert row is not None and row.state == "merged"


async def test_changed_files_keep_names_and_bytes_outside_utf8(tmp_path: Path) -> None:
    """A migration's changed files are read losslessly: a non-UTF-8 name is not dropped from the PR, and a
    file's non-UTF-8 bytes are written back as themselves."""
    tree = tmp_path / "tree"
    tree.mkdir()
    git(tree, "init", "-q")
    latin = tree / os.fsdecode(b"caf\xe9.py")
    latin.write_bytes(b"x = 1  # \xe9\n")
    (tree / "plain.py").write_text("y = 1\n")
    git(tree, "add", "-A")
    git(tree, "commit", "-qm", "start")
    latin.write_bytes(b"x = 2  # \xe9\n")
    (tree / "plain.py").write_text("y = 2\n")
    (tree / os.fsdecode(b"new\xff.txt")).write_bytes(b"\xff\n")
    files = await changed_files(GitWorkspace(tmp_path / "ws"), tree)
    assert sorted(files) == sorted([latin.name, "plain.py", os.fsdecode(b"new\xff.txt")])
    copy = tmp_path / "copy"
    write_files(copy, files)
    assert (copy / latin.name).read_bytes() == b"x = 2  # \xe9\n"
    assert (copy / os.fsdecode(b"new\xff.txt")).read_bytes() == b"\xff\n"
