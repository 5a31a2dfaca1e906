"""Local mode on the fixture repository: a branch in the checkout, the PR body in a file, no GitHub."""

from __future__ import annotations

import asyncio
import io
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


def test_local_mode_writes_what_utf8_cannot_encode_as_escapes(
    ledger_repo: Path, local_settings: Settings, scripted_llm: ScriptedLLM, tmp_path: Path
) -> None:
    """A title from a command line whose bytes are not UTF-8 (argv holds them as surrogates) does not fail the run
    after its commit: the commit and the body file carry the escape, and the evidence prints on a UTF-8 terminal."""
    scripted_llm.on("generate", fix_answer(), repeat=True)
    terminal = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # a UTF-8 terminal's stdout: strict

    def echo(text: str) -> None:
        terminal.write(text + "\n")

    body_file = tmp_path / "body.md"
    title = f"{ISSUE_TITLE} in caf\udce9.py"
    outcome = asyncio.run(
        run_local(ledger_repo, Issue(title, ISSUE_BODY, 1), local_settings, body_file=body_file, echo=echo)
    )
    assert outcome.branch == "organic-pr/issue-1"
    assert git(ledger_repo, "log", "-1", "--format=%s").strip() == "money: fix split() loses cents in caf\\udce9.py"
    assert "fix split() loses cents in caf\\udce9.py" in body_file.read_text()


def test_a_file_name_outside_utf8_in_the_repository_is_no_obstacle(
    ledger_repo: Path, local_settings: Settings, scripted_llm: ScriptedLLM, tmp_path: Path
) -> None:
    """A tracked file whose name and text are not UTF-8 (memory keeps such bytes as surrogates) neither stops
    the run nor changes: the fix is committed and that file is left byte for byte as it was."""
    odd = ledger_repo / "ledger" / "caf\udce9.py"
    odd.write_bytes(b"# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\n")
    git(ledger_repo, "add", "-A")
    git(ledger_repo, "commit", "-q", "-m", "Add the caf\xe9 module")
    scripted_llm.on("generate", fix_answer(), repeat=True)
    outcome = asyncio.run(
        run_local(
            ledger_repo,
            Issue(ISSUE_TITLE, ISSUE_BODY, 1),
            local_settings,
            body_file=tmp_path / "body.md",
            echo=lambda text: None,
        )
    )
    assert outcome.branch == "organic-pr/issue-1"
    changed = git(ledger_repo, "diff", "--name-only", "main..HEAD").split()
    assert changed == ["ledger/money.py", "tests/test_split_remainder.py"]
    assert odd.read_bytes() == b"# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\n"
