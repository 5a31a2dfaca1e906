"""Resource attacks: fork bomb, memory, endless loops, endless output. Each ends with its own verdict."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sandbox.backends import RunResult
from sandbox.cgroups import DEFAULT_ROOT, RunCgroup
from sandbox.limits import GIB, MIB, Limits
from sandbox.process import TRUNCATION_MARKER
from sandbox.verdict import Verdict

RunPython = Callable[..., RunResult]
MARKER = "organic-pr-security-marker"


def host_processes_with(marker: str) -> list[int]:
    """Host pids whose command line contains `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not RunCgroup.available(DEFAULT_ROOT), reason="no writable cgroup v1 pids controller")
def test_fork_bomb(run_python: RunPython) -> None:
    """An unbounded fork loop hits the process limit, and none of its processes survive the run."""
    code = "import os, sys, time\nwhile True:\n    if os.fork() == 0:\n        time.sleep(30)\n"
    result = run_python(code, MARKER, limits=Limits(max_procs=64, wall_s=60))
    assert result.verdict is Verdict.PROCESS_LIMIT
    assert host_processes_with(MARKER) == []


def test_allocate_far_beyond_memory(run_python: RunPython) -> None:
    """Allocating 16 GiB under a 256 MiB limit ends with MEMORY_LIMIT."""
    code = "blocks = []\nfor _ in range(16 * 1024):\n    blocks.append(b'x' * (1024 * 1024))\n"
    result = run_python(code, limits=Limits(memory_bytes=256 * MIB, wall_s=60))
    assert result.verdict is Verdict.MEMORY_LIMIT


def test_single_huge_allocation(run_python: RunPython) -> None:
    """One 64 GiB allocation is refused and reported as MEMORY_LIMIT."""
    result = run_python(
        "x = bytearray(64 * 1024 ** 3); x[::4096] = b'1' * len(x[::4096])", limits=Limits(memory_bytes=256 * MIB)
    )
    assert result.verdict is Verdict.MEMORY_LIMIT


def test_infinite_loop_hits_wall_time(run_python: RunPython) -> None:
    """A loop that sleeps forever is stopped at the wall-time limit."""
    result = run_python("import time\nwhile True:\n    time.sleep(1)", limits=Limits(wall_s=1.5))
    assert result.verdict is Verdict.TIMEOUT


def test_busy_loop_hits_cpu_time(run_python: RunPython) -> None:
    """A busy loop is stopped by the CPU-time limit before the wall time."""
    result = run_python("while True:\n    pass", limits=Limits(cpu_s=1, wall_s=60))
    assert result.verdict is Verdict.CPU_LIMIT


def test_one_gigabyte_to_stdout(run_python: RunPython) -> None:
    """Writing 1 GB to stdout is cut at the output limit with a visible marker; the parent holds only the cap."""
    code = "import sys\nchunk = b'z' * (1024 * 1024)\nfor _ in range(1024):\n    sys.stdout.buffer.write(chunk)\n"
    result = run_python(code, limits=Limits(output_bytes=2 * MIB, memory_bytes=GIB))
    assert result.verdict is Verdict.OUTPUT_LIMIT and result.truncated
    assert result.stdout.endswith(TRUNCATION_MARKER.format(limit=2 * MIB))
    assert len(result.stdout) <= 2 * MIB + len(TRUNCATION_MARKER) + 20
