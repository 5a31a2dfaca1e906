"""The verdict of one run, computed from how it ended: exit status, signal, counters and output."""

from __future__ import annotations

import enum
import signal
from dataclasses import dataclass

MEMORY_MARKERS = ("MemoryError", "Cannot allocate memory", "std::bad_alloc", "out of memory")
FILE_SIZE_MARKERS = ("File too large", "EFBIG")
FORK_MARKERS = ("BlockingIOError: [Errno 11] Resource temporarily unavailable", "Cannot fork", "fork: retry")


class Verdict(enum.Enum):
    """How a run ended, from the sandbox's point of view."""

    OK = "ok"
    FAILED = "failed"
    TIMEOUT = "timeout"
    CPU_LIMIT = "cpu_limit"
    MEMORY_LIMIT = "memory_limit"
    PROCESS_LIMIT = "process_limit"
    FILE_SIZE_LIMIT = "file_size_limit"
    OUTPUT_LIMIT = "output_limit"
    KILLED = "killed"


@dataclass(frozen=True)
class Ending:
    """What is known about how a run ended. `signal` is the signal that ended the main process, if any."""

    exit_code: int | None
    signal: int | None = None
    timed_out: bool = False
    output_exceeded: bool = False
    cpu_s: float = 0.0
    cpu_limit_s: float | None = None
    oom_kills: int = 0
    fork_failures: int = 0
    stderr_tail: str = ""


def decide(ending: Ending) -> Verdict:
    """The verdict for `ending`; limits the sandbox enforced win over the process's own exit status."""
    enforced = _enforced_limit(ending)
    if enforced is not None:
        return enforced
    if ending.signal is None and ending.exit_code == 0:
        return Verdict.OK
    reported = _limit_from_stderr(ending.stderr_tail)
    if reported is not None:
        return reported
    return Verdict.KILLED if ending.signal is not None else Verdict.FAILED


def _enforced_limit(ending: Ending) -> Verdict | None:
    """A limit whose enforcement left a trace the parent saw itself (deadline, counters, signals)."""
    if ending.timed_out:
        return Verdict.TIMEOUT
    if ending.output_exceeded:
        return Verdict.OUTPUT_LIMIT
    if ending.oom_kills > 0:
        return Verdict.MEMORY_LIMIT
    if ending.fork_failures > 0:
        return Verdict.PROCESS_LIMIT
    if ending.signal == signal.SIGXCPU or _killed_at_cpu_limit(ending):
        return Verdict.CPU_LIMIT
    if ending.signal == signal.SIGXFSZ:
        return Verdict.FILE_SIZE_LIMIT
    return None


def _killed_at_cpu_limit(ending: Ending) -> bool:
    """SIGKILL after the CPU soft limit is the kernel enforcing the hard one."""
    if ending.signal != signal.SIGKILL or ending.cpu_limit_s is None:
        return False
    return ending.cpu_s >= ending.cpu_limit_s


def _limit_from_stderr(stderr_tail: str) -> Verdict | None:
    """Rlimits make calls fail rather than kill: the process then reports the failure on stderr."""
    if any(marker in stderr_tail for marker in MEMORY_MARKERS):
        return Verdict.MEMORY_LIMIT
    if any(marker in stderr_tail for marker in FILE_SIZE_MARKERS):
        return Verdict.FILE_SIZE_LIMIT
    if any(marker in stderr_tail for marker in FORK_MARKERS):
        return Verdict.PROCESS_LIMIT
    return None


def split_status(returncode: int, *, shifted_signals: bool) -> tuple[int | None, int | None]:
    """(exit code, signal) from a returncode: negative is a signal; bwrap reports a signal N as 128 + N."""
    if returncode < 0:
        return None, -returncode
    if shifted_signals and 128 < returncode <= 128 + 64:
        return None, returncode - 128
    return returncode, None
