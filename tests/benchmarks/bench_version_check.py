"""Benchmark: the static version checker on GitChameleon (issue 5, benchmark 2).

Usage: .venv/bin/python -m tests.benchmarks.bench_version_check [--dataset DIR] [--cache DIR]
       [--max-downloads N] [--libraries a,b]

(a) every api_calls entry of a ground-truth solution that names the record's library must resolve
    against that version's static surface: false alarms are entries reported missing, and records
    whose solution gets any missing/does-not-bind finding;
(b) for API-change records, the solution is checked against the newest release older than the
    record's minor version: how often the checker flags it.
Baseline (same run): a name-only checker that flags a path when its last segment names no object
anywhere in the surface.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from packaging.version import InvalidVersion, Version

from migrations.callcheck import FindingKind, check_source, qualify
from migrations.errors import MigrationError
from migrations.loader import release_surface
from migrations.pypi import fetch_release
from migrations.surface import ApiSurface, Status

PIP_NAMES = {"scikit-learn": "scikit-learn", "pillow": "pillow"}
KNOWN_COMPILED = {"torch", "numpy", "scipy", "pandas", "scikit-learn", "matplotlib", "lightgbm", "spacy", "pillow"}
TOO_LARGE = {"gradio", "plotly", "sympy", "django"}  # pure Python, but griffe needs minutes and > 1 GB each
CHANGE_KINDS = ("new", "name change", "argument", "function name", "breaking", "attribute change")
HARD = (FindingKind.MISSING, FindingKind.NO_BIND)


class Surfaces:
    """Release surfaces by (package, version), with a download cap and the reasons for failures."""

    def __init__(self, cache: Path, max_downloads: int) -> None:
        self.cache = cache
        self.budget = max_downloads
        self.known: dict[tuple[str, str], ApiSurface | str] = {}

    def get(self, package: str, version: str) -> ApiSurface | str:
        key = (package, version)
        if key not in self.known:
            self.known[key] = self._load(package, version)
        return self.known[key]

    def _load(self, package: str, version: str) -> ApiSurface | str:
        if self.budget <= 0:
            return "download cap reached"
        self.budget -= 1
        try:
            release = fetch_release(package, version, self.cache, allow_sdist=False)
            if not release.is_wheel or not _pure(release.root):
                return "no pure-Python wheel"
            return release_surface(package, version, self.cache)
        except MigrationError as exc:
            return f"unavailable: {type(exc).__name__}"


def _pure(root: Path) -> bool:
    wheel_files = list(root.glob("*.dist-info/WHEEL"))
    return bool(wheel_files) and "-none-any" in wheel_files[0].read_text().replace("Tag: ", "-")


def older_release(package: str, version: str, versions_cache: dict[str, list[Version]]) -> str | None:
    """The newest release below the record's major.minor line (via `pip index versions`)."""
    if package not in versions_cache:
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "index", "versions", package],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        line = next((x for x in proc.stdout.splitlines() if x.startswith("Available versions:")), "")
        versions_cache[package] = [Version(v.strip()) for v in line.partition(":")[2].split(",") if v.strip()]
    try:
        current = Version(version)
    except InvalidVersion:
        return None
    floor = Version(f"{current.major}.{current.minor if len(current.release) > 1 else 0}")
    older = [v for v in versions_cache[package] if v < floor and not v.is_prerelease]
    return str(max(older)) if older else None


def entry_paths(record: dict[str, object], answer: str, surface: ApiSurface) -> list[str]:
    """api_calls entries of the record that denote a path in the record's library."""
    paths = []
    for entry in record["api_calls"]:  # type: ignore[attr-defined]
        path = qualify(answer, str(entry), {"lib": surface})
        if path and path.split(".")[0] in surface.top_level:
            paths.append(path)
    return paths


def name_only_missing(surface: ApiSurface, path: str) -> bool:
    """Baseline: the last segment names no object anywhere in the package."""
    name = path.rpartition(".")[2]
    return not any(p.rpartition(".")[2] == name for p in surface.objects)


