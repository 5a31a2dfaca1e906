"""Fill the vote and regression matrices by running tests in parallel, cached by (test hash, code hash)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from reviewers.base import ORIGINAL, Candidate, SuiteRunner, TestMatrix, TestStatus, sha

__all__ = ["OutcomeCache", "guard_matrix", "vote_matrix", "voter_files"]


@dataclass
class OutcomeCache:
    """Outcomes per (test hash, code hash); a run only happens for pairs not seen before."""

    entries: dict[tuple[str, str], dict[str, TestStatus]] = field(default_factory=dict)
    runs: int = 0


@dataclass(frozen=True)
class _Voter:
    row: str
    path: str
    source: str
    selectors: tuple[str, ...]
    owner: str

    @property
    def key(self) -> str:
        return sha(f"{self.path}\n{self.source}\n{self.selectors}")


def voter_files(candidates: Sequence[Candidate]) -> list[_Voter]:
    """One voter per distinct repro test; two different tests at one path get distinct file names."""
    voters: dict[str, _Voter] = {}
    used_paths: dict[str, str] = {}
    for c in candidates:
        if not c.test_source or not c.test_path:
            continue
        path = c.test_path
        if used_paths.get(path, c.test_source) != c.test_source:
            pure = PurePosixPath(path)
            path = str(pure.with_name(f"{pure.stem}_{c.id}{pure.suffix}"))
        used_paths[path] = c.test_source
        selectors = tuple(t.replace(c.test_path, path, 1) for t in c.test_ids) or (path,)
        voter = _Voter(path, path, c.test_source, selectors, c.id)
        voters.setdefault(voter.key, voter)
    return list(voters.values())


def _aggregate(results: Mapping[str, TestStatus], selector: str) -> TestStatus:
    """One status for a selector: an error on its file, else the worst of the node ids under it."""
    file = selector.split("::", 1)[0]
    if file in results and file != selector:
        return results[file]
    found = [s for node, s in results.items() if node == selector or node.startswith((selector + "::", selector + "["))]
    if not found:
        return TestStatus.MISSING
    for status in (TestStatus.ERROR, TestStatus.FAILED):
        if status in found:
            return status
    return TestStatus.SKIPPED if all(s is TestStatus.SKIPPED for s in found) else TestStatus.PASSED


def vote_matrix(
    runner: SuiteRunner,
    candidates: Sequence[Candidate],
    *,
    cache: OutcomeCache | None = None,
    max_parallel: int = 2,
    flaky_runs: int = 2,
) -> TestMatrix:
    """Every voter against the original and every candidate; the original runs `flaky_runs` times."""
    cache = cache if cache is not None else OutcomeCache()
    voters = voter_files(candidates)
    matrix = TestMatrix(owners={v.row: v.owner for v in voters})
    if not voters:
        return matrix
    files = {v.path: v.source for v in voters}
    selectors = [s for v in voters for s in v.selectors]
    versions = [(ORIGINAL, "")] * max(1, flaky_runs) + [(c.id, c.diff) for c in candidates]
    keys = [f"{index}:{sha(diff)}" if code == ORIGINAL else sha(diff) for index, (code, diff) in enumerate(versions)]
    results = _run_all(
        runner, versions, keys, files, selectors, sha(str(sorted(v.key for v in voters))), cache, max_parallel
    )
    for voter in voters:
        for (code, _), outcome in zip(versions, results, strict=True):
            status = _row_status(voter, outcome)
            previous = matrix.cells.get(voter.row, {}).get(code)
            if previous is not None and previous is not status:
                status = TestStatus.FLAKY
            matrix.set(voter.row, code, status)
    return matrix


def _row_status(voter: _Voter, outcome: Mapping[str, TestStatus]) -> TestStatus:
    statuses = [_aggregate(outcome, selector) for selector in voter.selectors]
    for status in (TestStatus.ERROR, TestStatus.FAILED, TestStatus.MISSING):
        if status in statuses:
            return status
    return TestStatus.SKIPPED if all(s is TestStatus.SKIPPED for s in statuses) else TestStatus.PASSED


def _run_all(
    runner: SuiteRunner,
    versions: list[tuple[str, str]],
    keys: list[str],
    files: Mapping[str, str],
    selectors: list[str],
    test_key: str,
    cache: OutcomeCache,
    max_parallel: int,
) -> list[dict[str, TestStatus]]:
    """Run every version not already cached, at most `max_parallel` at a time."""

    def one(index: int) -> dict[str, TestStatus]:
        key = (test_key, keys[index])
        if key not in cache.entries:
            cache.entries[key] = runner.run(versions[index][1], files, selectors)
            cache.runs += 1
        return cache.entries[key]

    with ThreadPoolExecutor(max_workers=max(1, max_parallel)) as pool:
        return list(pool.map(one, range(len(versions))))


def guard_matrix(
    runner: SuiteRunner,
    candidates: Sequence[Candidate],
    tests: Sequence[str],
    *,
    cache: OutcomeCache | None = None,
    max_parallel: int = 2,
) -> TestMatrix:
    """The repo's existing tests (`tests`: files or node ids) on the original and every candidate, per node id."""
    cache = cache if cache is not None else OutcomeCache()
    matrix = TestMatrix()
    if not tests:
        return matrix
    versions = [(ORIGINAL, ""), *((c.id, c.diff) for c in candidates)]
    keys = [sha(diff) for _, diff in versions]
    results = _run_all(runner, versions, keys, {}, list(tests), sha("guard" + str(list(tests))), cache, max_parallel)
    nodes = sorted({node for outcome in results for node in outcome if "::" in node})
    for (code, _), outcome in zip(versions, results, strict=True):
        for node in nodes:
            file = node.split("::", 1)[0]
            matrix.set(node, code, outcome.get(node) or outcome.get(file) or TestStatus.MISSING)
    return matrix
