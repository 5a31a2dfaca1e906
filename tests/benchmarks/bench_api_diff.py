"""Benchmark: API diff precision by execution oracle (issue 8, benchmark 1).

Usage: .venv/bin/python -m tests.benchmarks.bench_api_diff [--pairs flask:2.2.2:3.0.0,...] [--sample 200]
       .venv/bin/python -m tests.benchmarks.bench_api_diff --recall [--cache var/migrations-cache] [--budget-s 900]

--recall: recall and kind accuracy against tests/migrations_data/documented_breaks.jsonl (breaks quoted from
the libraries' changelogs and migration guides). A documented break counts as reported when the diff has a
record for its API or for a removed parent; its kind is accurate when the kinds are equal. Breaks whose API
sits under a compiled module (or an unverifiable record) are counted apart. Baseline in the same run:
griffe.find_breaking_changes on the same releases, matched the same way.

Per pair: diff with a cold cache (timed), install the new version into a throwaway venv (uv), and
check each breaking change (or a random sample) there: removed/renamed/moved -> the old path no
longer imports/resolves; signature kinds -> a call shape valid under the old signature no longer
binds with inspect.signature(...).bind. Baseline in the same run: griffe.find_breaking_changes.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from migrations.diff import PATH_KINDS, SIGNATURE_KINDS, Change, Severity, diff_surfaces
from migrations.loader import load_surface
from migrations.pypi import fetch_release
from migrations.surface import ApiSurface, Kind

UV = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))  # the project venv ships uv
PAIRS = "flask:2.2.2:3.0.0,click:7.1.2:8.1.7,requests:2.25.1:2.32.3,attrs:21.4.0:24.2.0,pandas:2.0.3:2.1.4"
# Runs inside the new version's venv: prints one JSON line of verdict counts.
ORACLE = r"""
import ast, importlib, inspect, json, sys

def lookup(path):
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except Exception:
            continue
        parent = None
        for name in parts[i:]:
            parent, obj = obj, getattr(obj, name)
        return parent, obj
    raise ImportError(path)

def call_for(signature, changed):
    text = signature[: signature.rindex(") -> ") + 1] if ") -> " in signature else signature
    args = ast.parse("def f" + text + ": pass").body[0].args
    positional = args.posonlyargs + args.args
    n_defaults = len(args.defaults)
    required = len(positional) - n_defaults
    pos = [None] * required
    kwargs = {a.arg: None for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is None}
    names = [a.arg for a in positional]
    if changed in names and names.index(changed) < required and changed not in [a.arg for a in args.posonlyargs]:
        pos = pos[: names.index(changed)]  # pass it and the rest by keyword, as a caller naming it would
        kwargs.update({n: None for n in names[names.index(changed) : required]})
    elif changed in names and names.index(changed) >= required:
        if changed in [a.arg for a in args.posonlyargs]:
            pos = [None] * (names.index(changed) + 1)
        else:
            kwargs[changed] = None
    elif changed in [a.arg for a in args.kwonlyargs]:
        kwargs[changed] = None
    return pos, kwargs

def check(item):
    try:
        parent, obj = lookup(item["api"])
    except Exception:
        return "confirmed", None
    if item["mode"] == "path":
        return "refuted", "still resolves"
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return "unverifiable", None
    pos, kwargs = call_for(item["signature"], item.get("param"))
    if inspect.isclass(parent):
        raw = inspect.getattr_static(parent, item["api"].rpartition(".")[2], None)
        if inspect.isfunction(raw):
            pos = [None] + pos
    try:
        sig.bind(*pos, **kwargs)
    except TypeError:
        return "confirmed", None
    if item["kind"] == "parameter-moved":
        return "unobservable", None
    return "refuted", f"binds {sig}"

counts = {"confirmed": 0, "refuted": 0, "unverifiable": 0, "unobservable": 0, "refuted_examples": []}
for item in json.load(open(sys.argv[1])):
    verdict, why = check(item)
    counts[verdict] += 1
    if verdict == "refuted":
        counts["refuted_examples"].append(f"{item['api']} [{item['kind']}] {why}")