def run(args: argparse.Namespace) -> None:
    dataset = Path(args.dataset)
    records = [json.loads(x) for x in (dataset / "dataset.jsonl").read_text().splitlines() if x.strip()]
    answers = {
        json.loads(x)["example_id"]: json.loads(x)["answer"]
        for x in (dataset / "ground_truth_solutions.jsonl").read_text().splitlines()
        if x.strip()
    }
    wanted = set(args.libraries.split(",")) if args.libraries else None
    surfaces = Surfaces(Path(args.cache), args.max_downloads)
    skipped: Counter[str] = Counter()
    stats: Counter[str] = Counter()
    versions_cache: dict[str, list[Version]] = {}
    started = time.perf_counter()
    for record in records:
        library = record["library"]
        if wanted is not None and library not in wanted:
            skipped["not selected"] += 1
            continue
        if library in KNOWN_COMPILED or library in TOO_LARGE:
            skipped["compiled" if library in KNOWN_COMPILED else "too large"] += 1
            continue
        surface = surfaces.get(PIP_NAMES.get(library, library), record["version"])
        if isinstance(surface, str):
            skipped[surface] += 1
            continue
        answer = answers[record["example_id"]]
        stats["records"] += 1
        _score_current(record, answer, surface, stats)
        if any(k in record["type_of_change"].lower() for k in CHANGE_KINDS):
            _score_older(record, answer, surfaces, versions_cache, stats, skipped)
    _report(stats, skipped, time.perf_counter() - started)


def _score_current(record: dict[str, object], answer: str, surface: ApiSurface, stats: Counter[str]) -> None:
    for path in entry_paths(record, answer, surface):
        resolution = surface.resolve(path)
        stats["entries"] += 1
        stats[f"entries_{resolution.status.value}"] += 1
        stats["baseline_false_alarms"] += name_only_missing(surface, path)
        if resolution.status == Status.MISSING:
            print(f"  false alarm: #{record['example_id']} {path} ({surface.package} {surface.version})")
    findings = [f for f in check_source(answer, {"lib": surface}) if f.kind in HARD]
    stats["records_flagged_own_version"] += bool(findings)
    for finding in findings:
        print(f"  record #{record['example_id']} {surface.package} {surface.version}: {finding.message[:160]}")


def _score_older(
    record: dict[str, object],
    answer: str,
    surfaces: Surfaces,
    versions_cache: dict[str, list[Version]],
    stats: Counter[str],
    skipped: Counter[str],
) -> None:
    package = PIP_NAMES.get(str(record["library"]), str(record["library"]))
    old = older_release(package, str(record["version"]), versions_cache)
    old_surface = surfaces.get(package, old) if old else "no older release"
    if isinstance(old_surface, str):
        skipped[f"(b) {old_surface}"] += 1
        return
    stats["change_records"] += 1
    findings = [f for f in check_source(answer, {"lib": old_surface}) if f.kind in HARD]
    stats["change_flagged"] += bool(findings)
    own = {p for p in entry_paths(record, answer, old_surface)}
    stats["change_flagged_baseline"] += any(name_only_missing(old_surface, p) for p in own)


def _report(stats: Counter[str], skipped: Counter[str], seconds: float) -> None:
    entries = stats["entries"]
    checked = entries - stats["entries_unverifiable"]
    false_alarms = stats["entries_missing"]
    records = stats["records"]
    print(f"records analysed: {records}; skipped: {dict(skipped)}")
    print(f"(a) api_calls entries in the record's library: {entries} (found {stats['entries_found']}, "
          f"unverifiable {stats['entries_unverifiable']}, missing {false_alarms})")  # fmt: skip
    print(f"(a) entry false-alarm rate: {false_alarms}/{checked} = {_pct(false_alarms, checked)} (target <= 2%); "
          f"baseline name-only: {stats['baseline_false_alarms']}/{entries} = "
          f"{_pct(stats['baseline_false_alarms'], entries)}")  # fmt: skip
    flagged = stats["records_flagged_own_version"]
    print(f"(a) records whose solution gets any missing/does-not-bind finding: {flagged}/{records} = "
          f"{_pct(flagged, records)}")  # fmt: skip
    n = stats["change_records"]
    print(f"(b) API-change records checked against an older release: {n}; flagged {stats['change_flagged']} = "
          f"{_pct(stats['change_flagged'], n)}; baseline name-only flagged {stats['change_flagged_baseline']} = "
          f"{_pct(stats['change_flagged_baseline'], n)}")  # fmt: skip
    print(f"wall time: {seconds:.1f}s")


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", default="/work/shared/datasets/gitchameleon")
    parser.add_argument("--cache", default="/work/main/var/migrations-cache")
    parser.add_argument("--max-downloads", type=int, default=60)
    parser.add_argument("--libraries", default="")
    logging.getLogger("griffe").setLevel(logging.CRITICAL)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
