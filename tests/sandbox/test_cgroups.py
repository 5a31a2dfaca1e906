"""Per-run cgroup v1 groups: created under our own group, counted, and removed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sandbox.cgroups import DEFAULT_ROOT, RunCgroup

pytestmark = pytest.mark.skipif(not RunCgroup.available(DEFAULT_ROOT), reason="no writable cgroup v1 here")


def test_absent_root_gives_no_group(tmp_path: Path) -> None:
    """A root without controllers yields None, so the caller falls back to rlimits."""
    assert RunCgroup.create(tmp_path, max_procs=5, memory_bytes=1 << 20) is None


def test_remove_kills_members_and_deletes_groups() -> None:
    """Removing a group kills what is left inside and deletes the directories."""
    group = RunCgroup.create(DEFAULT_ROOT, max_procs=5, memory_bytes=1 << 28)
    assert group is not None
    child = subprocess.Popen(["sleep", "60"])
    group.attach_tree(child.pid)
    group.remove()
    assert child.wait(timeout=10) == -9
    assert group.pids_dir is not None and not group.pids_dir.exists()


def test_counts_failed_forks() -> None:
    """Forks refused at pids.max are counted."""
    group = RunCgroup.create(DEFAULT_ROOT, max_procs=2, memory_bytes=1 << 28)
    assert group is not None
    try:
        shell = subprocess.Popen(
            ["sh", "-c", "read x; for i in 1 2 3 4; do sleep 1 & done; wait"],
            stdin=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        group.attach_tree(shell.pid)
        shell.communicate(b"go\n", timeout=30)
        assert group.counters().fork_failures > 0
    finally:
        group.remove()
