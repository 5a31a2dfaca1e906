"""What one candidate did, as serialisable records, and where they are kept (a Protocol and a JSON-file store)."""

from __future__ import annotations

import asyncio
import enum
import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

__all__ = [
    "CandidateStatus",
    "FileTrajectoryStore",
    "RunRecord",
    "TestOutcome",
    "Trajectory",
    "TrajectoryStore",
    "TurnRecord",
    "TurnVerdict",
]

FORMAT = 1
SAFE_JOB_ID = re.compile(r"[^A-Za-z0-9._-]")


class CandidateStatus(enum.StrEnum):
    """Where a candidate stands; every status but RUNNING is final."""

    RUNNING = "running"
    PROVEN = "proven"  # the repro test failed before the edit, passes after it, nearby tests did not regress
    UNPROVEN = "unproven"  # turns ran out without a proof; the last applied edit is kept
    BUDGET_EXCEEDED = "budget_exceeded"
    FAILED = "failed"  # the model endpoint gave no usable answer (after its own retries)


class TurnVerdict(enum.StrEnum):
    """What one turn concluded, i.e. what its feedback is about."""

    MALFORMED = "malformed"
    NOT_APPLIED = "not_applied"
    VERSION_ERRORS = "version_errors"
    NO_TEST = "no_test"
    PROVES_NOTHING = "proves_nothing"
    STILL_FAILS = "still_fails"
    REGRESSION = "regression"
    PROVEN = "proven"


@dataclass(frozen=True)
class TestOutcome:
    __test__ = False  # not a pytest test class

    node_id: str
    outcome: str
    message: str = ""


@dataclass(frozen=True)
class RunRecord:
    """One sandboxed test run: which one (`label`), how it ended, and per-test outcomes."""

    label: str
    verdict: str
    exit_code: int | None
    tests: tuple[TestOutcome, ...] = ()
    output_tail: str = ""
    report_error: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        tests = tuple(TestOutcome(**t) for t in data.get("tests", ()))
        return cls(**{**data, "tests": tests})


@dataclass
class TurnRecord:
    """One model call and everything that followed from its answer."""

    turn: int
    reply: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    parse_errors: list[str] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    diff: str = ""
    findings: list[str] = field(default_factory=list)
    runs: list[RunRecord] = field(default_factory=list)
    verdict: TurnVerdict | None = None
    feedback: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TurnRecord:
        verdict = data.get("verdict")
        runs = [RunRecord.from_json(r) for r in data.get("runs", [])]
        return cls(**{**data, "runs": runs, "verdict": TurnVerdict(verdict) if verdict else None})


@dataclass
class Trajectory:
    """A candidate's whole record: its plan, the conversation, each turn, the result and what it cost.

    Usage:
        trajectory = Trajectory(job_id="job-1", candidate=0, temperature=0.4, focus=["pkg/mod.py"])
        await store.save(trajectory); again = await store.load("job-1", 0)
    """

    job_id: str
    candidate: int
    temperature: float = 0.0
    focus: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    status: CandidateStatus = CandidateStatus.RUNNING
    messages: list[dict[str, str]] = field(default_factory=list)
    turns: list[TurnRecord] = field(default_factory=list)
    diff: str = ""
    test_path: str | None = None
    test_code: str | None = None
    spent_tokens: int = 0
    spent_usd: float = 0.0
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.status is not CandidateStatus.RUNNING

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Trajectory:
        fields = {k: v for k, v in data.items() if k != "format"}
        fields["status"] = CandidateStatus(fields["status"])
        fields["turns"] = [TurnRecord.from_json(t) for t in fields.get("turns", [])]
        return cls(**fields)


class TrajectoryStore(Protocol):
    """Keeps trajectories by (job id, candidate index); `load` gives None for one never saved."""

    async def save(self, trajectory: Trajectory) -> None: ...

    async def load(self, job_id: str, candidate: int) -> Trajectory | None: ...


class FileTrajectoryStore:
    """Trajectories as JSON files, `root/<job id>/candidate-<n>.json`, each written atomically.

    Usage:
        store = FileTrajectoryStore(Path("var/trajectories"))
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, job_id: str, candidate: int) -> Path:
        name = SAFE_JOB_ID.sub("_", job_id).lstrip(".") or "_"
        return self.root / name / f"candidate-{int(candidate)}.json"

    async def save(self, trajectory: Trajectory) -> None:
        await asyncio.to_thread(self._write, trajectory)

    async def load(self, job_id: str, candidate: int) -> Trajectory | None:
        return await asyncio.to_thread(self._read, job_id, candidate)

    def _write(self, trajectory: Trajectory) -> None:
        target = self.path_for(trajectory.job_id, trajectory.candidate)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".candidate-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(trajectory.to_json(), handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _read(self, job_id: str, candidate: int) -> Trajectory | None:
        path = self.path_for(job_id, candidate)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError:
            return None  # unreadable (atomic writes make this unlikely): run the candidate again
        if data.get("format") != FORMAT:
            return None  # an older layout: run the candidate again rather than misread it
        return Trajectory.from_json(data)
