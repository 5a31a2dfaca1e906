"""Secrets in the host environment never reach the sandbox, not even through /proc."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from sandbox.backends import RunResult
from sandbox.verdict import Verdict

RunPython = Callable[..., RunResult]
TOKEN = "ghs_FAKEtoken0000organicpr0000secret"


@pytest.fixture(autouse=True)
def host_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fake token and service URLs in the host environment of this test process."""
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("LLM_API_KEY", TOKEN)
    monkeypatch.setenv("DATABASE_URL", f"postgresql://bot:{TOKEN}@db/x")
    monkeypatch.setenv("REDIS_URL", f"redis://:{TOKEN}@localhost:6379/0")


def test_environment_variables_are_absent(run_python: RunPython) -> None:
    """The sandbox's environment holds none of the host's variables."""
    result = run_python("import os; print(dict(os.environ))")
    assert result.ok
    for name in ("GITHUB_TOKEN", "LLM_API_KEY", "DATABASE_URL", "REDIS_URL"):
        assert name not in result.stdout
    assert TOKEN not in result.stdout


def test_proc_environ_of_parents_is_unreachable(run_python: RunPython) -> None:
    """Reading /proc/<pid>/environ for every visible pid, the parent and the host's pid finds no token."""
    code = (
        "import os, sys\n"
        "pids = [p for p in os.listdir('/proc') if p.isdigit()] + [str(os.getppid()), sys.argv[1]]\n"
        "for pid in pids:\n"
        "    try:\n"
        "        print(pid, open(f'/proc/{pid}/environ', 'rb').read())\n"
        "    except OSError as exc:\n"
        "        print(pid, type(exc).__name__)\n"
    )
    result = run_python(code, str(os.getpid()))
    assert result.verdict is Verdict.OK
    assert TOKEN not in result.stdout + result.stderr
    assert f"{os.getpid()} FileNotFoundError" in result.stdout
