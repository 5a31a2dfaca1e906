"""Environments: built with uv in the sandbox, cached by key, one build per key, clear errors."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from sandbox.envs import MARKER, EnvBuilder, cache_key
from sandbox.errors import EnvironmentBuildError, PythonNotFound
from sandbox.index import IndexSettings
from sandbox.pythons import Interpreter

INTERPRETER = Interpreter(Path("/p/bin/python3"), "3.11.7", Path("/p"))


def make_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir()
    for rel, text in files.items():
        (root / rel).write_text(text)
    return root


@pytest.mark.parametrize(
    "change",
    [
        {"manifests": {"requirements.txt": "six==1.16\n"}},
        {"setup": [["make", "deps"]]},
        {"index": IndexSettings(index_url="https://other/simple")},
        {"extra": ["pytest", "hypothesis"]},
        {"interpreter": Interpreter(Path("/q/bin/python3"), "3.12.1", Path("/q"))},
    ],
)
def test_cache_key_changes_with_each_input(change: dict[str, object]) -> None:
    """Python version, manifests, setup commands, sources and extras all change the key."""
    base: dict[str, object] = {
        "interpreter": INTERPRETER,
        "manifests": {"requirements.txt": "six\n"},
        "setup": [],
        "index": IndexSettings(),
        "extra": ["pytest"],
    }
    changed = {**base, **change}
    assert cache_key(*base.values()) != cache_key(*changed.values())  # type: ignore[arg-type]


def test_cold_build_then_cache_hit(env_builder: EnvBuilder, tmp_path: Path) -> None:
    """The first call builds the declared dependencies; the second is a hit that runs nothing."""
    repo = make_repo(tmp_path / "repo", {"requirements.txt": "six\n"})
    built = env_builder.ensure(repo)
    assert not built.cache_hit and (built.path / MARKER).is_file()
    assert list(built.path.glob("lib/python*/site-packages/six.py"))
    with capture_logs() as logs:
        again = env_builder.ensure(repo)
    assert again.cache_hit and again.path == built.path and logs == []


def test_required_python_is_used(env_builder: EnvBuilder, tmp_path: Path, interpreters: list[Interpreter]) -> None:
    """The venv is made with the interpreter requires-python names, not simply the newest."""
    if len(interpreters) < 2:
        pytest.skip("needs two Python versions on the machine")
    oldest = interpreters[1].version
    pyproject = f'[project]\nname = "d"\nversion = "0"\nrequires-python = "=={oldest}"\ndependencies = []\n'
    repo = make_repo(tmp_path / "repo", {"pyproject.toml": pyproject})
    env = env_builder.ensure(repo)
    assert env.interpreter.version == oldest
    assert f"version_info = {oldest}" in (env.path / "pyvenv.cfg").read_text()


def test_missing_python_is_a_clear_error(env_builder: EnvBuilder, tmp_path: Path) -> None:
    """A repo needing a Python this machine lacks gets PythonNotFound, before anything runs."""
    repo = make_repo(tmp_path / "repo", {"pyproject.toml": '[project]\nname = "d"\nrequires-python = ">=3.99"\n'})
    with pytest.raises(PythonNotFound, match=">=3.99"):
        env_builder.ensure(repo)


def test_failed_install_leaves_no_environment(env_builder: EnvBuilder, tmp_path: Path) -> None:
    """A dependency that does not exist fails the build, and nothing is left in the cache."""
    repo = make_repo(tmp_path / "repo", {"requirements.txt": "no-such-package-organic-pr==1\n"})
    with pytest.raises(EnvironmentBuildError) as caught:
        env_builder.ensure(repo)
    assert "no-such-package-organic-pr" in caught.value.output
    assert not [p for p in (env_builder.cache_dir / "envs").iterdir() if p.name.startswith(".build-")]


def test_setup_commands_run_in_the_env(env_builder: EnvBuilder, tmp_path: Path) -> None:
    """Setup commands run inside the sandbox with the venv active, and their effect is kept."""
    repo = make_repo(tmp_path / "repo", {"requirements.txt": "\n"})
    command = ["python", "-c", "import os, sys; open(os.path.join(sys.prefix, 'setup-ran'), 'w').write('1')"]
    env = env_builder.ensure(repo, setup_commands=[command])
    assert (env.path / "setup-ran").read_text() == "1"


def test_concurrent_builds_of_one_key_build_once(env_builder: EnvBuilder, tmp_path: Path) -> None:
    """Two threads asking for the same new environment cause a single build."""
    repo = make_repo(tmp_path / "repo", {"requirements.txt": "iniconfig\n"})
    results = []
    with capture_logs() as logs:
        threads = [threading.Thread(target=lambda: results.append(env_builder.ensure(repo))) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert [entry["event"] for entry in logs] == ["sandbox.env_built"]
    assert sorted(r.cache_hit for r in results) == [False, True]
