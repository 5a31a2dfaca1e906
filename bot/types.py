"""Typed seams between the bot's jobs and its adapters. A leaf module: only type-checking imports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.github.models import Annotation, CheckRun, Comment, Issue

__all__ = ["GitHubFactory", "GitHubPort"]


class GitHubPort(Protocol):
    """The GitHub operations jobs use, as one installation (bot.github.InstallationClient implements it)."""

    async def collaborator_permission(self, owner: str, repo: str, username: str) -> str: ...

    async def add_reaction(
        self,
        owner: str,
        repo: str,
        *,
        issue_number: int | None = None,
        comment_id: int | None = None,
        review_comment_id: int | None = None,
        content: str = "eyes",
    ) -> int: ...

    async def get_issue(self, owner: str, repo: str, number: int) -> Issue: ...

    async def list_issue_comments(self, owner: str, repo: str, number: int) -> list[Comment]: ...

    async def create_issue_comment(self, owner: str, repo: str, number: int, body: str) -> Comment: ...

    async def update_issue_comment(self, owner: str, repo: str, comment_id: int, body: str) -> Comment: ...

    async def default_branch(self, owner: str, repo: str) -> str: ...

    async def get_branch_sha(self, owner: str, repo: str, branch: str) -> str | None: ...

    async def list_check_runs(self, owner: str, repo: str, ref: str, *, name: str) -> list[CheckRun]: ...

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
    ) -> CheckRun: ...

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
    ) -> CheckRun: ...


class GitHubFactory(Protocol):
    """Hands out an installation-scoped client (bot.github.GitHubApp implements it)."""

    def installation(self, installation_id: int) -> GitHubPort: ...
