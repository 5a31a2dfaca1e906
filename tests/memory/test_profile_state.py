"""Tests for memory.profile_state: the profile kept from per-file stats equals one mined from the whole tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from memory.builder import BuildConfig
from memory.code_style import MAX_CHARS
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
    assert refreshed.profile["exception_bases"] == ["PkgError"]
    assert refreshed.profile["formatters"]["ruff"] == {"line-length": 99}
    assert "src/pkg/client.py" not in refreshed.stats and "src/pkg/cookie_jar.py" in refreshed.stats
    assert "src/pkg/client.py" not in refreshed.refs and "src/pkg/core.py" in refreshed.refs


def test_changelog_paths_follow_added_deleted_and_declared_fragments(history_repo: Path, tmp_path: Path) -> None:
    """Changelog files and fragments added, deleted or newly declared by towncrier are tracked as a full mining."""
    store = MemoryStore(tmp_path / "mem", None, BuildConfig(calibration_units=3))
    state = mine_profile(history_repo, store.update(history_repo))
    commit(history_repo, "Fix a", {"CHANGES.md": "# Changes\n", "changelog.d/1.bugfix": "a\n", "frag/2.x": "b\n"})
    commit(history_repo, "Fix b", {"changelog.d/3.feature": "c\n", "CHANGES.md": "# Changes\n\n- b\n"})
    state = refresh_profile(history_repo, store.update(history_repo), state)
    assert state.changelog == ["CHANGES.md", "changelog.d/1.bugfix", "changelog.d/3.feature"]
    release = {"changelog.d/1.bugfix": None, "changelog.d/3.feature": None, "CHANGES.md": "# 1.0\n\n- a\n- b\n"}
    commit(history_repo, "Release", release)
    commit(history_repo, "Use towncrier", {"pyproject.toml": '[tool.towncrier]\ndirectory = "frag"\n'})
    memory = store.update(history_repo)
    refreshed = refresh_profile(history_repo, memory, state)
    assert refreshed == mine_profile(history_repo, memory)
    assert refreshed.changelog == ["CHANGES.md", "frag/2.x"]
    changelog = refreshed.profile["changelog"]
    assert (changelog["files"], changelog["fragment_dirs"], changelog["towncrier"]) == (["CHANGES.md"], ["frag"], True)
    assert changelog["touched"][0] == "CHANGES.md" and changelog["entries"] == "edited in place"


def test_api_entries_count_references_in_the_tree(history_repo: Path, tmp_path: Path) -> None:
    """The state's references give the API index of memory's snapshot its use counts."""
    store = MemoryStore(tmp_path / "mem", None, BuildConfig(calibration_units=3))
    state = mine_profile(history_repo, store.update(history_repo))
    commit(history_repo, "Use the client", {"src/pkg/app.py": "from pkg.client import Client\n\nc = Client()\n"})
    memory = store.update(history_repo)
    entries = {e.qualname: e for e in refresh_profile(history_repo, memory, state).api_entries(memory)}
    assert (entries["Client"].uses, entries["Client.send"].uses, entries["Client.send"].ambiguous) == (1, 0, False)


def test_refresh_without_a_known_commit_mines_afresh(history_repo: Path, tmp_path: Path) -> None:
    """A state from a commit memory never saw (rewritten history) is not trusted."""
    memory = MemoryStore(tmp_path / "mem", None).update(history_repo)
    stranger = ProfileState("0" * 40, {}, {"ghost.py": {}}, {})
    assert refresh_profile(history_repo, memory, stranger) == mine_profile(history_repo, memory)


@pytest.mark.parametrize(
    "data", [None, [], {"version": 2, "sha": "x"}, {"version": 3, "sha": "x"}, {"version": 4, "sha": "x"}]
)
def test_malformed_or_old_state_is_none(data: object) -> None:
    """Stored states of another version or with missing fields are discarded."""
    assert ProfileState.from_json(data) is None


def test_symbolic_links_are_no_files_in_a_refresh_either(history_repo: Path, tmp_path: Path) -> None:
    """Links added, retargeted and removed leave the refreshed profile equal to a full mining, which skips them."""
    store = MemoryStore(tmp_path / "mem", None, BuildConfig(calibration_units=3))
    state = mine_profile(history_repo, store.update(history_repo))
    commit(history_repo, "Add a changelog", {"docs/changelog.md": "# Changes\n"})
    (history_repo / "CHANGES.md").symlink_to("docs/changelog.md")
    (history_repo / "src/pkg/alias.py").symlink_to("core.py")
    git(history_repo, "add", "CHANGES.md", "src/pkg/alias.py")
    git(history_repo, "commit", "-q", "-m", "Link the changelog and an alias")
    state = refresh_profile(history_repo, store.update(history_repo), state)
    (history_repo / "src/pkg/alias.py").unlink()
    (history_repo / "src/pkg/alias.py").symlink_to("client.py")
    git(history_repo, "add", "src/pkg/alias.py")
    commit(history_repo, "Retarget the alias, drop the link", {"CHANGES.md": None})
    memory = store.update(history_repo)
    refreshed = refresh_profile(history_repo, memory, state)
    assert refreshed == mine_profile(history_repo, memory)
    assert "src/pkg/alias.py" not in refreshed.stats and "src/pkg/alias.py" not in memory.snapshot.files
    assert all(f.path != "src/pkg/alias.py" for u in memory.history.units for f in u.files)


def test_a_file_replaced_by_a_link_leaves_the_profile_as_a_full_mining(history_repo: Path, tmp_path: Path) -> None:
    """A regular file turned into a link shows in the units as a deletion only: the refresh once read the link's
    target text as the file (`rev:path` resolves the link's blob) and kept stats a full mining never has."""
    store = MemoryStore(tmp_path / "mem", None, BuildConfig(calibration_units=3))
    state = mine_profile(history_repo, store.update(history_repo))
    git(history_repo, "rm", "-q", "src/pkg/client.py")
    (history_repo / "src/pkg/client.py").symlink_to("jar.py")
    git(history_repo, "add", "src/pkg/client.py")
    git(history_repo, "commit", "-q", "-m", "Alias the client")
    memory = store.update(history_repo)
    refreshed = refresh_profile(history_repo, memory, state)
    assert refreshed == mine_profile(history_repo, memory)
    assert "src/pkg/client.py" not in refreshed.stats


def test_vendored_sources_huge_configs_and_odd_bytes_are_kept_out_alike(history_repo: Path, tmp_path: Path) -> None:
    """Vendored sources and configs over MAX_CHARS are neither stored nor counted, by a refresh as by a full
    mining; a Latin-1 source and a setup.cfg with stray bytes are read without error."""
    store = MemoryStore(tmp_path / "mem", None, BuildConfig(calibration_units=3))
    state = mine_profile(history_repo, store.update(history_repo))
    (history_repo / "src/pkg/latin.py").write_bytes(b"# caf\xe9\ndef f(x: int) -> int:\n    return x\n")
    (history_repo / "setup.cfg").write_bytes(b"[flake8]\nmax-line-length = 99\n# \xff\xfe\n")
    git(history_repo, "add", "src/pkg/latin.py", "setup.cfg")
    git(history_repo, "commit", "-q", "-m", "Add odd bytes")
    vendored: dict[str, str | None] = {"src/pkg/_vendor/lib/core.py": "def g():\n    pass\n"}
    commit(history_repo, "Vendor a lib", {**vendored, "tox.ini": "[tox]\n" + "#\n" * MAX_CHARS})
    memory = store.update(history_repo)
    refreshed = refresh_profile(history_repo, memory, state)
    assert refreshed == mine_profile(history_repo, memory)
    assert "src/pkg/_vendor/lib/core.py" not in refreshed.stats and "tox.ini" not in refreshed.configs
    assert refreshed.profile["formatters"]["flake8"] == {"max-line-length": 99}
    assert refreshed.stats["src/pkg/latin.py"]["annotated"] == 1


def test_files_ruff_extends_are_read_and_kept_current(history_repo: Path, tmp_path: Path) -> None:
    """A file `extend` names is read with the root configs, by a refresh as by a full mining, and re-read when it
    changes."""
    store = MemoryStore(tmp_path / "mem", None, BuildConfig(calibration_units=3))
    state = mine_profile(history_repo, store.update(history_repo))
    base = {"config/ruff-base.toml": 'line-length = 100\n[lint]\nselect = ["E"]\n'}
    commit(history_repo, "Share ruff", {"ruff.toml": 'extend = "config/ruff-base.toml"\n', **base})
    memory = store.update(history_repo)
    state = refresh_profile(history_repo, memory, state)
    assert state == mine_profile(history_repo, memory)
    ruff = {"extend": "config/ruff-base.toml", "line-length": 100, "select": ["E"]}
    assert state.profile["formatters"]["ruff"] == ruff
    commit(history_repo, "Longer lines", {"config/ruff-base.toml": "line-length = 120\n"})
    memory = store.update(history_repo)
    state = refresh_profile(history_repo, memory, state)
    assert state == mine_profile(history_repo, memory)
    assert state.profile["formatters"]["line_length"] == 120
    commit(history_repo, "Own ruff", {"ruff.toml": "line-length = 99\n"})
    memory = store.update(history_repo)
    state = refresh_profile(history_repo, memory, state)
    assert state == mine_profile(history_repo, memory) and "config/ruff-base.toml" not in state.configs


def test_a_monorepos_projects_keep_their_own_settings(history_repo: Path, tmp_path: Path) -> None:
    """Config files up to two folders down are read, by a refresh as by a full mining: each project folder whose
    own files configure a tool gets its settings; deeper, test and vendored folders are not read."""
    store = MemoryStore(tmp_path / "mem", None, BuildConfig(calibration_units=3))
    state = mine_profile(history_repo, store.update(history_repo))
    files: dict[str, str | None] = {
        "backend/pyproject.toml": "[tool.ruff]\nline-length = 120\n",
        "services/api/setup.cfg": "[flake8]\nmax-line-length = 99\n",
        "services/api/deep/ruff.toml": "line-length = 60\n",
        "tests/fixtures/ruff.toml": "line-length = 70\n",
        "vendor/lib/ruff.toml": "line-length = 71\n",
        "docs/pyproject.toml": '[project]\nname = "docs"\n',
    }
    commit(history_repo, "Monorepo", files)
    memory = store.update(history_repo)
    state = refresh_profile(history_repo, memory, state)
    assert state == mine_profile(history_repo, memory)
    folders = state.profile["formatters"]["folders"]
    assert list(folders) == ["backend", "services/api"]  # docs/ configures no tool
    assert folders["backend"]["line_length"] == 120 and folders["backend"]["files"] == ["backend/pyproject.toml"]
    assert folders["services/api"]["flake8"] == {"max-line-length": 99}
    assert not {"services/api/deep/ruff.toml", "tests/fixtures/ruff.toml", "vendor/lib/ruff.toml"} & set(state.configs)
    commit(history_repo, "Longer", {"backend/pyproject.toml": "[tool.ruff]\nline-length = 140\n"})
    memory = store.update(history_repo)
    state = refresh_profile(history_repo, memory, state)
    assert state == mine_profile(history_repo, memory)
    assert state.profile["formatters"]["folders"]["backend"]["line_length"] == 140
