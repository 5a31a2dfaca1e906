"""Progress a maintainer can see: one status comment edited in place, and a check run, both found again on retry."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.types import GitHubPort

__all__ = ["CHECK_NAME", "StatusComment", "find_or_create_check", "render_status", "split_repo"]

CHECK_NAME = "Organic PR"
MARKER = "<!-- organic-pr:status target={target} -->"


def split_repo(full_name: str) -> tuple[str, str]:
    owner, _, name = full_name.partition("/")
    if not owner or not name:
        raise ValueError(f"not an owner/name repository: {full_name!r}")
    return owner, name


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
        for comment in await self.gh.list_issue_comments(*split_repo(self.repo), self.number):
            if self.marker in comment.body:
                self.comment_id = comment.id
                return self.comment_id
        return None

    async def show(self, headline: str, *, check_url: str | None = None) -> int:
        """Create the comment, or edit it in place; returns its id."""
        body = render_status(self.stages, headline=headline, check_url=check_url) + "\n" + self.marker
        owner, name = split_repo(self.repo)
        if self.comment_id is None:
            await self.find()
        if self.comment_id is None:
            self.comment_id = (await self.gh.create_issue_comment(owner, name, self.number, body)).id
        else:
            await self.gh.update_issue_comment(owner, name, self.comment_id, body)
        return self.comment_id

    def mark(self, stage: str, state: str) -> None:
        self.stages = [(n, s) for n, s in self.stages if n != stage] + [(stage, state)]


async def find_or_create_check(
    gh: GitHubPort, repo: str, *, head_sha: str, external_id: str, summary: str
) -> tuple[int, str]:
    """The job's check run on `head_sha` (id, html_url), matched by external_id so a retry never makes a second."""
    owner, name = split_repo(repo)
    for run in await gh.list_check_runs(owner, name, head_sha, name=CHECK_NAME):
        if run.external_id == external_id:
            return run.id, run.html_url
    run = await gh.create_check_run(
        owner,
        name,
        name=CHECK_NAME,
        head_sha=head_sha,
        external_id=external_id,
        status="in_progress",
        title="Working on it",
        summary=summary,
    )
    return run.id, run.html_url
