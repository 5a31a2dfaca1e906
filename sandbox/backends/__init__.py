"""Sandbox backends: bubblewrap (the default) and unsafe-local (development only, opt-in)."""

from __future__ import annotations

from pathlib import Path

from sandbox.backends.base import Backend, Mount, RunResult, SandboxSpec
from sandbox.backends.bubblewrap import BubblewrapBackend
from sandbox.backends.unsafe_local import UnsafeLocalBackend
from sandbox.cgroups import DEFAULT_ROOT

__all__ = ["Backend", "BubblewrapBackend", "Mount", "RunResult", "SandboxSpec", "UnsafeLocalBackend", "make_backend"]


def make_backend(
    name: str = "bubblewrap", *, allow_unsafe_local: bool = False, cgroup_root: Path | None = DEFAULT_ROOT
) -> Backend:
    """The backend called `name`; unsafe-local needs `allow_unsafe_local=True` as well."""
    if name == "bubblewrap":
        return BubblewrapBackend(cgroup_root=cgroup_root)
    if name == "unsafe-local":
        return UnsafeLocalBackend(allowed=allow_unsafe_local)
    raise ValueError(f"unknown sandbox backend {name!r}; choose bubblewrap or unsafe-local")
