"""Shared sandbox fixtures: the interpreter to run inside the sandbox, and a bubblewrap backend."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sandbox.backends import BubblewrapBackend, Mount, RunResult, SandboxSpec
from sandbox.envs import EnvBuilder
from sandbox.index import IndexSettings
from sandbox.limits import Limits
from sandbox.pythons import Interpreter, find_interpreters, pyenv_dirs

PYTHON_PREFIX = Path(sys.base_prefix)
PYTHON = str(PYTHON_PREFIX / "bin" / "python3")


@pytest.fixture
def bwrap_backend() -> BubblewrapBackend:
    """The real bubblewrap backend, with a cgroup v1 per run where the host allows it."""
    return BubblewrapBackend()


@pytest.fixture
def run_python(bwrap_backend: BubblewrapBackend, tmp_path: Path) -> Callable[..., RunResult]:
    """Run a Python snippet in the sandbox with `tmp_path/work` as the writable worktree."""
    worktree = tmp_path / "work"
    worktree.mkdir(exist_ok=True)

    def run(code: str, *args: str, limits: Limits | None = None, mounts: tuple[Mount, ...] = ()) -> RunResult:
        spec = SandboxSpec(
            argv=(PYTHON, "-c", code, *args),
            cwd=worktree,
            mounts=(Mount(PYTHON_PREFIX), Mount(worktree, writable=True), *mounts),
            limits=limits or Limits(wall_s=60),
        )
        return bwrap_backend.run(spec)

    return run


LOCAL_INDEX = Path("/opt/pypi/simple")


@pytest.fixture(scope="session")
def interpreters() -> list[Interpreter]:
    """The interpreters on this machine (pyenv versions and the system Python)."""
    return find_interpreters([*pyenv_dirs(Path("/root/.pyenv")), Path("/usr/bin")])


@pytest.fixture(scope="session")
def local_index() -> IndexSettings:
    """This machine's on-disk package index (no network needed)."""
    if not LOCAL_INDEX.is_dir():
        pytest.skip("no local package index at /opt/pypi/simple")
    return IndexSettings(index_url=LOCAL_INDEX.as_uri())


@pytest.fixture(scope="session")
def env_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One environment cache for the session, so the uv download cache is shared between tests."""
    return tmp_path_factory.mktemp("envcache")


@pytest.fixture
def env_builder(interpreters: list[Interpreter], local_index: IndexSettings, env_cache: Path) -> EnvBuilder:
    """An environment builder on the real bubblewrap backend and the local index."""
    return EnvBuilder(backend=BubblewrapBackend(), cache_dir=env_cache, interpreters=interpreters, index=local_index)
