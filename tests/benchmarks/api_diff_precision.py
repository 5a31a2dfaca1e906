"""Precision of the API diff by execution oracle, per release pair (the engine of bench_api_diff).

Per pair:
1. download both releases once into `--cache` (timed apart: the network is not the analysis);
2. cold analysis in a child process bounded by `--diff-timeout`: unpack both archives into an empty
   directory, load both surfaces with griffe, diff (wall and CPU seconds);
3. baseline in the same run, another bounded child: `griffe.load` x2 + `griffe.find_breaking_changes`;
4. the breaking records (or a random sample of `--sample`) become checks; each runs in the sandbox
   (bubblewrap, venvs built by `sandbox.envs`) first on the OLD version (precondition: the path resolves
   and the old call shape binds; otherwise the check is unverifiable by execution), then on the NEW
   version (confirmed / refuted / unverifiable / unobservable). griffe's breakages go through the same
   oracle, so its precision is the baseline precision.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrations.diff import GRIFFE_KINDS, PATH_KINDS, SIGNATURE_KINDS, Change, ChangeKind, Severity, diff_surfaces
from migrations.followed import PARALLEL_MIN_BYTES, beside
from migrations.loader import load_surface
from migrations.pypi import describe, download_release, normalize, unpack_release
from migrations.surface import ApiSurface, Kind, Status

ORACLE = Path(__file__).with_name("api_diff_oracle.py")
# Extra pins so the OLD/NEW release imports on today's index (the resolver would pick too-new dependencies).
EXTRA_PINS = {
    ("flask", "2.2.2"): ("werkzeug<2.3",),  # werkzeug 3 removed url_quote, which flask 2.2 imports
    ("pandas", "2.0.3"): ("numpy<2",),  # pandas 2.0/2.1 wheels are built against the numpy 1 ABI
    ("pandas", "2.1.4"): ("numpy<2",),
}
CHILD = "import sys; from tests.benchmarks.api_diff_precision import {fn}; {fn}(*sys.argv[1:])"


@dataclass
class Settings:
    """Where things go and how long they may take."""

    cache: Path
    env_cache: Path
    trusted_networks: tuple[str, ...]
    python_dir: Path
    sample: int = 200
    diff_timeout_s: float = 300.0
    serial_too: bool = False  # also time the two releases loaded one after the other (A/B of the parallel load)


@dataclass
class PairReport:
    """The figures of one pair; `verdicts` counts the oracle's answers for our checks, `griffe_*` the baseline's."""

    name: str
    breaking: int = 0
    static_unverifiable: int = 0
    checked: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    coverage: dict[str, float] = field(default_factory=dict)
    crashes: int = 0
    download_s: float = 0.0
    wall_s: float = float("nan")
    cpu_s: float = float("nan")
    serial_wall_s: float = float("nan")
    griffe_count: int | None = None
    griffe_s: float = float("nan")
    griffe_checked: int = 0
    load_1m: float = float("nan")
    griffe_verdicts: Counter[str] = field(default_factory=Counter)
    refuted: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def precision(self) -> float:
        return _precision(self.verdicts)

    @property
    def griffe_precision(self) -> float:
        return _precision(self.griffe_verdicts)


def _precision(verdicts: Counter[str]) -> float:
    decided = verdicts["confirmed"] + verdicts["refuted"]
    return verdicts["confirmed"] / decided if decided else float("nan")


def analyse_child(
    package: str, old: str, new: str, old_archive: str, new_archive: str, out: str, parallel: str
) -> None:
    """In a child process: the cold analysis, written as JSON to `out` (plus both surfaces beside it).

    The same pipeline as `diff_releases`: griffe surfaces, module `__getattr__` shims and computed
    `__all__` followed from the sources, then the diff; `parallel` ("1") analyses the old release in a child
    process beside this one as `diff_releases` does (the surface comes back as JSON), "0" one after the other.
    """
    work = Path(out).parent
    started, cpu = time.perf_counter(), _cpu_s()
    cold = str(work / ("cold" if parallel == "1" else "cold-serial"))
    old_json = str(work / f"old-{parallel}.json")
    if parallel == "1" and Path(old_archive).stat().st_size >= PARALLEL_MIN_BYTES:  # as diff_releases does
        argv = [sys.executable, "-c", CHILD.format(fn="cold_child"), package, old, old_archive, cold, old_json]
        new_surface, new_failed = beside(argv, lambda: cold_surface(package, new, new_archive, cold))
        if not Path(old_json).is_file():
            raise RuntimeError(f"the child analysing {package} {old} failed")
        loaded = json.loads(Path(old_json).read_text())
        old_surface, old_failed = ApiSurface.from_json(loaded["surface"]), loaded["failed"]
    else:
        old_surface, old_failed = cold_surface(package, old, old_archive, cold)
        new_surface, new_failed = cold_surface(package, new, new_archive, cold)
    changes = diff_surfaces(old_surface, new_surface)
    figures = {
        "wall_s": time.perf_counter() - started,
        "cpu_s": _cpu_s() - cpu,  # this process and its finished worker
        "failed": len(old_failed) + len(new_failed),
    }
    for name, surface in (("old", old_surface), ("new", new_surface)):
        (work / f"{name}-surface.json").write_text(json.dumps(surface.to_json()))
    Path(out).write_text(json.dumps({**figures, "changes": [c.to_json() for c in changes]}))


def _cpu_s() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def cold_surface(package: str, version: str, archive: str, cold: str) -> tuple[ApiSurface, list[str]]:
    """One release unpacked into the fresh directory `cold` and analysed; also the members griffe failed on."""
    from migrations.followed import apply_dynamic_exports, apply_shims, source_reader

    failed: list[str] = []
    release = unpack_release(package, version, Path(archive), Path(cold))
    surface = load_surface(release.root, release.top_level, package, version, failed=failed)
    read = source_reader(release.root)
    return apply_dynamic_exports(apply_shims(surface, read), read), failed


def cold_child(package: str, version: str, archive: str, cold: str, out: str) -> None:
    """In a child process: `cold_surface` written as JSON to `out`."""
    surface, failed = cold_surface(package, version, archive, cold)
    Path(out).write_text(json.dumps({"surface": surface.to_json(), "failed": failed}))


def griffe_child(package: str, top: str, old_root: str, new_root: str, out: str) -> None:
    """In a child process: griffe's own loading and `find_breaking_changes`, timed, as (path, kind, param)."""
    import griffe

    started = time.perf_counter()
    old = griffe.load(top, search_paths=[old_root], allow_inspection=False)
    new = griffe.load(top, search_paths=[new_root], allow_inspection=False)
    found = []
    for breakage in griffe.find_breaking_changes(old, new):
        param = getattr(breakage.old_value, "name", None)
        found.append([breakage.obj.path, breakage.kind.name, param if isinstance(param, str) else None])
    Path(out).write_text(json.dumps({"seconds": time.perf_counter() - started, "breakages": found}))


