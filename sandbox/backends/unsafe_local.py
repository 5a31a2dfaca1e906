"""The unsafe-local backend: no isolation beyond a clean environment and rlimits. Development only."""

from __future__ import annotations

import structlog

from sandbox import process
from sandbox.backends.base import RunResult, SandboxSpec
from sandbox.errors import BackendUnavailable
from sandbox.limits import prlimit_argv
from sandbox.verdict import Ending, decide, split_status

NOT_ENABLED = "the unsafe-local backend runs repository code without isolation; enable it explicitly to use it"
WARNING_EVENT = "sandbox.unsafe_local"


class UnsafeLocalBackend:
    """Runs specs directly on the host: the filesystem, network and processes of the host are reachable.

    Usage:
        backend = UnsafeLocalBackend(allowed=True)   # logs a warning on every run
    """

    name = "unsafe-local"

    def __init__(self, *, allowed: bool) -> None:
        if not allowed:
            raise BackendUnavailable(NOT_ENABLED)

    def run(self, spec: SandboxSpec) -> RunResult:
        structlog.get_logger().warning(WARNING_EVENT, argv=list(spec.argv), cwd=str(spec.cwd), isolation="none")
        argv = prlimit_argv(spec.limits, memory_by_rlimit=True, procs_by_rlimit=True) + list(spec.argv)
        done = process.run(
            argv,
            timeout_s=spec.limits.wall_s,
            env=spec.full_env(),
            cwd=str(spec.cwd),
            output_bytes=spec.limits.output_bytes,
        )
        exit_code, signal = split_status(done.returncode, shifted_signals=False)
        ending = Ending(
            exit_code=exit_code,
            signal=signal,
            timed_out=done.timed_out,
            output_exceeded=done.output_exceeded,
            cpu_s=done.cpu_s,
            cpu_limit_s=spec.limits.cpu_s,
            stderr_tail=done.stderr[-4000:],
        )
        return RunResult(
            verdict=decide(ending),
            exit_code=exit_code,
            signal=signal,
            stdout=done.stdout,
            stderr=done.stderr,
            wall_s=done.wall_s,
            cpu_s=done.cpu_s,
            truncated=done.output_exceeded,
        )
