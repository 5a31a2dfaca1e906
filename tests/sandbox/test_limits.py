"""Limits validate themselves and translate into a prlimit prefix."""

from __future__ import annotations

import pytest

from sandbox.limits import MIB, Limits, prlimit_argv


def test_nonpositive_limit_is_rejected() -> None:
    """A zero or negative limit is a configuration error."""
    with pytest.raises(ValueError, match="wall_s"):
        Limits(wall_s=0)


def test_prlimit_argv_with_all_rlimits() -> None:
    """Without cgroups, memory and processes are limited by rlimits too."""
    argv = prlimit_argv(
        Limits(cpu_s=5, memory_bytes=64 * MIB, max_procs=7, file_size_bytes=100),
        memory_by_rlimit=True,
        procs_by_rlimit=True,
    )
    assert argv == ["prlimit", "--cpu=5:6", "--fsize=100", "--core=0", f"--as={64 * MIB}", "--nproc=7", "--"]


def test_prlimit_argv_leaves_memory_and_procs_to_cgroups() -> None:
    """With cgroups, no address-space or process rlimit is set."""
    argv = prlimit_argv(Limits(), memory_by_rlimit=False, procs_by_rlimit=False)
    assert not any(arg.startswith(("--as", "--nproc")) for arg in argv)