def run_child(fn: str, args: list[str], timeout_s: float) -> None:
    argv = [sys.executable, "-c", CHILD.format(fn=fn), *args]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, check=False)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"rc={proc.returncode}")


def checks_for(changes: list[Change]) -> list[dict[str, Any]]:
    """Executable checks for the breaking records whose kind the oracle can observe."""
    checks: list[dict[str, Any]] = []
    for change in changes:
        if change.severity != Severity.BREAKING:
            continue
        if change.kind in PATH_KINDS:
            checks.append({"api": change.api, "mode": "path", "kind": change.kind.value})
        elif change.kind in SIGNATURE_KINDS and change.old_signature:
            checks.append(_bind(change.api, change.kind, change.old_signature, change.parameter))
    return checks


def _bind(api: str, kind: ChangeKind, signature: str, param: str | None) -> dict[str, Any]:
    return {"api": api, "mode": "bind", "kind": kind.value, "signature": signature, "param": param}


def griffe_checks(breakages: list[list[Any]], old: ApiSurface) -> list[dict[str, Any]]:
    """The same checks for griffe's breakages; signatures come from our reading of the old release."""
    checks: list[dict[str, Any]] = []
    for path, name, param in breakages:
        kind = GRIFFE_KINDS.get(name)
        if kind == ChangeKind.REMOVED:
            checks.append({"api": path, "mode": "path", "kind": kind.value})
        elif kind in SIGNATURE_KINDS and (obj := old.objects.get(path)) is not None and obj.signature():
            checks.append(_bind(path, kind, str(obj.signature()), param))
    return checks


def coverage(old: ApiSurface, new: ApiSurface) -> dict[str, float]:
    """Public API size; share decided statically (found or missing in the new release); share with signatures."""
    public = list(old.public_api())
    decided = sum(new.resolve(o.path).status != Status.UNVERIFIABLE for o in public)
    callables = [o for o in public if o.kind in (Kind.FUNCTION, Kind.METHOD, Kind.CLASS)]
    return {
        "public": len(public),
        "decided": decided / max(1, len(public)),
        "signatures": sum(o.params is not None for o in callables) / max(1, len(callables)),
    }


def sample(checks: list[dict[str, Any]], size: int) -> list[dict[str, Any]]:
    return random.Random(0).sample(checks, size) if len(checks) > size else checks


