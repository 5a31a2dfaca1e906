"""Typed seams between the bot's jobs and its adapters. A leaf module: nothing internal is imported."""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["GitHubFactory", "GitHubPort"]


class GitHubPort(Protocol):
    """The GitHub operations jobs use, scoped to one installation. `repo` is "owner/name"."""

    async def get_permission(self, repo: str, username: str) -> str: ...

    async def add_reaction(
        self, repo: str, *, content: str, issue_number: int | None = None, comment_id: int | None = None
    ) -> None: ...

    async def get_issue(self, repo: str, number: int) -> dict[str, Any]: ...

    async def list_issue_comments(self, repo: str, number: int) -> list[dict[str, Any]]: ...

    async def create_issue_comment(self, repo: str, number: int, body: str) -> dict[str, Any]: ...

    async def update_issue_comment(self, repo: str, comment_id: int, body: str) -> None: ...

    async def default_branch_head(self, repo: str) -> tuple[str, str]: ...

    async def list_check_runs(self, repo: str, ref: str, *, name: str) -> list[dict[str, Any]]: ...

    async def create_check_run(
        self, repo: str, *, name: str, head_sha: str, external_id: str, status: str, title: str, summary: str
    ) -> dict[str, Any]: ...

    async def update_check_run(
        self, repo: str, check_run_id: int, *, status: str, conclusion: str | None, title: str, summary: str
    ) -> None: ...


class GitHubFactory(Protocol):
    async def for_installation(self, installation_id: int) -> GitHubPort: ...
