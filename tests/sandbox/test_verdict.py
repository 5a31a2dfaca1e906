"""The verdict table: how a run ended -> what the sandbox reports."""

from __future__ import annotations

import signal

import pytest

from sandbox.verdict import Ending, Verdict, decide, split_status


@pytest.mark.parametrize(
    ("ending", "expected"),
    [
        (Ending(exit_code=0), Verdict.OK),
        (Ending(exit_code=1), Verdict.FAILED),
        (Ending(exit_code=None, signal=signal.SIGKILL, timed_out=True), Verdict.TIMEOUT),
        (Ending(exit_code=0, output_exceeded=True), Verdict.OUTPUT_LIMIT),
        (Ending(exit_code=None, signal=signal.SIGKILL, oom_kills=1), Verdict.MEMORY_LIMIT),
        (Ending(exit_code=1, fork_failures=3), Verdict.PROCESS_LIMIT),
        (Ending(exit_code=0, fork_failures=3), Verdict.PROCESS_LIMIT),
        (Ending(exit_code=None, signal=signal.SIGXCPU), Verdict.CPU_LIMIT),
        (Ending(exit_code=None, signal=signal.SIGKILL, cpu_s=2.1, cpu_limit_s=2), Verdict.CPU_LIMIT),
        (Ending(exit_code=None, signal=signal.SIGKILL, cpu_s=0.5, cpu_limit_s=2), Verdict.KILLED),
        (Ending(exit_code=None, signal=signal.SIGXFSZ), Verdict.FILE_SIZE_LIMIT),
        (Ending(exit_code=1, stderr_tail="...\nMemoryError\n"), Verdict.MEMORY_LIMIT),
        (Ending(exit_code=1, stderr_tail="OSError: [Errno 27] File too large"), Verdict.FILE_SIZE_LIMIT),
        (
            Ending(exit_code=1, stderr_tail="BlockingIOError: [Errno 11] Resource temporarily unavailable"),
            Verdict.PROCESS_LIMIT,
        ),
        (Ending(exit_code=0, stderr_tail="MemoryError"), Verdict.OK),
        (Ending(exit_code=None, signal=signal.SIGSEGV), Verdict.KILLED),
        (Ending(exit_code=0, timed_out=True, output_exceeded=False), Verdict.TIMEOUT),
    ],
)
def test_decide(ending: Ending, expected: Verdict) -> None:
    """Each way a run can end maps to exactly one verdict, enforced limits first."""
    assert decide(ending) is expected


@pytest.mark.parametrize(
    ("returncode", "shifted", "expected"),
    [
        (0, True, (0, None)),
        (1, True, (1, None)),
        (-9, False, (None, 9)),
        (137, True, (None, 9)),
        (137, False, (137, None)),
        (128, True, (128, None)),
    ],
)
def test_split_status(returncode: int, shifted: bool, expected: tuple[int | None, int | None]) -> None:
    """Returncodes split into (exit code, signal), with bwrap's 128+N convention when asked."""
    assert split_status(returncode, shifted_signals=shifted) == expected
