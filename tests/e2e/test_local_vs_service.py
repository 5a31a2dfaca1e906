"""Local mode and the service run the same pipeline code: on the same repository they give the same diff."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.patching.context import Issue
from bot.pipeline.local import run_local
from bot.settings import Settings
from tests.bot.conftest import Deliver
from tests.conftest import git
from tests.e2e.fixture_repo import ISSUE_BODY, ISSUE_TITLE, fix_answer
from tests.e2e.helpers import label, repo_of, run_worker
from tests.llm.scripted import ScriptedLLM
from tests.standin.fixtures import Standin

BRANCH = "organic-pr/issue-1"


def test_local_mode_gives_the_same_diff_as_the_service(
    deliver: Deliver,
    service_settings: Settings,
    local_settings: Settings,
    standin: Standin,
    scripted_llm: ScriptedLLM,
    ledger_repo: Path,
    tmp_path: Path,
) -> None:
    """The PR branch on the stand-in and the local branch differ from main by the same diff and commit title."""
    scripted_llm.on("generate", fix_answer(), repeat=True)
    label(deliver)
    run_worker(service_settings)
    bare = repo_of(standin).git_dir
    issue = Issue(ISSUE_TITLE, ISSUE_BODY, 1)
    asyncio.run(run_local(ledger_repo, issue, local_settings, body_file=tmp_path / "body.md", echo=lambda _: None))
    service_diff = git(bare, "diff", f"main..{BRANCH}")
    assert service_diff
    assert git(ledger_repo, "diff", f"main..{BRANCH}") == service_diff
    assert git(ledger_repo, "log", "-1", "--format=%B", BRANCH) == git(bare, "log", "-1", "--format=%B", BRANCH)
