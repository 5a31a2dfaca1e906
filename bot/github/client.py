"""The GitHub operations the bot needs, as one installation, returning plain data (bot/github/models.py).

Every method raises only bot.errors.GitHubError subclasses: RateLimited (with retry_after_s),
NotFound, PermissionDenied, GitHubUnavailable, or GitHubError.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.errors import NotFound
from bot.github.models import Annotation, CheckRun, Comment, Issue, PullFile, PullRequest, Ref, Review, ReviewComment
from bot.github.session import JSON, Session

__all__ = ["ANNOTATIONS_PER_REQUEST", "InstallationClient"]

ANNOTATIONS_PER_REQUEST = 50  # GitHub's limit per check-run create/update call


def _repo(owner: str, repo: str) -> str:
    return f"repos/{owner}/{repo}"


class InstallationClient(Session):
    """Typed operations for one installation (see GitHubApp.installation)."""

    async def collaborator_permission(self, owner: str, repo: str, username: str) -> str:
        """The user's role on the repo: admin, maintain, write, triage, read (or a custom role name)."""
        data = await self.json("GET", f"{_repo(owner, repo)}/collaborators/{username}/permission")
        return str(data.get("role_name") or data["permission"])

    async def get_issue(self, owner: str, repo: str, number: int) -> Issue:
        return Issue.from_json(await self.json("GET", f"{_repo(owner, repo)}/issues/{number}"))

    async def add_reaction(
        self,
        owner: str,
        repo: str,
        *,
        issue_number: int | None = None,
        comment_id: int | None = None,
        review_comment_id: int | None = None,
        content: str = "eyes",
    ) -> int:
        """React to exactly one of: an issue or PR, an issue comment, a review comment. Returns the reaction id."""
        targets = [
            (issue_number, "issues/{}/reactions"),
            (comment_id, "issues/comments/{}/reactions"),
            (review_comment_id, "pulls/comments/{}/reactions"),
        ]
        chosen = [template.format(ident) for ident, template in targets if ident is not None]
        if len(chosen) != 1:
            raise ValueError("pass exactly one of issue_number, comment_id, review_comment_id")
        data = await self.json("POST", f"{_repo(owner, repo)}/{chosen[0]}", json={"content": content})
        return int(data["id"])

    async def list_issue_comments(self, owner: str, repo: str, number: int) -> list[Comment]:
        items = await self.paginate(f"{_repo(owner, repo)}/issues/{number}/comments")
        return [Comment.from_json(item) for item in items]

    async def create_issue_comment(self, owner: str, repo: str, number: int, body: str) -> Comment:
        data = await self.json("POST", f"{_repo(owner, repo)}/issues/{number}/comments", json={"body": body})
        return Comment.from_json(data)

    async def update_issue_comment(self, owner: str, repo: str, comment_id: int, body: str) -> Comment:
        data = await self.json("PATCH", f"{_repo(owner, repo)}/issues/comments/{comment_id}", json={"body": body})
        return Comment.from_json(data)

    async def create_check_run(
        self,
        owner: str,
        repo: str,
        *,
        name: str,
        head_sha: str,
        status: str = "in_progress",
        external_id: str | None = None,
        details_url: str | None = None,
        title: str | None = None,
        summary: str | None = None,
        text: str | None = None,
        annotations: Sequence[Annotation] = (),
    ) -> CheckRun:
        """Create a check run; annotations beyond the first 50 are sent in follow-up updates."""
        body: JSON = {"name": name, "head_sha": head_sha, "status": status}
        body |= {k: v for k, v in (("external_id", external_id), ("details_url", details_url)) if v is not None}
        first, rest = list(annotations[:ANNOTATIONS_PER_REQUEST]), annotations[ANNOTATIONS_PER_REQUEST:]
        if summary is not None or first:
            body["output"] = _output(title, summary, text, first)
        run = CheckRun.from_json(await self.json("POST", f"{_repo(owner, repo)}/check-runs", json=body))
        if rest:
            run = await self.update_check_run(owner, repo, run.id, title=title, summary=summary, annotations=rest)
        return run

    async def update_check_run(
        self,
        owner: str,
        repo: str,
        check_run_id: int,
        *,
        status: str | None = None,
        conclusion: str | None = None,
        title: str | None = None,
        summary: str | None = None,
        text: str | None = None,
        annotations: Sequence[Annotation] = (),
    ) -> CheckRun:
        """Update status/conclusion/output; annotations are appended, 50 per request."""
        path = f"{_repo(owner, repo)}/check-runs/{check_run_id}"
        batches = [annotations[i : i + ANNOTATIONS_PER_REQUEST] for i in range(0, len(annotations), 50)] or [()]
        data: JSON = {}
        for index, batch in enumerate(batches):
            body: JSON = {}
            if index == len(batches) - 1:
                body |= {k: v for k, v in (("status", status), ("conclusion", conclusion)) if v is not None}
            if summary is not None or batch:
                body["output"] = _output(title, summary or "", text, list(batch))
            data = await self.json("PATCH", path, json=body)
        return CheckRun.from_json(data)

    async def default_branch(self, owner: str, repo: str) -> str:
        return str((await self.json("GET", _repo(owner, repo)))["default_branch"])

    async def list_check_runs(self, owner: str, repo: str, ref: str, *, name: str) -> list[CheckRun]:
        """The check runs named `name` on a commit (first page: a job makes one run per commit)."""
        response = await self.request(
            "GET", f"{_repo(owner, repo)}/commits/{ref}/check-runs", params={"check_name": name}
        )
        return [CheckRun.from_json(item) for item in response.json()["check_runs"]]

    async def get_branch_sha(self, owner: str, repo: str, branch: str) -> str | None:
        """The commit a branch points at, or None when the branch does not exist."""
        try:
            data = await self.json("GET", f"{_repo(owner, repo)}/git/ref/heads/{branch}")
        except NotFound:
            return None
        return Ref.from_json(data).sha

    async def create_branch(self, owner: str, repo: str, branch: str, sha: str) -> Ref:
        body = {"ref": f"refs/heads/{branch}", "sha": sha}
        return Ref.from_json(await self.json("POST", f"{_repo(owner, repo)}/git/refs", json=body))

    async def create_pull(
        self, owner: str, repo: str, *, title: str, head: str, base: str, body: str, draft: bool = False
    ) -> PullRequest:
        payload = {"title": title, "head": head, "base": base, "body": body, "draft": draft}
        return PullRequest.from_json(await self.json("POST", f"{_repo(owner, repo)}/pulls", json=payload))

    async def update_pull(
        self,
        owner: str,
        repo: str,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: str | None = None,
    ) -> PullRequest:
        payload = {k: v for k, v in (("title", title), ("body", body), ("state", state)) if v is not None}
        return PullRequest.from_json(await self.json("PATCH", f"{_repo(owner, repo)}/pulls/{number}", json=payload))

    async def get_pull(self, owner: str, repo: str, number: int) -> PullRequest:
        return PullRequest.from_json(await self.json("GET", f"{_repo(owner, repo)}/pulls/{number}"))

    async def list_pulls(
        self, owner: str, repo: str, *, head: str | None = None, state: str = "open"
    ) -> list[PullRequest]:
        """Pull requests, optionally only those from branch `head` of this repo (state: open, closed, all)."""
        params: dict[str, str | int] = {"state": state}
        if head is not None:
            params["head"] = f"{owner}:{head}"
        return [PullRequest.from_json(item) for item in await self.paginate(f"{_repo(owner, repo)}/pulls", params)]

    async def request_reviewers(self, owner: str, repo: str, number: int, reviewers: Sequence[str]) -> None:
        path = f"{_repo(owner, repo)}/pulls/{number}/requested_reviewers"
        await self.request("POST", path, json={"reviewers": list(reviewers)})

    async def list_reviews(self, owner: str, repo: str, number: int) -> list[Review]:
        items = await self.paginate(f"{_repo(owner, repo)}/pulls/{number}/reviews")
        return [Review.from_json(item) for item in items]

    async def list_review_comments(self, owner: str, repo: str, number: int) -> list[ReviewComment]:
        items = await self.paginate(f"{_repo(owner, repo)}/pulls/{number}/comments")
        return [ReviewComment.from_json(item) for item in items]

    async def reply_to_review_comment(
        self, owner: str, repo: str, number: int, comment_id: int, body: str
    ) -> ReviewComment:
        path = f"{_repo(owner, repo)}/pulls/{number}/comments/{comment_id}/replies"
        return ReviewComment.from_json(await self.json("POST", path, json={"body": body}))

    async def list_pull_files(self, owner: str, repo: str, number: int) -> list[PullFile]:
        return [PullFile.from_json(item) for item in await self.paginate(f"{_repo(owner, repo)}/pulls/{number}/files")]

    async def get_pull_diff(self, owner: str, repo: str, number: int) -> str:
        """The PR's unified diff (GitHub's diff media type)."""
        response = await self.request(
            "GET", f"{_repo(owner, repo)}/pulls/{number}", accept="application/vnd.github.diff"
        )
        return response.text


def _output(title: str | None, summary: str | None, text: str | None, annotations: list[Annotation]) -> JSON:
    output: JSON = {"title": title or "", "summary": summary or ""}
    if text is not None:
        output["text"] = text
    if annotations:
        output["annotations"] = [a.to_json() for a in annotations]
    return output
