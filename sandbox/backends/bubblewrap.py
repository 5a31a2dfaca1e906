"""The bubblewrap backend: own user, PID, network, IPC and UTS namespaces; only declared paths visible."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from sandbox import process
from sandbox.backends.base import SANDBOX_TMP, RunResult, SandboxSpec
from sandbox.cgroups import DEFAULT_ROOT, CgroupCounters, RunCgroup
from sandbox.errors import BackendUnavailable
from sandbox.limits import prlimit_argv
from sandbox.seccomp import filter_fd
from sandbox.verdict import Ending, decide, split_status

SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib64", "/sbin")
# Only what programs need to start, resolve names and verify TLS; never shadow, ssh keys or tool configs.
ETC_FILES = (
    "/etc/alternatives",
    "/etc/ca-certificates",
    "/etc/ssl",
    "/etc/hosts",
    "/etc/host.conf",
    "/etc/nsswitch.conf",
    "/etc/resolv.conf",
    "/etc/passwd",
    "/etc/group",
    "/etc/localtime",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/mime.types",
)
SANDBOX_UID = "65534"


def system_args() -> list[str]:
    """Read-only system directories; top-level symlinks such as /bin -> usr/bin are recreated as symlinks."""
    args: list[str] = []
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in ETC_FILES:
        args += ["--ro-bind-try", path, path]
    return args


def bwrap_argv(
    spec: SandboxSpec, *, block_fd: int | None = None, seccomp_fd: int | None = None, bwrap: str = "bwrap"
) -> list[str]:
    """The bubblewrap command line for `spec` (the environment is passed separately, never in argv)."""
    argv = [
        bwrap,
        "--unshare-all",
        "--unshare-user",
        "--uid",
        SANDBOX_UID,
        "--gid",
        SANDBOX_UID,
        "--disable-userns",
        "--cap-drop",
        "ALL",
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
        *system_args(),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(spec.limits.tmp_bytes),
        "--tmpfs",
        SANDBOX_TMP,
    ]
    if spec.network:
        argv.append("--share-net")
    for mount in sorted(spec.mounts, key=lambda m: len(m.path.parts)):
        argv += ["--bind" if mount.writable else "--ro-bind", str(mount.path), str(mount.path)]
    argv += ["--remount-ro", "/"]  # the root tmpfs holding the mount points: nothing may be created there
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    if block_fd is not None:
        argv += ["--block-fd", str(block_fd)]
    return [*argv, "--chdir", str(spec.cwd), "--", *spec.argv]


class BubblewrapBackend:
    """Runs specs under bubblewrap, with rlimits and, where the host allows, a cgroup v1 per run.

    Usage:
        result = BubblewrapBackend().run(SandboxSpec(argv=("python3", "-c", "pass"), cwd=worktree))
    """

    name = "bubblewrap"

    def __init__(self, *, bwrap: str = "bwrap", cgroup_root: Path | None = DEFAULT_ROOT) -> None:
        found = shutil.which(bwrap)
        if found is None:
            raise BackendUnavailable(f"bubblewrap ({bwrap}) is not installed; install the Debian package bubblewrap")
        self.bwrap = found
        self.cgroup_root = cgroup_root

    def run(self, spec: SandboxSpec) -> RunResult:
        limits = spec.limits
        group = None
        if self.cgroup_root is not None:
            group = RunCgroup.create(self.cgroup_root, max_procs=limits.max_procs, memory_bytes=limits.memory_bytes)
        try:
            done = self._launch(spec, group)
            counters = group.counters() if group else CgroupCounters(0, 0)
        finally:
            if group is not None:
                group.remove()
        return _result(done, counters, spec)

    def _launch(self, spec: SandboxSpec, group: RunCgroup | None) -> process.Completed:
        prefix = prlimit_argv(
            spec.limits,
            memory_by_rlimit=not (group and group.limits_memory),
            procs_by_rlimit=not (group and group.limits_procs),
        )
        fds: list[int] = []
        try:
            seccomp_fd = filter_fd()
            fds += [seccomp_fd] if seccomp_fd is not None else []
            if group is None:
                argv = prefix + bwrap_argv(spec, seccomp_fd=seccomp_fd, bwrap=self.bwrap)
                return _run(argv, spec, pass_fds=tuple(fds))
            read_fd, write_fd = os.pipe()
            fds += [read_fd, write_fd]
            argv = prefix + bwrap_argv(spec, block_fd=read_fd, seccomp_fd=seccomp_fd, bwrap=self.bwrap)

            def attach_then_release(pid: int) -> None:
                group.attach_tree(pid)  # bwrap is blocked on read_fd: nothing untrusted has run yet
                os.write(write_fd, b"go")

            passed = tuple(fd for fd in fds if fd != write_fd)
            return _run(argv, spec, pass_fds=passed, on_spawn=attach_then_release)
        finally:
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)


def _run(argv: list[str], spec: SandboxSpec, **kwargs: object) -> process.Completed:
    return process.run(
        argv,
        timeout_s=spec.limits.wall_s,
        env=spec.full_env(),
        output_bytes=spec.limits.output_bytes,
        **kwargs,  # type: ignore[arg-type]
    )


def _result(done: process.Completed, counters: CgroupCounters, spec: SandboxSpec) -> RunResult:
    exit_code, signal = split_status(done.returncode, shifted_signals=True)
    cpu_s = max(done.cpu_s, counters.cpu_s)
    ending = Ending(
        exit_code=exit_code,
        signal=signal,
        timed_out=done.timed_out,
        output_exceeded=done.output_exceeded,
        cpu_s=cpu_s,
        cpu_limit_s=spec.limits.cpu_s,
        oom_kills=counters.oom_kills,
        fork_failures=counters.fork_failures,
        stderr_tail=done.stderr[-4000:],
    )
    return RunResult(
        verdict=decide(ending),
        exit_code=exit_code,
        signal=signal,
        stdout=done.stdout,
        stderr=done.stderr,
        wall_s=done.wall_s,
        cpu_s=cpu_s,
        truncated=done.output_exceeded,
    )
