"""Progress a maintainer can see: one status comment edited in place, and a check run, both found again on retry."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.types import GitHubPort

__all__ = ["CHECK_NAME", "StatusComment", "find_or_create_check", "render_status"]

CHECK_NAME = "Organic PR"
MARKER = "<!-- organic-pr:status target={target} -->"


def render_status(stages: list[tuple[str, str]], *, headline: str, check_url: str | None = None) -> str:
    """The status comment body: a headline, then one line per stage with its state."""
    lines = [f"**Organic PR** — {headline}", ""]
    lines += [f"- {name}: {state}" for name, state in stages]
    if check_url:
        lines += ["", f"Details: {check_url}"]
    lines += ["", "Steer me with `/organic-pr status`, `/organic-pr retry` or `/organic-pr cancel`."]
    return "\n".join(lines)


@dataclass
class StatusComment:
    """The one status comment per target. A hidden marker lets a resumed job find it instead of posting twice."""

    gh: GitHubPort
    repo: str
    number: int
    comment_id: int | None = None
    stages: list[tuple[str, str]] = field(default_factory=list)

    @property
    def marker(self) -> str:
        return MARKER.format(target=f"{self.repo}#{self.number}")

    async def find(self) -> int | None:
        for comment in await self.gh.list_issue_comments(self.repo, self.number):
            if self.marker in str(comment.get("body", "")):
                self.comment_id = int(comment["id"])
                return self.comment_id
        return None

    async def show(self, headline: str, *, check_url: str | None = None) -> int:
        """Create the comment, or edit it in place; returns its id."""
        body = render_status(self.stages, headline=headline, check_url=check_url) + "\n" + self.marker
        if self.comment_id is None:
            await self.find()
        if self.comment_id is None:
            created = await self.gh.create_issue_comment(self.repo, self.number, body)
            self.comment_id = int(created["id"])
        else:
            await self.gh.update_issue_comment(self.repo, self.comment_id, body)
        return self.comment_id

    def mark(self, stage: str, state: str) -> None:
        self.stages = [(n, s) for n, s in self.stages if n != stage] + [(stage, state)]


async def find_or_create_check(
    gh: GitHubPort, repo: str, *, head_sha: str, external_id: str, summary: str
) -> dict[str, object]:
    """The job's check run on `head_sha`, matched by external_id so a retry never makes a second one."""
    for run in await gh.list_check_runs(repo, head_sha, name=CHECK_NAME):
        if run.get("external_id") == external_id:
            return run
    return await gh.create_check_run(
        repo,
        name=CHECK_NAME,
        head_sha=head_sha,
        external_id=external_id,
        status="in_progress",
        title="Working on it",
        summary=summary,
    )
