"""Tests for memory.bench: the chronological protocol on a small real history."""

from __future__ import annotations

from pathlib import Path

from memory.bench import METHODS, cut_index, format_result, run_bench
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