print(json.dumps(counts))
"""


def diff_cold(package: str, old: str, new: str, cache: Path) -> tuple[list[Change], float, dict[str, float]]:
    started = time.perf_counter()
    old_rel, new_rel = fetch_release(package, old, cache), fetch_release(package, new, cache)
    old_s = load_surface(old_rel.root, old_rel.top_level, package, old)
    new_s = load_surface(new_rel.root, new_rel.top_level, package, new)
    changes = diff_surfaces(old_s, new_s)
    seconds = time.perf_counter() - started
    public = list(old_s.public_api())
    callables = [o for o in public if o.kind in (Kind.FUNCTION, Kind.METHOD, Kind.CLASS)]
    coverage = {
        "public": len(public),
        "callables_with_signature": sum(o.params is not None for o in callables) / max(1, len(callables)),
    }
    return changes, seconds, coverage


def griffe_baseline(root_old: Path, root_new: Path, top: str) -> tuple[int, float]:
    import griffe

    started = time.perf_counter()
    old = griffe.load(top, search_paths=[root_old], allow_inspection=False)
    new = griffe.load(top, search_paths=[root_new], allow_inspection=False)
    count = sum(1 for _ in griffe.find_breaking_changes(old, new))
    return count, time.perf_counter() - started


def checks_for(changes: list[Change]) -> list[dict[str, object]]:
    checks: list[dict[str, object]] = []
    for change in changes:
        if change.severity != Severity.BREAKING:
            continue
        if change.kind in PATH_KINDS:
            checks.append({"api": change.api, "mode": "path", "kind": change.kind.value})
        elif change.kind in SIGNATURE_KINDS and change.old_signature:
            checks.append(
                {
                    "api": change.api,
                    "mode": "bind",
                    "kind": change.kind.value,
                    "signature": change.old_signature,
                    "param": change.parameter,
                }
            )
    return checks


def oracle(package: str, version: str, checks: list[dict[str, object]], workdir: Path) -> dict[str, Any]:
    venv = workdir / "venv"
    subprocess.run([UV, "venv", "-q", "--python", "3.11", str(venv)], check=True, timeout=300)
    subprocess.run(
        [UV, "pip", "install", "-q", "--python", str(venv / "bin" / "python"), f"{package}=={version}"],
        check=True, timeout=600,
    )  # fmt: skip
    (workdir / "checks.json").write_text(json.dumps(checks))
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-c", ORACLE, str(workdir / "checks.json")],
        capture_output=True, text=True, timeout=600, check=True, cwd=workdir,
    )  # fmt: skip
    verdicts: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return verdicts


def run_pair(package: str, old: str, new: str, sample: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-api-diff-") as tmp:
        work = Path(tmp)
        try:
            changes, seconds, coverage = diff_cold(package, old, new, work / "cache")
        except Exception as exc:  # a crash is a figure of this benchmark, not a reason to stop
            print(f"{package} {old}->{new}: CRASH {type(exc).__name__}: {exc}")
            return
        old_root = fetch_release(package, old, work / "cache")
        new_root = fetch_release(package, new, work / "cache")
        griffe_count, griffe_s = griffe_baseline(old_root.root, new_root.root, old_root.top_level[0])
        checks = checks_for(changes)
        random.seed(0)
        picked = random.sample(checks, sample) if len(checks) > sample else checks
        verdicts = oracle(package, new, picked, work)
        confirmed, refuted = verdicts.get("confirmed", 0), verdicts.get("refuted", 0)
        unverifiable = sum(c.severity == Severity.UNVERIFIABLE for c in changes) + verdicts.get("unverifiable", 0)
        precision = confirmed / (confirmed + refuted) if confirmed + refuted else float("nan")
        print(
            f"{package} {old}->{new}: breaking={sum(c.severity == Severity.BREAKING for c in changes)} "
            f"checked={len(picked)} confirmed={confirmed} refuted={refuted} unverifiable={unverifiable} "
            f"unobservable_moves={verdicts.get('unobservable', 0)} precision={precision:.1%} "
            f"public_api={coverage['public']} "
            f"signature_coverage={coverage['callables_with_signature']:.1%} crashes=0 "
            f"seconds_per_diff={seconds:.2f} | baseline griffe.find_breaking_changes: {griffe_count} breakages "
            f"in {griffe_s:.2f}s (ours/griffe time = {seconds / griffe_s:.2f})"
        )
        for example in verdicts.get("refuted_examples", [])[:5]:
            print(f"    refuted: {example}")


DATASET = Path(__file__).parents[1] / "migrations_data" / "documented_breaks.jsonl"


def match(entry: dict[str, str], changes: list[Change], old: ApiSurface) -> Change | None:
    """The record reporting `entry`: same API or its canonical path (same kind first), else a removed parent.

    The canonical path is where the re-exported object is defined (`click.get_os_args` is
    `click.utils.get_os_args`): a record there breaks every name that re-exports it.
    """
    found = old.resolve(entry["api"])
    names = {entry["api"]}
    if found.obj is not None:
        names |= {found.obj.path} | ({found.obj.alias_of} if found.obj.alias_of else set())
    same = [c for c in changes if c.api in names]
    if same:
        return next((c for c in same if c.kind.value == entry["kind"]), same[0])
    parents = [
        c for c in changes if any(n.startswith(c.api + ".") for n in names) and c.kind.value in ("removed", "moved")
    ]
    return parents[0] if parents else None


def griffe_paths(package: str, old: str, new: str, cache: Path) -> set[str]:
    import griffe

    old_rel, new_rel = fetch_release(package, old, cache), fetch_release(package, new, cache)
    paths: set[str] = set()
    for top in old_rel.top_level:
        try:
            old_mod = griffe.load(top, search_paths=[old_rel.root], allow_inspection=False)
            new_mod = griffe.load(top, search_paths=[new_rel.root], allow_inspection=False)
            paths.update(b.obj.path for b in griffe.find_breaking_changes(old_mod, new_mod))
        except Exception:  # noqa: S112 - the baseline may crash where ours does not; that is a figure too
            continue
    return paths


def run_recall(cache: Path, budget_s: float) -> None:
    from migrations.diff import diff_releases
    from migrations.followed import followed_surface

    entries = [json.loads(line) for line in DATASET.read_text().splitlines() if line.strip()]
    pairs = sorted({(e["package"], e["old"], e["new"]) for e in entries})
    totals = {"documented": 0, "reported": 0, "kind_ok": 0, "unverifiable": 0, "griffe": 0}
    started = time.perf_counter()
    for package, old, new in pairs:
        mine = [e for e in entries if (e["package"], e["old"], e["new"]) == (package, old, new)]
        if time.perf_counter() - started > budget_s:
            print(f"{package} {old}->{new}: skipped, time budget of {budget_s:.0f}s spent")
            continue
        t0 = time.perf_counter()
        try:
            changes = diff_releases(package, old, new, cache)
        except Exception as exc:  # a crash is a figure of this benchmark
            print(f"{package} {old}->{new}: CRASH {type(exc).__name__}: {exc}")
            continue
        seconds = time.perf_counter() - t0
        baseline = griffe_paths(package, old, new, cache)
        old_surface = followed_surface(package, old, cache)
        found = {e["api"]: match(e, changes, old_surface) for e in mine}
        reported = [a for a, c in found.items() if c is not None and c.severity != Severity.UNVERIFIABLE]
        unverifiable = [a for a, c in found.items() if c is not None and c.severity == Severity.UNVERIFIABLE]
        kind_ok = [e["api"] for e in mine if (c := found[e["api"]]) is not None and c.kind.value == e["kind"]]
        by_griffe = [e["api"] for e in mine if any(e["api"] == p or e["api"].startswith(p + ".") for p in baseline)]
        missed = [a for a, c in found.items() if c is None]
        print(
            f"{package} {old}->{new}: documented={len(mine)} reported={len(reported)} "
            f"unverifiable={len(unverifiable)} recall={len(reported) / len(mine):.1%} "
            f"recall_counting_unverifiable={(len(reported) + len(unverifiable)) / len(mine):.1%} "
            f"kind_accuracy={len(kind_ok) / max(1, len(reported) + len(unverifiable)):.1%} "
            f"seconds={seconds:.2f} | baseline griffe recall={len(by_griffe) / len(mine):.1%}"
        )
        for api in missed[:6]:
            print(f"    missed: {api}")
        for e in mine:
            hit = found[e["api"]]
            if hit is not None and e["api"] not in kind_ok:
                print(f"    kind: {e['api']} documented {e['kind']}, reported {hit.kind} ({hit.severity})")
        figures = (len(mine), len(reported), len(kind_ok), len(unverifiable), len(by_griffe))
        for key, value in zip(totals, figures, strict=True):
            totals[key] += value
    counted = totals["documented"]
    print(
        f"TOTAL pairs={len(pairs)} dataset={len(entries)} documented={counted} reported={totals['reported']} "
        f"unverifiable={totals['unverifiable']} "
        f"recall={totals['reported'] / max(1, counted):.1%} "
        f"recall_counting_unverifiable={(totals['reported'] + totals['unverifiable']) / max(1, counted):.1%} "
        f"kind_accuracy={totals['kind_ok'] / max(1, totals['reported'] + totals['unverifiable']):.1%} "
        f"| baseline griffe recall={totals['griffe'] / max(1, counted):.1%} "
        f"(ours/griffe = {totals['reported'] / max(1, totals['griffe']):.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", default=PAIRS)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--recall", action="store_true")
    parser.add_argument("--cache", type=Path, default=Path("var/migrations-cache"))
    parser.add_argument("--budget-s", type=float, default=900.0)
    args = parser.parse_args()
    logging.getLogger("griffe").setLevel(logging.CRITICAL)
    if args.recall:
        run_recall(args.cache, args.budget_s)
        return
    if shutil.which(UV) is None:
        raise SystemExit("uv is required for the execution oracle")
    for pair in args.pairs.split(","):
        package, old, new = pair.split(":")
        run_pair(package, old, new, args.sample)


if __name__ == "__main__":
    main()
