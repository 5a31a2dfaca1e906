"""Tests for memory.profile_state: the profile kept from per-file stats equals one mined from the whole tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from memory.builder import BuildConfig
from memory.profile_state import ProfileState, mine_profile, refresh_profile
from memory.store import MemoryStore
from tests.conftest import git
from tests.memory.conftest import commit

ERRORS = 'class PkgError(Exception):\n    """Base."""\n\n\nclass Gone(PkgError):\n    pass\n'
CORE = (
    "def run(x: int) -> int:\n    try:\n        return x\n    except KeyError as exc:\n        raise Gone() from exc\n"
)


def test_refreshed_profile_equals_a_full_mining(history_repo: Path, tmp_path: Path) -> None:
    """Added, modified, deleted and renamed sources and a config change give the profile a full mining gives."""
    store = MemoryStore(tmp_path / "mem", None, BuildConfig(calibration_units=3))
    state = mine_profile(history_repo, store.update(history_repo))
    commit(history_repo, "Add errors", {"src/pkg/errors.py": ERRORS, "tests/test_errors.py": "def test_x(): pass\n"})
    commit(history_repo, "Use errors in core", {"src/pkg/core.py": CORE, "src/pkg/client.py": None})
    git(history_repo, "mv", "src/pkg/jar.py", "src/pkg/cookie_jar.py")
    git(history_repo, "commit", "-q", "-m", "Rename jar")
    commit(history_repo, "Configure ruff", {"pyproject.toml": "[tool.ruff]\nline-length = 99\n"})
    memory = store.update(history_repo)
    refreshed = refresh_profile(history_repo, memory, state)
    assert refreshed == mine_profile(history_repo, memory)
    assert refreshed.profile["exception_bases"][0] == "PkgError"
    assert refreshed.profile["formatters"]["ruff"] == {"line-length": 99}
    assert "src/pkg/client.py" not in refreshed.stats and "src/pkg/cookie_jar.py" in refreshed.stats


def test_refresh_without_a_known_commit_mines_afresh(history_repo: Path, tmp_path: Path) -> None:
    """A state from a commit memory never saw (rewritten history) is not trusted."""
    memory = MemoryStore(tmp_path / "mem", None).update(history_repo)
    stranger = ProfileState("0" * 40, {}, {"ghost.py": {}}, {})
    assert refresh_profile(history_repo, memory, stranger) == mine_profile(history_repo, memory)


@pytest.mark.parametrize("data", [None, [], {"version": 1, "sha": "x"}, {"version": 2, "sha": "x"}])
def test_malformed_or_old_state_is_none(data: object) -> None:
    """Stored states of another version or with missing fields are discarded."""
    assert ProfileState.from_json(data) is None
