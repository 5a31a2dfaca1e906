"""Trajectory records and the JSON-file trajectory store."""

from __future__ import annotations

import json
from pathlib import Path

from bot.patching.trajectory import (
    CandidateStatus,
    FileTrajectoryStore,
    RunRecord,
    TestOutcome,
    Trajectory,
    TurnRecord,
    TurnVerdict,
)


def sample() -> Trajectory:
    run = RunRecord("original", "failed", 1, (TestOutcome("t.py::test_a", "failed", "assert 1 == 2"),), "tail")
    turn = TurnRecord(
        0, reply="answer", prompt_tokens=10, completion_tokens=3, runs=[run], verdict=TurnVerdict.STILL_FAILS
    )
    return Trajectory(
        "job/../1", 2, 0.6, ["a.py"], ["changes"], CandidateStatus.UNPROVEN,
        [{"role": "user", "content": "hi"}], [turn], "diff", "t.py", "code", 13, 0.5,
    )  # fmt: skip


def files_under(root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()]


async def test_saved_trajectory_loads_equal(tmp_path: Path) -> None:
    """A trajectory saved and loaded again is equal, down to enums and nested runs."""
    store = FileTrajectoryStore(tmp_path)
    await store.save(sample())
    assert await store.load("job/../1", 2) == sample()


async def test_unknown_candidate_loads_none(tmp_path: Path) -> None:
    """Loading a candidate never saved gives None."""
    assert await FileTrajectoryStore(tmp_path).load("job-1", 0) is None


async def test_job_id_cannot_leave_the_store(tmp_path: Path) -> None:
    """Separators and dots in a job id stay inside the store's root, and no temporary file is left."""
    store = FileTrajectoryStore(tmp_path / "root")
    await store.save(sample())
    assert files_under(tmp_path) == ["root/job_.._1/candidate-2.json"]


async def test_save_replaces_the_previous_record(tmp_path: Path) -> None:
    """A later save of the same candidate replaces the earlier one whole."""
    store = FileTrajectoryStore(tmp_path)
    first = sample()
    await store.save(first)
    first.status, first.turns = CandidateStatus.PROVEN, []
    await store.save(first)
    loaded = await store.load("job/../1", 2)
    assert loaded is not None and loaded.status is CandidateStatus.PROVEN and loaded.turns == []


async def test_unreadable_or_old_record_is_run_again(tmp_path: Path) -> None:
    """A record in an unknown format or not JSON at all loads as None, so the candidate runs again."""
    store = FileTrajectoryStore(tmp_path)
    path = store.path_for("job-1", 0)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"format": 0}))
    assert await store.load("job-1", 0) is None
    path.write_text("{not json")
    assert await store.load("job-1", 0) is None


def test_only_running_is_unfinished() -> None:
    """Every status but RUNNING is final."""
    assert [s for s in CandidateStatus if not Trajectory("j", 0, status=s).finished] == [CandidateStatus.RUNNING]
