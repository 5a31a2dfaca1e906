"""Tests for memory.cli's bad inputs: one-line errors and a non-zero exit code, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from memory.cli import cli
from tests.conftest import git


def _fail(*args: str) -> Result:
    """Run the CLI expecting it to refuse: click's own exit (no exception escaped), with an error line."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def not_git(tmp_path: Path) -> Path:
    folder = tmp_path / "notgit"
    folder.mkdir()
    return folder


@pytest.fixture
def no_commits(tmp_path: Path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    git(folder, "init", "-q", "-b", "main")
    return folder


COMMANDS = [["build"], ["recall", "PATH", "some text"], ["show"], ["bench", "PATH", "--cut", "2020-01-01"]]


def _argv(command: list[str], path: Path, memory_dir: Path) -> list[str]:
    argv = [str(path) if a == "PATH" else a for a in command]
    if len(argv) == 1:
        argv.append(str(path))
    if argv[0] != "bench":
        argv += ["--memory-dir", str(memory_dir), "--embedder", "none"]
    return argv


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_folder_outside_git_is_named_as_such(command: list[str], not_git: Path, tmp_path: Path) -> None:
    """Every command says the path is not a git repository, and builds nothing."""
    result = _fail(*_argv(command, not_git, tmp_path / "mem"))
    assert result.exit_code == 1
    assert result.output == f"Error: {not_git} is not a git repository\n"
    assert not (tmp_path / "mem").exists()


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_repository_without_commits_is_named_as_such(command: list[str], no_commits: Path, tmp_path: Path) -> None:
    """Every command says the repository has no commits yet."""
    result = _fail(*_argv(command, no_commits, tmp_path / "mem"))
    assert result.exit_code == 1
    assert result.output == f"Error: {no_commits} has no commits yet\n"


def test_a_cut_that_is_not_a_date_fails_before_any_git_work(not_git: Path) -> None:
    """--cut is checked as a date first: on a folder that is not even a repository, the date is what fails."""
    result = _fail("bench", str(not_git), "--cut", "notadate")
    assert result.exit_code == 2
    assert "Invalid value for '--cut': must be a date, YYYY-MM-DD, not 'notadate'" in result.output


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["recall", "PATH", "text", "-k", "-3"], "-k"),
        (["recall", "PATH", "text", "-k", "0"], "-k"),
        (["recall", "PATH", "text", "--budget", "-5"], "--budget"),
        (["recall", "PATH", "text", "--budget", "0"], "--budget"),
        (["bench", "PATH", "--cut", "2020-01-01", "--limit", "0"], "--limit"),
    ],
)
def test_counts_below_one_are_refused(args: list[str], option: str, tmp_path: Path) -> None:
    """-k, --budget and --limit must be at least 1; click names the option and the range."""
    result = _fail(*[str(tmp_path) if a == "PATH" else a for a in args])
    assert result.exit_code == 2
    assert f"Invalid value for '{option}'" in result.output
    assert "is not in the range x>=1" in result.output


def test_a_memory_dir_that_is_a_file_is_a_one_line_error(history_repo: Path, tmp_path: Path) -> None:
    """File system errors (here a --memory-dir that is a file; a full disk alike) are named, not a traceback."""
    blocker = tmp_path / "memfile"
    blocker.write_text("not a folder")
    result = _fail("build", str(history_repo), "--memory-dir", str(blocker), "--embedder", "none")
    assert "Error: Not a directory" in result.output
    assert str(blocker) in result.output
