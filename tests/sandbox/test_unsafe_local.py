"""The unsafe-local backend: opt-in only, warns on every run, still applies limits."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from sandbox.backends import SandboxSpec, make_backend
from sandbox.backends.unsafe_local import NOT_ENABLED, WARNING_EVENT, UnsafeLocalBackend
from sandbox.errors import BackendUnavailable
from sandbox.limits import Limits
from sandbox.verdict import Verdict


def test_refuses_without_explicit_opt_in() -> None:
    """Asking for unsafe-local without the flag is refused."""
    with pytest.raises(BackendUnavailable, match="explicitly"):
        make_backend("unsafe-local")
    assert "without isolation" in NOT_ENABLED


def test_warns_on_every_run(tmp_path: Path) -> None:
    """Every run logs the unsafe-local warning event."""
    backend = UnsafeLocalBackend(allowed=True)
    spec = SandboxSpec(argv=(sys.executable, "-c", "print('x')"), cwd=tmp_path)
    with capture_logs() as logs:
        backend.run(spec)
        result = backend.run(spec)
    assert [entry["event"] for entry in logs] == [WARNING_EVENT, WARNING_EVENT]
    assert result.verdict is Verdict.OK and result.stdout == "x\n"


def test_applies_the_wall_limit(tmp_path: Path) -> None:
    """Limits still apply without isolation."""
    backend = UnsafeLocalBackend(allowed=True)
    spec = SandboxSpec(
        argv=(sys.executable, "-c", "import time; time.sleep(30)"), cwd=tmp_path, limits=Limits(wall_s=0.5)
    )
    with capture_logs():
        assert backend.run(spec).verdict is Verdict.TIMEOUT


def test_unknown_backend_name() -> None:
    """An unknown backend name is a configuration error."""
    with pytest.raises(ValueError, match="unknown sandbox backend"):
        make_backend("docker")
