"""The reviewers' data model and the typed seams to the outside (a leaf module: it imports nothing internal)."""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, TypedDict

__all__ = [
    "Candidate",
    "ChatModel",
    "ChatReply",
    "Decision",
    "Evidence",
    "Message",
    "PoolContext",
    "RankedCandidate",
    "Ranking",
    "RepoProfile",
    "Reviewer",
    "Score",
    "TestMatrix",
    "SuiteRunner",
    "TestStatus",
    "Verdict",
    "sha",
]


def sha(text: str) -> str:
    """A short content hash: the cache key of test sources and code versions. A lone surrogate (a byte that is
    not UTF-8, kept by surrogateescape) is hashed too, not refused."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(frozen=True)
class Candidate:
    """A candidate patch: a unified diff against the base commit and, optionally, its reproduction test."""

    id: str
    diff: str
    test_source: str = ""
    test_path: str = ""
    test_ids: tuple[str, ...] = ()  # node ids inside test_path to run; empty runs the whole file

    @property
    def code_hash(self) -> str:
        return sha(self.diff)

    @property
    def test_hash(self) -> str:
        return sha(f"{self.test_path}\n{self.test_source}\n{self.test_ids}")


class TestStatus(enum.StrEnum):
    """The outcome of one test on one version of the code."""

    __test__ = False  # not a pytest class
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"
    FLAKY = "flaky"
    MISSING = "missing"  # the run produced no result for it (collection failed, timeout)


ORIGINAL = "original"  # the column of the unpatched code in every matrix


@dataclass
class TestMatrix:
    """Outcomes of tests (rows, by test id) on code versions (columns: ORIGINAL and candidate ids)."""

    __test__ = False
    cells: dict[str, dict[str, TestStatus]] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)  # test id -> id of the candidate that wrote it

    def set(self, test: str, code: str, status: TestStatus) -> None:
        self.cells.setdefault(test, {})[code] = status

    def get(self, test: str, code: str) -> TestStatus:
        return self.cells.get(test, {}).get(code, TestStatus.MISSING)

    def tests(self) -> list[str]:
        return sorted(self.cells)

    def columns(self) -> list[str]:
        seen = {code for row in self.cells.values() for code in row}
        return [ORIGINAL, *sorted(seen - {ORIGINAL})] if ORIGINAL in seen else sorted(seen)


@dataclass(frozen=True)
class Score:
    """One named score in [0, 1] with the one line that explains it."""

    name: str
    value: float
    why: str


@dataclass
class Verdict:
    """What one reviewer says about one candidate: scores, and a rejection reason when it must not win."""

    reviewer: str
    candidate: str
    scores: list[Score] = field(default_factory=list)
    rejected: str | None = None


class Decision(enum.StrEnum):
    """What the bot should publish."""

    READY_PR = "ready_pr"
    DRAFT_PR = "draft_pr"
    COMMENT = "comment"


@dataclass
class RankedCandidate:
    """A candidate's place in the ranking and the facts behind it."""

    id: str
    votes: int
    organicity: float
    cluster: str
    cluster_size: int
    rejected: str | None = None


@dataclass
class Ranking:
    """Candidates best first, with the winner (None when every candidate was rejected)."""

    order: list[RankedCandidate] = field(default_factory=list)

    @property
    def winner(self) -> RankedCandidate | None:
        return self.order[0] if self.order and self.order[0].rejected is None else None

    def ids(self) -> list[str]:
        return [entry.id for entry in self.order]


@dataclass
class Evidence:
    """Everything the panel saw and decided; the PR body and the comment are rendered from it."""

    issue: str
    candidates: list[Candidate]
    matrix: TestMatrix
    voting_tests: list[str]
    regression: TestMatrix
    verdicts: list[Verdict]
    ranking: Ranking
    confidence: float
    decision: Decision
    signals: dict[str, float]
    why: str
    judge_used: bool = False
    judge_note: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class RepoProfile:
    """What memory knows that organicity needs; plain data, so the scores stay pure.

    `file_scores` is memory's localization for the issue (path -> score in [0, 1]); `function_scores` the same
    for "path::qualname"; `cochange` holds P(b changes | a changes) as {a: {b: p}}; `past_sizes` the changed-line
    counts of similar past changes; `helpers` the repository's own functions (name -> normalized body).
    """

    conventions: Mapping[str, object] = field(default_factory=dict)
    file_scores: Mapping[str, float] = field(default_factory=dict)
    function_scores: Mapping[str, float] = field(default_factory=dict)
    cochange: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    past_sizes: Sequence[int] = ()
    helpers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class PoolContext:
    """The shared inputs of one selection: the issue, the pool, the original texts and the repo profile.

    `originals` maps every path any candidate touches to its text at the base commit (None if absent);
    `new_lint` holds, per candidate, the linter violations the candidate adds (from the lint adapter).
    """

    issue: str
    candidates: list[Candidate]
    originals: Mapping[str, str | None]
    profile: RepoProfile = field(default_factory=RepoProfile)
    matrix: TestMatrix = field(default_factory=TestMatrix)
    regression: TestMatrix = field(default_factory=TestMatrix)
    new_lint: Mapping[str, Sequence[str]] = field(default_factory=dict)


class Reviewer(Protocol):
    """One member of the panel: reads the pool's context, says something about each candidate."""

    name: str

    def review(self, context: PoolContext) -> list[Verdict]:
        """One verdict per candidate of `context.candidates`."""
        ...


class SuiteRunner(Protocol):
    """Runs tests against one version of the code (the base commit plus `diff`) and reports per test.

    `files` maps repository-relative paths to texts written into the copy first (the voters' test files);
    `selectors` are pytest node ids or test file paths. The answer is keyed by node id; a file that could not
    be collected is reported under its path as ERROR.
    """

    def run(self, diff: str, files: Mapping[str, str], selectors: Sequence[str]) -> dict[str, TestStatus]: ...


class Message(TypedDict):
    role: Literal["system", "user", "assistant"]
    content: str


class ChatReply(Protocol):
    """What the judge reads from a model's reply (the bot's ChatReply has these and more)."""

    @property
    def text(self) -> str: ...


class ChatModel(Protocol):
    """Structurally the bot's ChatModel (bot/llm/protocol.py), declared here so reviewers never import bot/."""

    async def chat(
        self,
        messages: Sequence[Message],
        *,
        purpose: str,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> ChatReply: ...


PathLike = Path | str
