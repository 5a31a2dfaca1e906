"""Process attacks: kill or trace the parent, and leave a daemon behind."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from sandbox.backends import RunResult
from sandbox.verdict import Verdict
from tests.security.test_resources import host_processes_with

RunPython = Callable[..., RunResult]
DAEMON_MARKER = "organic-pr-daemon-marker"


def test_kill_the_host_parent(run_python: RunPython) -> None:
    """The host's pids do not exist inside the sandbox: killing the test process fails."""
    result = run_python("import os, sys; os.kill(int(sys.argv[1]), 9)", str(os.getpid()))
    assert result.verdict is Verdict.FAILED and "ProcessLookupError" in result.stderr


def test_kill_the_sandbox_init(run_python: RunPython) -> None:
    """SIGKILL to the namespace's init from inside is ignored; the run carries on."""
    result = run_python("import os; os.kill(os.getppid(), 9); os.kill(1, 9); print('still here')")
    assert result.verdict is Verdict.OK and result.stdout == "still here\n"


def test_ptrace_the_parent(run_python: RunPython) -> None:
    """PTRACE_ATTACH to the parent is refused (no capabilities, own PID namespace)."""
    code = (
        "import ctypes, os\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "for pid in {os.getppid(), 1}:\n"
        "    if libc.ptrace(16, pid, None, None) == 0:\n"  # 16 = PTRACE_ATTACH
        "        raise SystemExit('attached to %d' % pid)\n"
        "    print(pid, os.strerror(ctypes.get_errno()))\n"
        "raise SystemExit(3)\n"
    )
    result = run_python(code)
    assert result.verdict is Verdict.FAILED and result.exit_code == 3
    assert "Operation not permitted" in result.stdout


def test_daemon_is_gone_after_the_run(run_python: RunPython) -> None:
    """A double-forked, setsid daemon dies with the sandbox's PID namespace."""
    code = (
        "import os, subprocess, sys\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', sys.argv[1]],\n"
        "                 start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print('spawned')\n"
    )
    result = run_python(code, DAEMON_MARKER)
    assert result.verdict is Verdict.OK and result.stdout == "spawned\n"
    deadline = time.monotonic() + 5
    while host_processes_with(DAEMON_MARKER) and time.monotonic() < deadline:
        time.sleep(0.05)  # the kernel tears the namespace down asynchronously
    assert host_processes_with(DAEMON_MARKER) == []
