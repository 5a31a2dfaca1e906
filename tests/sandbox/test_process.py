"""The subprocess choke point: argv only, bounded output, deadline, no leftovers."""

from __future__ import annotations

import sys

import pytest

from sandbox.errors import LaunchError
from sandbox.process import TRUNCATION_MARKER, run

PY = sys.executable


def test_captures_stdout_stderr_and_status() -> None:
    """Both streams and the exit status come back."""
    done = run([PY, "-c", "import sys; print('out'); sys.stderr.write('err'); sys.exit(3)"], timeout_s=30, env={})
    assert (done.returncode, done.stdout, done.stderr) == (3, "out\n", "err")


def test_env_is_exactly_what_is_given() -> None:
    """The child sees only the environment passed in."""
    code = "import os; print(sorted(set(os.environ) - {'LC_CTYPE'}))"  # Python may coerce the C locale itself
    done = run([PY, "-c", code], timeout_s=30, env={"ONLY": "1"})
    assert done.stdout.strip() == "['ONLY']"


def test_shell_string_is_refused() -> None:
    """A string instead of an argv list is a programming error."""
    with pytest.raises(TypeError):
        run("echo hi", timeout_s=5, env={})


def test_missing_program_is_a_launch_error() -> None:
    """A program that cannot be started raises LaunchError."""
    with pytest.raises(LaunchError):
        run(["/nonexistent/program"], timeout_s=5, env={})


def test_deadline_kills_and_reports_timeout() -> None:
    """A process past its deadline is killed and flagged as timed out."""
    done = run([PY, "-c", "import time; time.sleep(60)"], timeout_s=0.5, env={})
    assert done.timed_out and done.returncode == -9


def test_output_over_budget_is_truncated_with_marker() -> None:
    """Output past the budget is cut, marked visibly, and the run is stopped."""
    code = "import sys\nwhile True: sys.stdout.write('x' * 65536)"
    done = run([PY, "-c", code], timeout_s=30, env={}, output_bytes=100_000)
    assert done.output_exceeded
    assert done.stdout.endswith(TRUNCATION_MARKER.format(limit=100_000))
    assert len(done.stdout) < 100_000 + 200


def test_background_child_holding_pipe_does_not_hang_the_run() -> None:
    """A grandchild that keeps stdout open is killed shortly after the main process exits."""
    sleeper = "[sys.executable, '-c', 'import time; time.sleep(60)']"
    code = f"import subprocess, sys; subprocess.Popen({sleeper}); print('main done')"
    done = run([PY, "-c", code], timeout_s=30, env={})
    assert done.returncode == 0 and not done.timed_out and done.stdout == "main done\n"
