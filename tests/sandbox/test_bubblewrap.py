"""The bubblewrap backend: what the sandbox sees, and which verdict each limit produces."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sandbox.backends import BubblewrapBackend, RunResult, SandboxSpec
from sandbox.backends.bubblewrap import bwrap_argv
from sandbox.cgroups import DEFAULT_ROOT, RunCgroup
from sandbox.errors import BackendUnavailable
from sandbox.limits import MIB, Limits
from sandbox.process import TRUNCATION_MARKER
from sandbox.verdict import Verdict

RunPython = Callable[..., RunResult]


def test_argv_binds_mounts_after_private_tmp() -> None:
    """Worktrees under /tmp stay visible: mounts come after the private /tmp tmpfs."""
    spec = SandboxSpec(argv=("true",), cwd=Path("/tmp/w"), mounts=())
    argv = bwrap_argv(spec)
    assert argv.index("--tmpfs") < argv.index("--chdir")
    assert argv[-2:] == ["--", "true"]


def test_argv_has_no_network_unless_asked() -> None:
    """The network is shared only when the spec asks for it."""
    closed = bwrap_argv(SandboxSpec(argv=("true",), cwd=Path("/")))
    opened = bwrap_argv(SandboxSpec(argv=("true",), cwd=Path("/"), network=True))
    assert "--share-net" not in closed and "--share-net" in opened


def test_missing_bwrap_is_reported() -> None:
    """A backend without bwrap says so instead of running unisolated."""
    with pytest.raises(BackendUnavailable, match="bubblewrap"):
        BubblewrapBackend(bwrap="/nonexistent/bwrap")


def test_runs_and_captures(run_python: RunPython) -> None:
    """A normal command runs with OK and its output."""
    result = run_python("print('hello')")
    assert (result.verdict, result.stdout) == (Verdict.OK, "hello\n")


def test_failure_is_failed(run_python: RunPython) -> None:
    """A non-zero exit is FAILED with the exit code."""
    result = run_python("raise SystemExit(4)")
    assert (result.verdict, result.exit_code) == (Verdict.FAILED, 4)


def test_environment_is_minimal(run_python: RunPython) -> None:
    """Only PATH, HOME, LANG, TMPDIR (and PWD) reach the sandbox."""
    result = run_python("import os; print(sorted(set(os.environ) - {'LC_CTYPE'}))")
    assert result.stdout.strip() == "['HOME', 'LANG', 'PATH', 'PWD', 'TMPDIR']"


def test_worktree_is_writable(run_python: RunPython, tmp_path: Path) -> None:
    """The worktree is the writable place; the write lands on the host."""
    result = run_python("open('made.txt', 'w').write('x')")
    assert result.ok and (tmp_path / "work" / "made.txt").read_text() == "x"


def test_own_pid_namespace(run_python: RunPython) -> None:
    """The sandboxed process sees only its own PID namespace."""
    result = run_python("import os; print(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))")
    assert max(eval(result.stdout)) < 10  # noqa: S307 - our own printed list


def test_wall_timeout(run_python: RunPython) -> None:
    """An endless sleep ends with TIMEOUT."""
    assert run_python("import time; time.sleep(60)", limits=Limits(wall_s=1)).verdict is Verdict.TIMEOUT


def test_cpu_limit(run_python: RunPython) -> None:
    """A busy loop past the CPU limit ends with CPU_LIMIT."""
    assert run_python("while True: pass", limits=Limits(cpu_s=1, wall_s=30)).verdict is Verdict.CPU_LIMIT


def test_memory_limit(run_python: RunPython) -> None:
    """Allocating past the memory limit ends with MEMORY_LIMIT."""
    code = "x = []\nwhile True: x.append(bytearray(8 * 1024 * 1024))"
    assert run_python(code, limits=Limits(memory_bytes=200 * MIB, wall_s=60)).verdict is Verdict.MEMORY_LIMIT


def test_file_size_limit(run_python: RunPython) -> None:
    """Writing a file past the size limit ends with FILE_SIZE_LIMIT."""
    code = "open('big', 'wb').write(b'x' * (8 * 1024 * 1024))"
    assert run_python(code, limits=Limits(file_size_bytes=MIB)).verdict is Verdict.FILE_SIZE_LIMIT


def test_output_limit(run_python: RunPython) -> None:
    """Endless output is truncated with the marker and ends with OUTPUT_LIMIT."""
    code = "import sys\nwhile True: sys.stdout.write('y' * 65536)"
    result = run_python(code, limits=Limits(output_bytes=MIB))
    assert result.verdict is Verdict.OUTPUT_LIMIT and result.truncated
    assert result.stdout.endswith(TRUNCATION_MARKER.format(limit=MIB))


@pytest.mark.skipif(not RunCgroup.available(DEFAULT_ROOT), reason="no writable cgroup v1 pids controller")
def test_process_limit(run_python: RunPython) -> None:
    """Forking past the process limit ends with PROCESS_LIMIT."""
    code = "import os, time\nfor _ in range(200):\n    if os.fork() == 0:\n        time.sleep(5)\n        os._exit(0)"
    assert run_python(code, limits=Limits(max_procs=20)).verdict is Verdict.PROCESS_LIMIT


@pytest.mark.skipif(not RunCgroup.available(DEFAULT_ROOT), reason="no writable cgroup v1")
def test_cpu_time_is_measured(run_python: RunPython) -> None:
    """CPU time spent inside the sandbox is reported (through the run's cpuacct group)."""
    result = run_python("import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass")
    assert result.ok and result.cpu_s >= 0.25
