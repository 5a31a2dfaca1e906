"""Fixtures for memory tests: a small real git history with squash commits, a PR merge, a rename and a revert."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import git
from tests.llm.scripted import scripted_llm, scripted_llm_server  # noqa: F401  # the scripted model fixtures

CLIENT = '''"""HTTP client."""


class Client:
    def send(self, request):
        """Send a request."""
        return request

    def close(self):
        pass
'''

COOKIES = '''"""Cookie jar."""


def parse_cookie(header):
    """Parse a cookie header."""
    return header.split(";")
'''


def commit(root: Path, message: str, files: dict[str, str | None]) -> str:
    """Write (or delete, for None) files and commit them; return the new sha."""
    for rel, text in files.items():
        target = root / rel
        if text is None:
            git(root, "rm", "-q", rel)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        git(root, "add", rel)
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def history_repo(make_git_repo: Callable[..., Path]) -> Path:
    """A repo whose first-parent history holds six units, one of them a `Merge pull request` merge."""
    root = make_git_repo(
        {"src/pkg/client.py": CLIENT, "src/pkg/cookies.py": COOKIES, "tests/test_client.py": "x = 1\n"}
    )
    commit(
        root,
        "Fix timeout in Client.send (#3)\n\nCo-authored-by: A <a@b.c>",
        {"src/pkg/client.py": CLIENT.replace("return request", "return request  # timeout")},
    )
    git(root, "checkout", "-q", "-b", "feature/cookies")
    commit(root, "Parse cookie attributes", {"src/pkg/cookies.py": COOKIES.replace('split(";")', 'split("; ")')})
    git(root, "checkout", "-q", "main")
    git(
        root,
        "merge",
        "-q",
        "--no-ff",
        "feature/cookies",
        "-m",
        "Merge pull request #7 from someone/feature/cookies\n\nParse cookie attributes",
    )
    git(root, "mv", "src/pkg/cookies.py", "src/pkg/jar.py")
    git(root, "commit", "-q", "-m", "Rename cookies module to jar")
    bad = commit(root, "Add a broken helper", {"src/pkg/helpers.py": "def helper():\n    return 1\n"})
    git(root, "revert", "--no-edit", bad)
    return root
