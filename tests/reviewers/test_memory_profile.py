"""The organicity profile built from a real memory of a small git history."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from memory.builder import build
from reviewers.memory_profile import profile_from_memory
from tests.conftest import git

PARSER = "def parse(text):\n    return text.split(',')\n"
WRITER = "def write(items):\n    return ','.join(items)\n"


def history(make_git_repo: Callable[[dict[str, str]], Path]) -> Path:
    """Three commits where the parser and its test change together, and the writer alone once."""
    repo = make_git_repo(
        {"pkg/parser.py": PARSER, "pkg/writer.py": WRITER, "tests/test_parser.py": "def test_p():\n    pass\n"}
    )
    for i in range(2):
        (repo / "pkg/parser.py").write_text(
            PARSER + f"\n\ndef parse_{i}(text):\n    return parse(text)[{i}]\n" * (i + 1)
        )
        (repo / "tests/test_parser.py").write_text(f"def test_p():\n    assert {i} == {i}\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"parser: comma separated values fix {i}")
    (repo / "pkg/writer.py").write_text(WRITER + "\n\ndef flush():\n    return None\n")
    git(repo, "commit", "-qam", "writer: flush")
    return repo


def test_profile_localizes_cochanges_and_collects_helpers(make_git_repo: Callable[[dict[str, str]], Path]) -> None:
    """Localization scores lie in [0, 1], co-change comes from the history, and helpers carry bodies from sources."""
    repo = history(make_git_repo)
    memory = build(repo, None)
    profile = profile_from_memory(
        memory,
        "parser comma separated values",
        paths=["pkg/parser.py"],
        sources={"pkg/parser.py": PARSER + "\n\ndef two(t):\n    x = t\n    return x\n"},
    )
    assert profile.file_scores
    assert all(0.0 < score <= 1.0 for score in profile.file_scores.values())
    assert max(profile.file_scores, key=lambda p: profile.file_scores[p]) == "pkg/parser.py"
    assert 0.0 < profile.cochange["pkg/parser.py"]["pkg/writer.py"] <= 1.0  # together in the first commit
    assert profile.helpers["pkg/parser.py::two"] == "x = t\nreturn x"
    assert "pkg/writer.py::write" in profile.helpers
    assert all(size > 0 for size in profile.past_sizes)


def test_conventions_are_passed_through(make_git_repo: Callable[[dict[str, str]], Path]) -> None:
    """Conventions given by the caller land in the profile unchanged."""
    memory = build(history(make_git_repo), None)
    conventions = {"formatters": {"ruff": {"line-length": 120}}}
    assert profile_from_memory(memory, "parser", conventions=conventions).conventions == conventions
