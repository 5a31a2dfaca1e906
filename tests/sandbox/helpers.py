"""Shared sandbox fixtures: the interpreter to run inside the sandbox, and a bubblewrap backend."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sandbox.backends import BubblewrapBackend, Mount, RunResult, SandboxSpec
from sandbox.limits import Limits

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
