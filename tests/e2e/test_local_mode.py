"""Local mode on the fixture repository: a branch in the checkout, the PR body in a file, no GitHub."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.patching.context import Issue
from bot.pipeline.local import run_local
from bot.pipeline.writer import SECTIONS
from bot.settings import Settings
from tests.conftest import git
from tests.e2e.fixture_repo import ISSUE_BODY, ISSUE_TITLE, fix_answer
from tests.llm.scripted import ScriptedLLM


def test_local_mode_commits_the_fix_on_a_branch(
    ledger_repo: Path, local_settings: Settings, scripted_llm: ScriptedLLM, tmp_path: Path
) -> None:
    """The scripted fix lands as one commit on organic-pr/issue-1 with the repro test; the body has every section."""
    scripted_llm.on("generate", fix_answer(), repeat=True)
    lines: list[str] = []
    body_file = tmp_path / "body.md"
    outcome = asyncio.run(
        run_local(
            ledger_repo, Issue(ISSUE_TITLE, ISSUE_BODY, 1), local_settings, body_file=body_file, echo=lines.append
        )
    )
    assert outcome.branch == "organic-pr/issue-1"
    assert git(ledger_repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "organic-pr/issue-1"
    changed = git(ledger_repo, "diff", "--name-only", "main..HEAD").split()
    assert changed == ["ledger/money.py", "tests/test_split_remainder.py"]
    body = body_file.read_text()
    assert all(f"### {i}. {name}" in body for i, name in enumerate(SECTIONS, 1))
    assert body.rstrip().endswith("Fixes #1")
    assert git(ledger_repo, "log", "-1", "--format=%s").strip() == "money: fix split() loses cents"
    assert any("Decision:" in line for line in lines)
