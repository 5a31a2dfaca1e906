"""The seam between what to run (a `SandboxSpec`) and how it is isolated (a `Backend`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sandbox.limits import Limits
from sandbox.verdict import Verdict

BASE_PATH = "/usr/local/bin:/usr/bin:/bin"
SANDBOX_TMP = "/tmp"  # noqa: S108 - the sandbox's own private tmpfs, never the host's /tmp


@dataclass(frozen=True)
class Mount:
    """A host path made visible at the same path inside the sandbox."""

    path: Path
    writable: bool = False


@dataclass(frozen=True)
class SandboxSpec:
    """One command to run: argv, working directory, what it may see, its environment and limits.

    The environment starts empty: only `BASE_PATH`, `HOME=/tmp`, `LANG` and `TMPDIR` are set before `env`.
    `network=True` shares the host's network namespace, loopback services included; nothing in the sandbox
    package asks for it. Package installs from a remote index keep their own namespace and go out only
    through the allow-listing proxy of `sandbox.egress`.
    """

    argv: tuple[str, ...]
    cwd: Path
    mounts: tuple[Mount, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    network: bool = False

    def full_env(self) -> dict[str, str]:
        base = {"PATH": BASE_PATH, "HOME": SANDBOX_TMP, "LANG": "C.UTF-8", "TMPDIR": SANDBOX_TMP}
        return {**base, **self.env}


@dataclass(frozen=True)
class RunResult:
    """How a sandboxed run ended."""

    verdict: Verdict
    exit_code: int | None
    signal: int | None
    stdout: str
    stderr: str
    wall_s: float
    cpu_s: float
    truncated: bool

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.OK


class Backend(Protocol):
    """Runs a `SandboxSpec` in isolation (bubblewrap here; a pod or gVisor elsewhere)."""

    name: str

    def run(self, spec: SandboxSpec) -> RunResult:
        """Run the spec to completion and return its result; never raises for what the command does."""
        ...
