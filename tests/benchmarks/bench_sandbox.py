"""Sandbox overhead against a bare subprocess.run, environment cache hits and cold builds, parallel throughput.

    .venv/bin/python -m tests.benchmarks.bench_sandbox [--repo PATH] [--iterations 15] [--parallel-runs 8]
        [--index-url file:///opt/pypi/simple] [--python-dir DIR ...]

Without --repo, a small real project is generated (a package and a 40-test pytest suite). Every figure is
measured in this run next to its baseline: the same command through a bare `subprocess.run`, no sandbox.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sandbox.backends import BubblewrapBackend, Mount, SandboxSpec
from sandbox.envs import EnvBuilder, Environment
from sandbox.index import IndexSettings
from sandbox.limits import Limits
from sandbox.pythons import find_interpreters
from sandbox.runner import TestRequest, TestRunner

TESTS = "".join(f"\ndef test_case_{i}():\n    assert add({i}, 1) == {i + 1}\n" for i in range(40))


def make_project(root: Path) -> Path:
    """A small real project: one module, 40 tests, dependencies six and iniconfig."""
    (root / "calc").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "calc" / "__init__.py").write_text("def add(a, b):\n    return a + b\n")
    (root / "tests" / "test_calc.py").write_text("import iniconfig, six\nfrom calc import add\n" + TESTS)
    (root / "requirements.txt").write_text("six\niniconfig\n")
    return root


def timed(func: Callable[[], object], iterations: int) -> list[float]:
    """Wall times of `iterations` calls, in milliseconds (after one warm-up call)."""
    func()
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def paired(bare: Callable[[], object], boxed: Callable[[], object], iterations: int) -> tuple[list[float], list[float]]:
    """Alternate bare and sandboxed calls, so load from other processes on the machine hits both alike."""
    bare_ms: list[float] = []
    boxed_ms: list[float] = []
    bare()
    boxed()
    for _ in range(iterations):
        bare_ms += timed_once(bare)
        boxed_ms += timed_once(boxed)
    return bare_ms, boxed_ms


def timed_once(func: Callable[[], object]) -> list[float]:
    start = time.perf_counter()
    func()
    return [(time.perf_counter() - start) * 1000]


def report(name: str, bare: list[float], boxed: list[float]) -> None:
    b, s = statistics.median(bare), statistics.median(boxed)
    print(f"{name:<34} bare {b:8.1f} ms   sandbox {s:8.1f} ms   extra {s - b:+8.1f} ms   ratio {s / b:5.2f}x")


def bare_env(env: Environment, worktree: Path) -> dict[str, str]:
    return {**env.env(), "HOME": "/tmp", "LANG": "C.UTF-8", "PYTHONPATH": str(worktree), "PYTHONDONTWRITEBYTECODE": "1"}


def bench_python_pass(backend: BubblewrapBackend, env: Environment, work: Path, iterations: int) -> None:
    argv = (str(env.python), "-c", "pass")
    spec = SandboxSpec(argv=argv, cwd=work, mounts=(*env.mounts(), Mount(work, writable=True)), env=env.env())
    bare_run = lambda: subprocess.run(argv, cwd=work, env=bare_env(env, work), check=True)  # noqa: E731
    report("python -c pass", *paired(bare_run, lambda: backend.run(spec), iterations))
    no_cgroup = BubblewrapBackend(cgroup_root=None)
    report("python -c pass (rlimits only)", *paired(bare_run, lambda: no_cgroup.run(spec), iterations))


def bench_pytest(backend: BubblewrapBackend, env: Environment, repo: Path, iterations: int) -> None:
    pytest_args = ["-m", "pytest", "-q", "-p", "no:cacheprovider"]
    argv = (str(env.python), *pytest_args)

    def bare_run() -> None:
        subprocess.run(argv, cwd=repo, env=bare_env(env, repo), check=False, capture_output=True)

    spec = SandboxSpec(argv=argv, cwd=repo, mounts=(*env.mounts(), Mount(repo, writable=True)), env=bare_env(env, repo))
    report("pytest suite (backend only)", *paired(bare_run, lambda: backend.run(spec), iterations))
    runner = TestRunner(backend=backend, limits=Limits(wall_s=300))
    boxed_run = lambda: runner.run(env, TestRequest(repo))  # noqa: E731
    report("pytest suite (copy+JUnit+parse)", *paired(bare_run, boxed_run, iterations))


def bench_envs(builder: EnvBuilder, repo: Path, cold_root: Path, iterations: int) -> None:
    hits = timed(lambda: builder.ensure(repo), iterations)
    cold_builder = EnvBuilder(
        backend=builder.backend, cache_dir=cold_root, interpreters=builder.interpreters, index=builder.index
    )
    start = time.perf_counter()
    cold_builder.ensure(repo)
    cold_ms = (time.perf_counter() - start) * 1000
    shutil.rmtree(cold_root / "envs")
    start = time.perf_counter()
    cold_builder.ensure(repo)
    warm_uv_ms = (time.perf_counter() - start) * 1000
    print(
        f"{'env cache hit':<34} median {statistics.median(hits):8.2f} ms   max {max(hits):8.2f} ms (target < 1000 ms)"
    )
    print(
        f"{'env cold build (empty uv cache)':<34} {cold_ms:8.0f} ms   ({cold_ms / statistics.median(hits):.0f}x a hit)"
    )
    print(f"{'env build, new key, warm uv cache':<34} {warm_uv_ms:8.0f} ms")


def bench_parallel(backend: BubblewrapBackend, env: Environment, repo: Path, runs: int, workers: int) -> None:
    argv = (str(env.python), "-m", "pytest", "-q", "-p", "no:cacheprovider")

    def bare_one(_: int) -> None:
        subprocess.run(argv, cwd=repo, env=bare_env(env, repo), check=False, capture_output=True)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(bare_one, range(runs)))
    bare_s = time.perf_counter() - start
    runner = TestRunner(backend=backend, max_parallel=workers, limits=Limits(wall_s=300))
    start = time.perf_counter()
    results = runner.run_many(env, [TestRequest(repo)] * runs)
    boxed_s = time.perf_counter() - start
    assert all(len(r.tests) == 40 for r in results), "a parallel run lost test results"
    print(
        f"{f'{runs} pytest runs, {workers} at a time':<34} bare {runs / bare_s:6.2f} runs/s   "
        f"sandbox {runs / boxed_s:6.2f} runs/s   ratio {bare_s / boxed_s:5.2f}x of bare throughput"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=Path, default=None, help="A checkout with a pytest suite (default: generated).")
    parser.add_argument("--iterations", type=int, default=15)
    parser.add_argument("--parallel-runs", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--index-url", default="file:///opt/pypi/simple")
    parser.add_argument("--python-dir", type=Path, action="append", default=None)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-sandbox-"))
    try:
        repo = args.repo.resolve() if args.repo else make_project(scratch / "project")
        dirs = args.python_dir or [Path(sys.base_prefix) / "bin"]
        backend = BubblewrapBackend()
        builder = EnvBuilder(
            backend=backend,
            cache_dir=scratch / "cache",
            interpreters=find_interpreters(dirs),
            index=IndexSettings(index_url=args.index_url),
        )
        env = builder.ensure(repo)
        print(f"python {env.interpreter.version}, {os.cpu_count()} cpus, repo {repo}, {args.iterations} iterations\n")
        bench_python_pass(backend, env, scratch, args.iterations)
        bench_pytest(backend, env, repo, args.iterations)
        bench_envs(builder, repo, scratch / "cold", args.iterations)
        bench_parallel(backend, env, repo, args.parallel_runs, args.workers)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
