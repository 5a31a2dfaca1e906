"""Tests for memory.bench: the chronological protocol on a small real history."""

from __future__ import annotations

from pathlib import Path

import pytest

from memory.bench import METHODS, BenchResult, cut_index, delta_interval, format_result, run_bench
from memory.builder import BuildConfig
from memory.gitlog import iter_units


def test_cut_index_splits_by_commit_date(history_repo: Path) -> None:
    """Units before the cut date are history; a date in the past puts every unit after the cut."""
    units = list(iter_units(history_repo))
    assert cut_index(units, "2000-01-01") == 0
    assert cut_index(units, "2999-01-01") == len(units)


def test_run_bench_scores_only_units_with_modified_existing_files(history_repo: Path) -> None:
    """Units that only add or delete files, or rename them, are not evaluated; the others are, by every method."""
    result = run_bench(history_repo, "2000-01-01", None, BuildConfig(calibration_units=2))
    assert result.count("file") == 2  # the Client.send fix and the cookie PR merge
    assert set(result.scores["file"]) == set(METHODS)
    assert "file (units=2)" in format_result(result)


def _result(mine: list[float], base: list[float]) -> BenchResult:
    result = BenchResult(repo="r", cut="2000-01-01")
    for a, b in zip(mine, base, strict=True):
        result.add("file", "memory", {"R@5": a})
        result.add("file", METHODS[1], {"R@5": b})
    return result


def test_delta_interval_averages_repos_and_brackets_the_point() -> None:
    """The point is the mean of per-repo mean deltas, and the paired bootstrap interval contains it."""
    results = [_result([1, 1, 0, 1], [0, 1, 0, 0]), _result([1, 0, 1, 1, 1], [1, 0, 0, 1, 0])]
    point, low, high = delta_interval(results, "file", "R@5")
    assert point == pytest.approx((0.5 + 0.4) / 2)
    assert low <= point <= high
    assert 0.0 <= low < high <= 1.0


def test_delta_interval_is_degenerate_when_the_methods_agree_on_every_unit() -> None:
    """Identical per-unit scores give a zero delta with a zero-width interval, whatever the draw."""
    point, low, high = delta_interval([_result([1, 0, 0.5], [1, 0, 0.5])], "file", "R@5")
    assert (point, low, high) == (0.0, 0.0, 0.0)
