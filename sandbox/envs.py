"""Build and cache per-repository virtual environments with uv, inside the sandbox."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from sandbox.backends.base import BASE_PATH, Backend, Mount, RunResult, SandboxSpec
from sandbox.detect import Declaration, detect, is_manifest
from sandbox.egress import EgressProxy, egress_for, tls_env
from sandbox.errors import EnvironmentBuildError
from sandbox.index import IndexSettings
from sandbox.limits import GIB, Limits
from sandbox.pythons import Interpreter, choose
from sandbox.worktrees import list_manifests, private_copy, read_regular_files

MARKER = "organic-pr-env.json"
REQUIREMENTS_NAME = ".organic-pr-requirements.txt"
BUILD_LIMITS = Limits(wall_s=900, cpu_s=900, memory_bytes=4 * GIB, max_procs=512, output_bytes=1024 * 1024)


@dataclass(frozen=True)
class Environment:
    """A ready virtual environment; mount it (and its interpreter) read-only to use it."""

    path: Path
    interpreter: Interpreter
    key: str
    declaration: Declaration
    cache_hit: bool

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"

    def mounts(self) -> tuple[Mount, ...]:
        return (Mount(self.path), Mount(self.interpreter.prefix))

    def env(self) -> dict[str, str]:
        return {"VIRTUAL_ENV": str(self.path), "PATH": f"{self.path}/bin:{BASE_PATH}"}


def default_uv() -> Path:
    """The uv binary shipped by the `uv` Python package."""
    from uv import find_uv_bin

    return Path(find_uv_bin())


def cache_key(
    interpreter: Interpreter,
    manifests: dict[str, str],
    setup_commands: Sequence[Sequence[str]],
    index: IndexSettings,
    extra_packages: Sequence[str],
) -> str:
    """The cache key: Python version, manifest texts, setup commands, package sources and extras."""
    material = {
        "python": interpreter.version,
        "prefix": str(interpreter.prefix),
        "manifests": sorted(manifests.items()),
        "setup": [list(command) for command in setup_commands],
        "index": index.sources(),
        "extra": list(extra_packages),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:32]


@dataclass
class EnvBuilder:
    """Gets the environment a worktree declares: from the cache, or built with uv inside the sandbox.

    Usage:
        builder = EnvBuilder(backend=backend, cache_dir=Path("var/envs"), interpreters=find_interpreters(dirs))
        env = builder.ensure(worktree)
    """

    backend: Backend
    cache_dir: Path
    interpreters: Sequence[Interpreter]
    uv: Path = field(default_factory=default_uv)
    index: IndexSettings = field(default_factory=IndexSettings)
    extra_packages: tuple[str, ...] = ("pytest",)
    limits: Limits = BUILD_LIMITS

    def ensure(self, worktree: Path, *, setup_commands: Sequence[Sequence[str]] = ()) -> Environment:
        """The environment for `worktree`; a cache hit runs nothing."""
        manifests = dict(read_regular_files(worktree, list_manifests(worktree, is_manifest)))
        declaration = detect(manifests)
        interpreter = choose(self.interpreters, declaration.python_requirement)
        key = cache_key(interpreter, manifests, setup_commands, self.index, self.extra_packages)
        final = self.cache_dir / "envs" / key
        if (final / MARKER).is_file():
            return Environment(final, interpreter, key, declaration, cache_hit=True)
        with self._lock(key):
            if (final / MARKER).is_file():
                return Environment(final, interpreter, key, declaration, cache_hit=True)
            self._build(worktree, final, interpreter, declaration, setup_commands)
        structlog.get_logger().info("sandbox.env_built", key=key, python=interpreter.version)
        return Environment(final, interpreter, key, declaration, cache_hit=False)

    @contextmanager
    def _lock(self, key: str) -> Iterator[None]:
        """An exclusive lock per key, so concurrent builds of one environment happen once."""
        locks = self.cache_dir / "locks"
        locks.mkdir(parents=True, exist_ok=True)
        with open(locks / f"{key}.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _build(
        self,
        worktree: Path,
        final: Path,
        interpreter: Interpreter,
        declaration: Declaration,
        setup_commands: Sequence[Sequence[str]],
    ) -> None:
        """Build in a temporary directory and rename it into place: readers never see half an environment."""
        building = final.parent / f".build-{final.name}-{secrets.token_hex(4)}"
        building.mkdir(parents=True)
        (self.cache_dir / "uv-cache").mkdir(parents=True, exist_ok=True)
        try:
            with private_copy(worktree, parent=self.cache_dir) as scratch, egress_for(self.index) as egress:
                steps = _BuildSteps(self, building, interpreter, scratch, egress)
                steps.run_all(declaration, setup_commands)
            (building / MARKER).write_text(json.dumps({"python": interpreter.version, "sources": declaration.sources}))
            os.rename(building, final)
        finally:
            shutil.rmtree(building, ignore_errors=True)


@dataclass
class _BuildSteps:
    """The uv commands that make one environment, each run as its own sandboxed command.

    Steps that may fetch packages reach the remote index only through `egress` (None: all sources are local).
    """

    builder: EnvBuilder
    venv: Path
    interpreter: Interpreter
    scratch: Path
    egress: EgressProxy | None = None

    def run_all(self, declaration: Declaration, setup_commands: Sequence[Sequence[str]]) -> None:
        uv = str(self.builder.uv)
        self._step(
            [uv, "venv", "--relocatable", "--quiet", "--python", str(self.interpreter.executable), str(self.venv)]
        )
        index_args = self.builder.index.uv_args()
        if declaration.uv_lock:
            sync = [uv, "sync", "--frozen", "--no-install-project", "--all-extras", "--all-groups", *index_args]
            self._step(sync, network=True, extra_env={"UV_PROJECT_ENVIRONMENT": str(self.venv)})
        install = self._install_argv(uv, declaration, index_args)
        if install:
            self._step(install, network=True)
        for command in setup_commands:
            self._step(list(command), network=True)

    def _install_argv(self, uv: str, declaration: Declaration, index_args: list[str]) -> list[str]:
        targets: list[str] = []
        if declaration.requirements and not declaration.uv_lock:
            (self.scratch / REQUIREMENTS_NAME).write_text("\n".join(declaration.requirements) + "\n")
            targets += ["-r", REQUIREMENTS_NAME]
        for path in declaration.requirement_files:
            targets += ["-r", path]
        if declaration.install_project:
            targets.append(".")
        targets += self.builder.extra_packages
        if not targets:
            return []
        return [uv, "pip", "install", "--quiet", "--python", str(self.venv / "bin" / "python"), *index_args, *targets]

    def _step(self, argv: list[str], *, network: bool = False, extra_env: dict[str, str] | None = None) -> RunResult:
        builder = self.builder
        run_argv, egress_mounts, egress_env = self._egress(argv, network)
        mounts = (
            Mount(self.interpreter.prefix),
            Mount(builder.uv),
            Mount(builder.cache_dir / "uv-cache", writable=True),
            Mount(self.venv, writable=True),  # only this build's directory, never the other cached environments
            Mount(self.scratch, writable=True),
            *builder.index.mounts(),
            *egress_mounts,
        )
        env = {
            "UV_CACHE_DIR": str(builder.cache_dir / "uv-cache"),
            "UV_LINK_MODE": "copy",  # the cache and the venv are different mounts: hardlinks cannot cross them
            "UV_PYTHON_DOWNLOADS": "never",
            "VIRTUAL_ENV": str(self.venv),
            "PATH": f"{self.venv}/bin:{BASE_PATH}",
            **egress_env,
            **(extra_env or {}),
        }
        spec = SandboxSpec(argv=tuple(run_argv), cwd=self.scratch, mounts=mounts, env=env, limits=builder.limits)
        result = builder.backend.run(spec)
        if not result.ok:
            raise EnvironmentBuildError(
                f"environment step {argv[:3]} ended with {result.verdict.value}",
                (result.stdout + result.stderr)[-4000:],
            )
        return result

    def _egress(self, argv: list[str], network: bool) -> tuple[list[str], tuple[Mount, ...], dict[str, str]]:
        """A step that may fetch packages runs behind the egress forwarder; it never shares the host network."""
        if not network or self.egress is None:
            return argv, (), {}
        return self.egress.wrap(self.interpreter.executable, argv), self.egress.mounts(), tls_env()
