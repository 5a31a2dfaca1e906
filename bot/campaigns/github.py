"""The GitHub calls campaigns make beyond bot.github.client: the installation's repositories, a file of a
repository, and the dashboard issue (found again by its hidden marker, edited in place). Adapter over Session.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from bot.errors import NotFound
from bot.github.session import Session

__all__ = ["OrgRepo", "installation_repos", "read_file", "upsert_issue"]

PAGE_SIZE = 100
MAX_PAGES = 50


@dataclass(frozen=True)
class OrgRepo:
    full_name: str
    default_branch: str
    archived: bool


async def installation_repos(gh: Session) -> list[OrgRepo]:
    """Every repository the installation can see (GET /installation/repositories, page by page)."""
    repos: list[OrgRepo] = []
    for page in range(1, MAX_PAGES + 1):
        response = await gh.request("GET", "installation/repositories", params={"per_page": PAGE_SIZE, "page": page})
        batch = response.json()["repositories"]
        repos += [OrgRepo(r["full_name"], r.get("default_branch") or "main", bool(r.get("archived"))) for r in batch]
        if len(batch) < PAGE_SIZE:
            break
    return repos


async def read_file(gh: Session, full_name: str, path: str) -> str | None:
    """The text of `path` on the default branch, or None when it does not exist."""
    try:
        data = await gh.json("GET", f"repos/{full_name}/contents/{path}")
    except NotFound:
        return None
    if not isinstance(data, dict) or data.get("type") != "file":
        return None
    return base64.b64decode(data.get("content") or "").decode("utf-8", errors="replace")


async def upsert_issue(
    gh: Session, full_name: str, *, marker: str, title: str, body: str, known: int | None
) -> tuple[int, bool]:
    """Edit the issue carrying `marker` (`known` first, else found by searching); create it when there is none.

    Returns (issue number, created)."""
    number = known if known is not None else await _find_marked(gh, full_name, marker)
    if number is not None:
        try:
            await gh.json("PATCH", f"repos/{full_name}/issues/{number}", json={"title": title, "body": body})
            return number, False
        except NotFound:
            pass  # deleted or transferred: a fresh one below
    data = await gh.json("POST", f"repos/{full_name}/issues", json={"title": title, "body": body})
    return int(data["number"]), True


async def _find_marked(gh: Session, full_name: str, marker: str) -> int | None:
    for item in await gh.paginate(f"repos/{full_name}/issues", {"state": "all"}):
        if "pull_request" not in item and marker in (item.get("body") or ""):
            return int(item["number"])
    return None
