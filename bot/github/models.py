"""Plain, typed data the GitHub adapter returns (built from GitHub's JSON), and check-run annotations it takes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "Annotation",
    "CheckRun",
    "Comment",
    "Issue",
    "PullFile",
    "PullRequest",
    "Ref",
    "Review",
    "ReviewComment",
]

JSON = dict[str, Any]


def _login(node: JSON | None) -> str:
    return str(node["login"]) if node else ""


@dataclass(frozen=True)
class Issue:
    number: int
    title: str
    body: str
    state: str
    locked: bool
    labels: tuple[str, ...]
    author: str
    html_url: str
    is_pull_request: bool

    @classmethod
    def from_json(cls, data: JSON) -> Issue:
        labels = tuple(label if isinstance(label, str) else str(label["name"]) for label in data.get("labels", []))
        return cls(
            data["number"],
            data["title"],
            data.get("body") or "",
            data["state"],
            bool(data["locked"]),
            labels,
            _login(data.get("user")),
            data["html_url"],
            "pull_request" in data,
        )


@dataclass(frozen=True)
class Comment:
    id: int
    body: str
    author: str
    html_url: str

    @classmethod
    def from_json(cls, data: JSON) -> Comment:
        return cls(data["id"], data.get("body") or "", _login(data.get("user")), data["html_url"])


@dataclass(frozen=True)
class CheckRun:
    id: int
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    html_url: str
    external_id: str | None = None

    @classmethod
    def from_json(cls, data: JSON) -> CheckRun:
        return cls(
            data["id"],
            data["name"],
            data["head_sha"],
            data["status"],
            data.get("conclusion"),
            data.get("html_url") or "",
            data.get("external_id"),
        )


@dataclass(frozen=True)
class Annotation:
    """A check-run annotation: `level` is notice, warning or failure."""

    path: str
    start_line: int
    end_line: int
    message: str
    level: str = "failure"
    title: str | None = None

    def to_json(self) -> JSON:
        data: JSON = {
            "path": self.path,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "annotation_level": self.level,
            "message": self.message,
        }
        if self.title is not None:
            data["title"] = self.title
        return data


@dataclass(frozen=True)
class Ref:
    ref: str
    sha: str

    @classmethod
    def from_json(cls, data: JSON) -> Ref:
        return cls(data["ref"], data["object"]["sha"])


@dataclass(frozen=True)
class PullRequest:
    number: int
    title: str
    body: str
    state: str
    draft: bool
    merged: bool
    head_ref: str
    head_sha: str
    base_ref: str
    author: str
    html_url: str

    @classmethod
    def from_json(cls, data: JSON) -> PullRequest:
        return cls(
            data["number"],
            data["title"],
            data.get("body") or "",
            data["state"],
            bool(data.get("draft", False)),
            bool(data.get("merged") or data.get("merged_at")),
            data["head"]["ref"],
            data["head"]["sha"],
            data["base"]["ref"],
            _login(data.get("user")),
            data["html_url"],
        )


@dataclass(frozen=True)
class ReviewComment:
    id: int
    body: str
    author: str
    path: str
    line: int | None
    commit_id: str
    in_reply_to_id: int | None
    review_id: int | None
    html_url: str

    @classmethod
    def from_json(cls, data: JSON) -> ReviewComment:
        return cls(
            data["id"],
            data["body"],
            _login(data.get("user")),
            data["path"],
            data.get("line"),
            data["commit_id"],
            data.get("in_reply_to_id"),
            data.get("pull_request_review_id"),
            data["html_url"],
        )


@dataclass(frozen=True)
class PullFile:
    filename: str
    status: str
    additions: int
    deletions: int
    patch: str

    @classmethod
    def from_json(cls, data: JSON) -> PullFile:
        return cls(data["filename"], data["status"], data["additions"], data["deletions"], data.get("patch") or "")


@dataclass(frozen=True)
class Review:
    """A submitted pull-request review; state is APPROVED, CHANGES_REQUESTED, COMMENTED or DISMISSED."""

    id: int
    author: str
    state: str
    body: str
    commit_id: str

    @classmethod
    def from_json(cls, data: JSON) -> Review:
        return cls(data["id"], _login(data.get("user")), data["state"], data.get("body") or "", data["commit_id"] or "")
