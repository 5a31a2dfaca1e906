"""Tests for memory.cli through click's runner, on a real git history with the fake embedder."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from memory.cli import cli


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_build_then_recall_then_show(history_repo: Path, tmp_path: Path) -> None:
    """build reports counts, recall prints ranked JSON within budget, show prints the profile."""
    common = ["--memory-dir", str(tmp_path / "mem"), "--embedder", "fake"]
    assert "6 units" in _run("build", str(history_repo), *common)
    answer = json.loads(_run("recall", str(history_repo), "cookie attributes parsing", "--budget", "800", *common))
    assert answer["files"][0]["path"] == "src/pkg/jar.py"
    assert answer["budget_tokens"] == 800
    shown = json.loads(_run("show", str(history_repo), *common))
    assert shown["units"] == 6 and shown["embedder"] == "fake-64"
    assert "title" in shown["conventions"]


def test_bench_prints_all_methods(history_repo: Path) -> None:
    """bench scores the units after the cut with memory and both baselines."""
    output = _run("bench", str(history_repo), "--cut", "2000-01-01", "--embedder", "none")
    for method in ("memory", "content-bm25", "rrf(content,message)"):
        assert method in output
    assert "file (units=" in output
    assert "file R@5 delta, 95% paired bootstrap over units: " in output
