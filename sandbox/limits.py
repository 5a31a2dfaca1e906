"""Resource limits of one sandboxed run, and their translation into rlimits.

Enforcement on this host (cgroup v1 only, no cgroup v2):
- wall time: the parent kills the whole process tree at the deadline (`sandbox.process`);
- CPU time, file size: rlimits (`RLIMIT_CPU`, `RLIMIT_FSIZE`), set with `prlimit` on the launcher;
- memory and process count: a cgroup v1 `memory` / `pids` group when the host lets us create one
  (`sandbox.cgroups`); otherwise `RLIMIT_AS` and `RLIMIT_NPROC`. `RLIMIT_NPROC` does not bind processes
  whose host uid is root, so without a writable `pids` cgroup a fork bomb is stopped only by the wall time;
- output: the parent stops reading at `output_bytes`, marks the truncation and kills the run.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024
GIB = 1024 * MIB


@dataclass(frozen=True)
class Limits:
    """Limits of one run.

    Usage:
        limits = Limits(wall_s=60, memory_bytes=512 * MIB)
    """

    wall_s: float = 600.0
    cpu_s: int = 600
    memory_bytes: int = 4 * GIB
    max_procs: int = 256
    file_size_bytes: int = 1 * GIB
    output_bytes: int = 4 * MIB
    tmp_bytes: int = 1 * GIB

    def __post_init__(self) -> None:
        for name in ("wall_s", "cpu_s", "memory_bytes", "max_procs", "file_size_bytes", "output_bytes", "tmp_bytes"):
            if getattr(self, name) <= 0:
                raise ValueError(f"limit {name} must be positive")


def prlimit_argv(limits: Limits, *, memory_by_rlimit: bool, procs_by_rlimit: bool) -> list[str]:
    """The `prlimit` prefix that applies the rlimits of `limits` to the command that follows it."""
    cpu_soft = int(limits.cpu_s)
    argv = [
        "prlimit",
        f"--cpu={cpu_soft}:{cpu_soft + 1}",  # SIGXCPU at the soft limit, SIGKILL one second later
        f"--fsize={limits.file_size_bytes}",
        "--core=0",
    ]
    if memory_by_rlimit:
        argv.append(f"--as={limits.memory_bytes}")
    if procs_by_rlimit:
        argv.append(f"--nproc={limits.max_procs}")
    return [*argv, "--"]