def oracle(package: str, version: str, mode: str, checks: list[dict[str, Any]], settings: Settings) -> list[Any]:
    """Run the oracle in `mode` inside the sandbox, in a venv holding `package==version`."""
    from sandbox.backends import Mount, SandboxSpec, make_backend
    from sandbox.envs import EnvBuilder
    from sandbox.index import IndexSettings
    from sandbox.limits import Limits
    from sandbox.pythons import find_interpreters

    backend = make_backend("bubblewrap")
    index = IndexSettings(trusted_networks=settings.trusted_networks)
    interpreters = find_interpreters([settings.python_dir])
    builder = EnvBuilder(backend, settings.env_cache, interpreters, index=index, extra_packages=())
    pins = [f"{package}=={version}", *EXTRA_PINS.get((package, version), ())]
    with tempfile.TemporaryDirectory(prefix="bench-api-diff-") as tmp:
        work = Path(tmp)
        (work / "requirements.txt").write_text("\n".join(pins) + "\n")
        env = builder.ensure(work)
        (work / "requirements.txt").unlink()
        shutil.copy(ORACLE, work / ORACLE.name)
        (work / "checks.json").write_text(json.dumps(checks))
        argv = (str(env.python), ORACLE.name, mode, "checks.json", "verdicts.json")
        spec = SandboxSpec(
            argv, work, (*env.mounts(), Mount(work, writable=True)), env.env(), Limits(wall_s=600, cpu_s=600)
        )
        result = backend.run(spec)
        if not (work / "verdicts.json").is_file():
            raise RuntimeError(f"oracle run failed ({result.verdict.value}): {result.stderr[-400:]}")
        verdicts: list[Any] = json.loads((work / "verdicts.json").read_text())
        return verdicts


def judge(
    package: str, old: str, new: str, checks: list[dict[str, Any]], settings: Settings
) -> tuple[Counter[str], list[str]]:
    """Verdict counts ('precondition' = unverifiable by execution on the old version) and refuted examples."""
    counts: Counter[str] = Counter()
    pre = oracle(package, old, "old", checks, settings) if checks else []
    kept = [{**c, "valid_shapes": p["valid_shapes"]} for c, p in zip(checks, pre, strict=True) if p["ok"]]
    counts["precondition"] = len(checks) - len(kept)
    counts["crash"] = sum(p.get("status") == "crash" for p in pre)
    post = oracle(package, new, "new", kept, settings) if kept else []
    counts.update(p["status"] for p in post)
    refuted = [
        f"{c['api']} [{c['kind']}] {p['why']}" for c, p in zip(kept, post, strict=True) if p["status"] == "refuted"
    ]
    return counts, refuted


def run_pair(package: str, old: str, new: str, settings: Settings) -> PairReport:
    """All figures of one pair; a crash is recorded in the report, never raised."""
    report = PairReport(f"{package} {old}->{new}")
    started = time.perf_counter()
    archives = [download_release(package, v, settings.cache) for v in (old, new)]
    report.download_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="bench-api-diff-cold-") as tmp:
        work = Path(tmp)
        try:
            args = [package, old, new, str(archives[0]), str(archives[1])]
            if settings.serial_too:
                run_child("analyse_child", [*args, str(work / "serial.json"), "0"], settings.diff_timeout_s)
                report.serial_wall_s = json.loads((work / "serial.json").read_text())["wall_s"]
            run_child("analyse_child", [*args, str(work / "analysis.json"), "1"], settings.diff_timeout_s)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            report.crashes, report.error = 1, f"analysis: {type(exc).__name__}: {str(exc)[:200]}"
            return report
        analysis = json.loads((work / "analysis.json").read_text())
        surfaces = [ApiSurface.from_json(json.loads((work / f"{n}-surface.json").read_text())) for n in ("old", "new")]
        _baseline(report, (package, old, new), surfaces[0], work, settings)
    changes = [Change.from_json(c) for c in analysis["changes"]]
    report.wall_s, report.cpu_s, report.crashes = analysis["wall_s"], analysis["cpu_s"], analysis["failed"]
    report.load_1m = os.getloadavg()[0]  # the CPU is shared: wall time depends on it, CPU time does not
    report.breaking = sum(c.severity == Severity.BREAKING for c in changes)
    report.static_unverifiable = sum(c.severity == Severity.UNVERIFIABLE for c in changes)
    report.coverage = coverage(*surfaces)
    picked = sample(checks_for(changes), settings.sample)
    report.checked = len(picked)
    report.verdicts, report.refuted = judge(package, old, new, picked, settings)
    report.crashes += report.verdicts["crash"]
    return report


def _baseline(
    report: PairReport, pair: tuple[str, str, str], old_surface: ApiSurface, work: Path, settings: Settings
) -> None:
    package, old, new = pair
    roots = [
        str(describe(package, v, work / "cold" / "unpacked" / f"{normalize(package)}-{v}").root) for v in (old, new)
    ]
    out = work / "griffe.json"
    try:
        run_child("griffe_child", [package, old_surface.top_level[0], *roots, str(out)], settings.diff_timeout_s)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        report.error = f"griffe baseline: {type(exc).__name__}: {str(exc)[:160]}"
        return
    baseline = json.loads(out.read_text())
    report.griffe_count, report.griffe_s = len(baseline["breakages"]), baseline["seconds"]
    checks = sample(griffe_checks(baseline["breakages"], old_surface), settings.sample)
    report.griffe_checked = len(checks)
    report.griffe_verdicts, _ = judge(package, old, new, checks, settings)
