"""`organic-pr sandbox ...`: run a command or the tests of a checkout in the sandbox, and show its environment."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from sandbox.backends.base import Backend
    from sandbox.envs import EnvBuilder
    from sandbox.runner import TestRun

DEFAULT_CACHE = Path("var/sandbox-cache")
DEFAULT_PYTHON_DIRS = ("/usr/local/bin", "/usr/bin")


def _common(func: Any) -> Any:
    options = [
        click.option("--cache-dir", type=click.Path(path_type=Path), default=DEFAULT_CACHE, show_default=True),
        click.option("--backend", type=click.Choice(["bubblewrap", "unsafe-local"]), default="bubblewrap"),
        click.option("--allow-unsafe-local", is_flag=True, help="Required with --backend unsafe-local."),
        click.option("--index-url", default=None, help="Package index for installs (default: uv's, PyPI)."),
        click.option("--extra-index-url", multiple=True),
        click.option("--find-links", multiple=True),
        click.option("--python-dir", multiple=True, type=click.Path(path_type=Path), help="Where to look for Pythons."),
        click.option("--pyenv-root", type=click.Path(path_type=Path), default=None, help="Also use pyenv versions."),
        click.option("--setup", multiple=True, help="A setup command (shell-like words, no shell)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group()
def cli() -> None:
    """Isolated execution of repository code (bubblewrap), its environments and its tests."""
    import structlog

    # stdout carries results (and --json); logs always go to stderr, whatever configured structlog before
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))


def _builder(opts: dict[str, Any]) -> tuple[Backend, EnvBuilder]:
    from sandbox.backends import make_backend
    from sandbox.envs import EnvBuilder
    from sandbox.index import IndexSettings
    from sandbox.pythons import find_interpreters, pyenv_dirs

    backend = make_backend(opts["backend"], allow_unsafe_local=opts["allow_unsafe_local"])
    dirs = [*(opts["python_dir"] or map(Path, DEFAULT_PYTHON_DIRS))]
    if opts["pyenv_root"] is not None:
        dirs = [*pyenv_dirs(opts["pyenv_root"]), *dirs]
    index = IndexSettings(opts["index_url"], tuple(opts["extra_index_url"]), tuple(opts["find_links"]))
    cache = Path(opts["cache_dir"]).resolve()
    return backend, EnvBuilder(backend=backend, cache_dir=cache, interpreters=find_interpreters(dirs), index=index)


@cli.command("env")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@_common
@click.option("--api", "modules", multiple=True, help="Also print the public signatures of this module.")
@click.option("--json", "as_json", is_flag=True)
def env_command(path: Path, modules: Sequence[str], as_json: bool, **opts: Any) -> None:
    """Build (or find in the cache) the environment of the checkout at PATH and show its version facts."""
    from sandbox.errors import SandboxError
    from sandbox.facts import api_signatures, installed_distributions

    backend, builder = _builder(opts)
    try:
        env = builder.ensure(path.resolve(), setup_commands=[shlex.split(s) for s in opts["setup"]])
        apis = api_signatures(env, list(modules), backend, cwd=path.resolve()) if modules else []
    except SandboxError as exc:
        raise click.ClickException(f"{exc}\n{getattr(exc, 'output', '')}".rstrip()) from exc
    facts: dict[str, Any] = {
        "path": str(env.path),
        "python": env.interpreter.version,
        "key": env.key,
        "cache_hit": env.cache_hit,
        "declaration": asdict(env.declaration),
        "distributions": {d.name: d.version for d in installed_distributions(env)},
        "api": [asdict(api) for api in apis],
    }
    if as_json:
        click.echo(json.dumps(facts, indent=1))
        return
    click.echo(f"environment {env.path}\npython {env.interpreter.version}; cache {'hit' if env.cache_hit else 'built'}")
    click.echo(f"declared by: {', '.join(env.declaration.sources) or 'nothing (no manifests)'}")
    for name, version in facts["distributions"].items():
        click.echo(f"  {name}=={version}")
    for api in apis:
        click.echo(f"{api.module}: {api.error}" if api.error else f"{api.module}:")
        for member in api.members:
            click.echo(f"  {member.kind} {member.name}{member.signature or ''}")


@cli.command("run", context_settings={"ignore_unknown_options": True})
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
@_common
@click.option("--wall-s", type=float, default=900.0, show_default=True)
@click.option("--memory-mb", type=int, default=4096, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def run_command(path: Path, command: Sequence[str], wall_s: float, memory_mb: int, as_json: bool, **opts: Any) -> None:
    """Run COMMAND (default: pytest) in the sandbox on a private copy of PATH, in its environment.

    A command starting with `pytest` runs as `python -m pytest` with a JUnit report and per-test results.
    """
    from sandbox.errors import SandboxError
    from sandbox.limits import MIB, Limits
    from sandbox.runner import TestRequest, TestRunner

    backend, builder = _builder(opts)
    try:
        env = builder.ensure(path.resolve(), setup_commands=[shlex.split(s) for s in opts["setup"]])
    except SandboxError as exc:
        raise click.ClickException(f"{exc}\n{getattr(exc, 'output', '')}".rstrip()) from exc
    words = tuple(command) or ("pytest",)
    pytest_like = words[0] == "pytest"
    argv = (str(env.python), "-m", "pytest", *words[1:]) if pytest_like else words
    runner = TestRunner(backend=backend, limits=Limits(wall_s=wall_s, cpu_s=int(wall_s), memory_bytes=memory_mb * MIB))
    run = runner.run(env, TestRequest(path.resolve(), command=argv, structured=pytest_like))
    _print_run(run, as_json)
    raise SystemExit(0 if run.run.ok else 1)


def _print_run(run: TestRun, as_json: bool) -> None:
    result = run.run
    if as_json:
        data = {"run": asdict(result), "tests": [asdict(t) for t in run.tests], "report_error": run.report_error}
        click.echo(json.dumps(data, indent=1, default=lambda value: getattr(value, "value", str(value))))
        return
    click.echo(result.stdout, nl=False)
    click.echo(result.stderr, nl=False, err=True)
    counts: dict[str, int] = {}
    for test in run.tests:
        counts[test.outcome.value] = counts.get(test.outcome.value, 0) + 1
    summary = ", ".join(f"{n} {name}" for name, n in sorted(counts.items())) or (run.report_error or "no tests")
    click.echo(
        f"[sandbox] verdict={result.verdict.value} exit={result.exit_code} signal={result.signal} "
        f"wall={result.wall_s:.2f}s cpu={result.cpu_s:.2f}s; {summary}"
    )
