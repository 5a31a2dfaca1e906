"""Tests for memory.cli through click's runner, on a real git history with the fake embedder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from memory.cli import cli, read_only_memory
from memory.store import MEMORY_FILE, MemoryStore
from memory.vectors import FakeEmbedder
from tests.memory.conftest import CLIENT, COOKIES, commit


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
    assert len(shown["weights"]["signals"]) <= 12
    assert all(value == round(value, 3) for value in shown["weights"]["signals"].values())


def test_recall_reads_text_from_stdin_and_prints_compact_json(history_repo: Path, tmp_path: Path) -> None:
    """TEXT `-` is read from standard input; the JSON is compact unless --pretty, and fits the budget."""
    common = ["--memory-dir", str(tmp_path / "mem"), "--embedder", "fake"]
    args = ["recall", str(history_repo), "-", "--budget", "300", *common]
    result = CliRunner().invoke(cli, args, input="cookie attributes parsing\n" * 2000, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "\n" not in result.output.strip() and len(result.output.strip()) <= 300 * 4
    assert json.loads(result.output)["files"][0]["path"] == "src/pkg/jar.py"
    pretty = _run("recall", str(history_repo), "cookie attributes parsing", "--pretty", *common)
    assert pretty.startswith("{\n  ") and json.loads(pretty)["files"][0]["path"] == "src/pkg/jar.py"


def test_recall_with_a_budget_below_the_empty_answer_is_a_clean_error(history_repo: Path, tmp_path: Path) -> None:
    """A budget too small for any answer fails with one line saying so, not a traceback or an oversized answer."""
    args = ["recall", str(history_repo), "cookies", "--budget", "5", "--memory-dir", str(tmp_path / "m")]
    result = CliRunner().invoke(cli, [*args, "--embedder", "fake"])
    assert result.exit_code == 1 and "below the smallest answer" in result.output


@pytest.fixture
def dated_repo(make_git_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repo with one commit on the first of January of each year from 2020 to 2024."""
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2020-01-01T12:00:00Z")
    root = make_git_repo({"src/pkg/client.py": CLIENT, "src/pkg/cookies.py": COOKIES})
    changes = [
        ("Fix timeout in Client.send", {"src/pkg/client.py": CLIENT.replace("return request", "return 1")}),
        ("Parse cookie attributes", {"src/pkg/cookies.py": COOKIES.replace('split(";")', 'split("; ")')}),
        ("Close the client politely", {"src/pkg/client.py": CLIENT.replace("pass", "return None")}),
        ("Parse cookie values", {"src/pkg/cookies.py": COOKIES.replace("header.split", "header.strip().split")}),
    ]
    for year, (message, files) in zip(range(2021, 2025), changes, strict=True):
        monkeypatch.setenv("GIT_COMMITTER_DATE", f"{year}-01-01T12:00:00Z")
        commit(root, message, dict(files))
    return root


def test_bench_prints_all_methods(dated_repo: Path) -> None:
    """bench scores the units after the cut with memory and both baselines."""
    output = _run("bench", str(dated_repo), "--cut", "2022-06-01", "--embedder", "none")
    assert "history_units=3" in output
    for method in ("memory", "content-bm25", "rrf(content,message)"):
        assert method in output
    assert "file (units=2)" in output
    assert "file R@5 delta, 95% paired bootstrap over units: " in output


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        ("2030-01-01", "no units after the cut 2030-01-01; the last commit is dated 2024-01-01"),
        ("2019-06-01", "no history before the cut 2019-06-01; the first commit is dated 2020-01-01"),
        ("2020-01-01", "no history before the cut 2020-01-01; the first commit is dated 2020-01-01"),
    ],
)
def test_bench_refuses_a_cut_outside_the_history(dated_repo: Path, cut: str, message: str) -> None:
    """A cut after the last commit or at/before the first one fails with the date of that commit."""
    result = CliRunner().invoke(cli, ["bench", str(dated_repo), "--cut", cut, "--embedder", "none"])
    assert result.exit_code == 1
    assert result.output == f"Error: {message}\n"


def _built(repo: Path, memory_dir: Path) -> tuple[Path, bytes]:
    """Memory built with the fake embedder: its file, and the bytes it holds."""
    _run("build", str(repo), "--memory-dir", str(memory_dir), "--embedder", "fake")
    path = MemoryStore(memory_dir, None).repo_dir(repo) / MEMORY_FILE
    return path, path.read_bytes()


@pytest.mark.parametrize("command", [["show"], ["recall", "cookie parsing"]], ids=lambda c: c[0])
def test_read_commands_use_the_stored_embedder_by_default(
    history_repo: Path, tmp_path: Path, command: list[str]
) -> None:
    """Without --embedder, show and recall read memory as it was built, and leave the file as it was."""
    path, before = _built(history_repo, tmp_path / "mem")
    output = _run(command[0], str(history_repo), *command[1:], "--memory-dir", str(tmp_path / "mem"))
    if command[0] == "show":
        assert json.loads(output)["embedder"] == "fake-64"
    else:
        assert json.loads(output)["files"][0]["path"] == "src/pkg/jar.py"
    assert path.read_bytes() == before


@pytest.mark.parametrize("command", [["show"], ["recall", "cookie parsing"]], ids=lambda c: c[0])
@pytest.mark.parametrize("asked", ["none", "model"])
def test_read_commands_refuse_another_embedder(
    history_repo: Path, tmp_path: Path, command: list[str], asked: str
) -> None:
    """An explicit embedder other than the stored one is an error naming both and the rebuild; nothing is rebuilt."""
    path, before = _built(history_repo, tmp_path / "mem")
    argv = [command[0], str(history_repo), *command[1:], "--memory-dir", str(tmp_path / "mem"), "--embedder", asked]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: memory for {history_repo} was built with --embedder fake (fake-64), ")
    assert f"not --embedder {asked} " in result.output
    assert f"organic-pr memory build {history_repo} --embedder {asked}\n" in result.output
    assert path.read_bytes() == before


def test_read_commands_accept_the_stored_embedder_asked_for(history_repo: Path, tmp_path: Path) -> None:
    """Asking explicitly for the embedder the memory was built with reads it as built."""
    path, before = _built(history_repo, tmp_path / "mem")
    output = _run("show", str(history_repo), "--memory-dir", str(tmp_path / "mem"), "--embedder", "fake")
    assert json.loads(output)["embedder"] == "fake-64"
    assert path.read_bytes() == before


@pytest.mark.parametrize(("asked", "expected"), [(None, "model"), ("none", None), ("fake", "fake-64")])
def test_without_stored_memory_the_asked_embedder_or_the_model_is_used(
    history_repo: Path, tmp_path: Path, asked: str | None, expected: str | None
) -> None:
    """With nothing stored, read commands build with the embedder asked for, else the packaged model."""
    memories = read_only_memory(history_repo, tmp_path / "mem", asked, None)
    embedder = memories.store.embedder
    assert (embedder.name if embedder else None) == expected


def test_memory_of_an_unknown_model_asks_for_its_path(history_repo: Path, tmp_path: Path) -> None:
    """Memory built with another model (its folder name) needs --model-path to that model, or a rebuild."""
    other = FakeEmbedder()
    other.name = "my-finetuned-model"
    MemoryStore(tmp_path / "mem", other).update(history_repo)
    with pytest.raises(click.ClickException, match="built with the model 'my-finetuned-model'; pass --model-path"):
        read_only_memory(history_repo, tmp_path / "mem", None, None)
