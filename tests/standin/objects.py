"""The stand-in's records: users, installations, tokens, issues, comments, PRs, reviews, check runs, requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_PERMISSIONS",
    "CheckRun",
    "Comment",
    "Installation",
    "Issue",
    "Pull",
    "Reaction",
    "RecordedRequest",
    "Repo",
    "Review",
    "ReviewComment",
    "Token",
    "User",
    "now",
]

DEFAULT_PERMISSIONS = {
    "metadata": "read",
    "contents": "write",
    "issues": "write",
    "pull_requests": "write",
    "checks": "write",
}


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class User:
    login: str
    id: int
    type: str = "User"


@dataclass
class Installation:
    id: int
    account: str
    permissions: dict[str, str]
    repositories: list[str]
    suspended: bool = False


@dataclass
class Token:
    value: str
    installation_id: int
    expires_at: datetime
    revoked: bool = False


@dataclass
class Issue:
    number: int
    id: int
    title: str
    body: str | None
    user: str
    labels: list[str] = field(default_factory=list)
    state: str = "open"
    locked: bool = False
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)
    closed_at: datetime | None = None


@dataclass
class Comment:
    id: int
    issue_number: int
    body: str
    user: str
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)


@dataclass
class Reaction:
    id: int
    content: str
    user: str
    subject: tuple[str, int]  # ("issue", number) | ("comment", id) | ("review_comment", id)
    created_at: datetime = field(default_factory=now)


@dataclass
class Pull:
    number: int
    id: int
    title: str
    body: str | None
    user: str
    head: str
    base: str
    draft: bool = False
    state: str = "open"
    merged: bool = False
    requested_reviewers: list[str] = field(default_factory=list)
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)
    closed_at: datetime | None = None


@dataclass
class Review:
    id: int
    pull_number: int
    user: str
    body: str
    state: str
    commit_id: str
    submitted_at: datetime = field(default_factory=now)


@dataclass
class ReviewComment:
    id: int
    pull_number: int
    body: str
    user: str
    path: str
    line: int | None
    commit_id: str
    review_id: int | None
    in_reply_to_id: int | None = None
    diff_hunk: str = "@@ -1 +1 @@"
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)


@dataclass
class CheckRun:
    id: int
    name: str
    head_sha: str
    status: str = "queued"
    conclusion: str | None = None
    title: str | None = None
    summary: str | None = None
    text: str | None = None
    annotations: list[dict[str, Any]] = field(default_factory=list)
    external_id: str | None = None
    details_url: str | None = None
    started_at: datetime = field(default_factory=now)
    completed_at: datetime | None = None


@dataclass
class Repo:
    id: int
    owner: str
    name: str
    git_dir: Path
    default_branch: str = "main"
    private: bool = False
    labels: dict[str, str] = field(default_factory=dict)  # name -> color
    issues: dict[int, Issue] = field(default_factory=dict)  # pulls have an issue entry too
    pulls: dict[int, Pull] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    reactions: list[Reaction] = field(default_factory=list)
    reviews: dict[int, Review] = field(default_factory=dict)
    review_comments: dict[int, ReviewComment] = field(default_factory=dict)
    check_runs: dict[int, CheckRun] = field(default_factory=dict)
    collaborators: dict[str, str] = field(default_factory=dict)  # login -> admin|maintain|write|triage|read

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def issue_comments(self, number: int) -> list[Comment]:
        return [c for c in self.comments.values() if c.issue_number == number]


@dataclass
class RecordedRequest:
    """One API request as the stand-in saw it; times are the server's monotonic clock."""

    method: str
    path: str
    installation_id: int | None
    started: float
    finished: float = 0.0
    status: int = 0
