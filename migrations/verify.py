"""Run a migrated checkout's tests in the sandbox with the new version installed (adapter over `sandbox/`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from migrations.errors import MigrationError
from migrations.pypi import normalize

DEFAULT_PYTHON_DIRS = (Path("/usr/local/bin"), Path("/usr/bin"))


class TestRunFailed(MigrationError):
    """The sandbox could not build the environment or run the tests."""

    __test__ = False


@dataclass(frozen=True)
class TestSummary:
    """Outcome of the test run: counts per outcome, the sandbox verdict, and the environment's version."""

    __test__ = False

    ok: bool
    verdict: str
    exit_code: int | None
    counts: dict[str, int] = field(default_factory=dict)
    installed: str | None = None
    output_tail: str = ""


def run_tests(
    root: Path,
    package: str,
    version: str,
    cache_dir: Path,
    *,
    command: Sequence[str] = ("pytest", "-q"),
    backend_name: str = "bubblewrap",
    allow_unsafe_local: bool = False,
    python_dirs: Sequence[Path] = DEFAULT_PYTHON_DIRS,
    index_url: str | None = None,
    find_links: Sequence[str] = (),
    wall_s: float = 900,
) -> TestSummary:
    """Build the checkout's environment with `package==version` on top (cached) and run `command` in it."""
    from sandbox.backends import make_backend
    from sandbox.envs import EnvBuilder
    from sandbox.errors import SandboxError
    from sandbox.facts import installed_distributions
    from sandbox.index import IndexSettings
    from sandbox.limits import Limits
    from sandbox.pythons import find_interpreters
    from sandbox.runner import TestRequest, TestRunner

    backend = make_backend(backend_name, allow_unsafe_local=allow_unsafe_local)
    builder = EnvBuilder(
        backend=backend,
        cache_dir=cache_dir.resolve(),
        interpreters=find_interpreters(python_dirs),
        extra_packages=("pytest", f"{package}=={version}"),
        index=IndexSettings(index_url=index_url, find_links=tuple(find_links)),
    )
    try:
        env = builder.ensure(root.resolve())
        pytest_like = command[0] == "pytest"
        argv = (str(env.python), "-m", "pytest", *command[1:]) if pytest_like else tuple(command)
        runner = TestRunner(backend=backend, limits=Limits(wall_s=wall_s, cpu_s=int(wall_s)))
        run = runner.run(env, TestRequest(root.resolve(), command=argv, structured=pytest_like))
        installed = {normalize(d.name): d.version for d in installed_distributions(env)}
    except SandboxError as exc:
        raise TestRunFailed(f"sandbox: {exc}") from exc
    counts: dict[str, int] = {}
    for test in run.tests:
        counts[test.outcome.value] = counts.get(test.outcome.value, 0) + 1
    tail = "\n".join((run.run.stdout + run.run.stderr).strip().splitlines()[-15:])
    return TestSummary(
        run.run.ok, run.run.verdict.value, run.run.exit_code, counts, installed.get(normalize(package)), tail
    )
