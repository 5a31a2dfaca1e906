"""A per-run cgroup v1 group (`pids` and `memory` controllers) for hosts that let root create one.

The run's launcher is attached while it is still blocked before exec'ing untrusted code (bubblewrap's
`--block-fd`), so every process the run creates is counted. Groups are made under the controller's
group of the current process, so the host's own accounting of us still holds the run.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import structlog

from sandbox.errors import LaunchError

DEFAULT_ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class CgroupCounters:
    """What the kernel counted while enforcing the group's limits."""

    fork_failures: int
    oom_kills: int
    cpu_s: float = 0.0


class RunCgroup:
    """One run's groups.

    Usage:
        group = RunCgroup.create(DEFAULT_ROOT, max_procs=64, memory_bytes=2**30)
        if group:
            group.attach_tree(pid); ...; counters = group.counters(); group.remove()
    """

    def __init__(self, pids_dir: Path | None, memory_dir: Path | None, cpuacct_dir: Path | None = None) -> None:
        self.pids_dir = pids_dir
        self.memory_dir = memory_dir
        self.cpuacct_dir = cpuacct_dir

    @property
    def _dirs(self) -> list[Path]:
        return [d for d in (self.pids_dir, self.memory_dir, self.cpuacct_dir) if d is not None]

    @classmethod
    def create(cls, root: Path, *, max_procs: int, memory_bytes: int) -> RunCgroup | None:
        """Make the groups, or None when this host offers neither controller to us."""
        name = f"organic-pr-{os.getpid()}-{secrets.token_hex(4)}"
        pids_dir = _make_group(root, "pids", name, {"pids.max": str(max_procs)})
        memory_dir = _make_group(root, "memory", name, {"memory.limit_in_bytes": str(memory_bytes)})
        if pids_dir is None and memory_dir is None:
            return None
        return cls(pids_dir, memory_dir, _make_group(root, "cpuacct", name, {}))

    @classmethod
    def available(cls, root: Path) -> bool:
        """Whether this host lets us make per-run groups under `root`."""
        group = cls.create(root, max_procs=1, memory_bytes=1024 * 1024)
        if group is None:
            return False
        group.remove()
        return True

    @property
    def limits_memory(self) -> bool:
        return self.memory_dir is not None

    @property
    def limits_procs(self) -> bool:
        return self.pids_dir is not None

    def attach_tree(self, pid: int, attempts: int = 200) -> None:
        """Move `pid` and all its current descendants into the groups, re-checking until none is left out.

        A child being cloned while its parent moves can stay behind, so the tree is walked again until
        every member is inside (bwrap is blocked at that point, so the tree is small and stable).
        """
        for group in self._dirs:
            for _ in range(attempts):
                missing = set(_tree(pid)) - _members(group)
                if not missing:
                    break
                for member in missing:
                    with contextlib.suppress(OSError):
                        (group / "cgroup.procs").write_text(str(member))
                time.sleep(0.001)
            else:
                raise LaunchError(f"could not move the run's processes into {group}")

    def counters(self) -> CgroupCounters:
        fork_failures = oom_kills = 0
        if self.pids_dir is not None:
            fork_failures = _field(self.pids_dir / "pids.events", "max")
        if self.memory_dir is not None:
            oom_kills = _field(self.memory_dir / "memory.oom_control", "oom_kill")
        return CgroupCounters(fork_failures=fork_failures, oom_kills=oom_kills, cpu_s=self._cpu_s())

    def _cpu_s(self) -> float:
        """CPU time of every process the run had (bwrap's own rusage misses what its init reaped)."""
        if self.cpuacct_dir is None:
            return 0.0
        with contextlib.suppress(OSError, ValueError):
            return int((self.cpuacct_dir / "cpuacct.usage").read_text()) / 1e9
        return 0.0

    def remove(self) -> None:
        """Kill anything left in the groups, then remove them."""
        for group in self._dirs:
            _empty_and_remove(group)


def _make_group(root: Path, controller: str, name: str, settings: dict[str, str]) -> Path | None:
    base = root / controller
    if not (base / "cgroup.procs").is_file():
        return None
    group = base / _own_group(controller).lstrip("/") / name
    try:
        group.mkdir()
    except OSError:
        return None
    try:
        for key, value in settings.items():
            if value and (group / key).exists():
                (group / key).write_text(value)
    except OSError:
        group.rmdir()
        return None
    return group


def _own_group(controller: str) -> str:
    """The group of this process for a v1 controller, from /proc/self/cgroup ("/" when absent)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            return path
    return "/"


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        children = Path(f"/proc/{current}/task/{current}/children")
        with contextlib.suppress(OSError):
            todo.extend(int(child) for child in children.read_text().split())
    return found


def _members(group: Path) -> set[int]:
    with contextlib.suppress(OSError):
        return {int(p) for p in (group / "cgroup.procs").read_text().split()}
    return set()


def _field(path: Path, key: str) -> int:
    with contextlib.suppress(OSError):
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == key:
                return int(parts[1])
    return 0


def _empty_and_remove(group: Path, timeout_s: float = 10.0) -> None:
    """SIGKILL the members until the group is empty, then remove it; dying processes can take a moment."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for pid in _members(group):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        try:
            group.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.01)
    structlog.get_logger().warning("sandbox.cgroup_leftover", group=str(group), members=sorted(_members(group)))
