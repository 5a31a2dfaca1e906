"""One installation's authenticated request path: githubkit call, one token refresh on 401, error mapping."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self

from githubkit import AppInstallationAuthStrategy, GitHub, Response
from githubkit.exception import GitHubException

from bot.github.failures import is_unauthorized, to_bot_error
from bot.text import encodable_json

__all__ = ["Session"]

JSON = dict[str, Any]
PAGE_SIZE = 100
MAX_PAGES = 50


class Session:
    """Requests as one installation. Use as `async with` to reuse one HTTP connection pool."""

    def __init__(
        self,
        github: GitHub[AppInstallationAuthStrategy],
        installation_id: int,
        *,
        on_unauthorized: Callable[[int], Awaitable[None]],
    ) -> None:
        self.github = github
        self.installation_id = installation_id
        self._on_unauthorized = on_unauthorized

    async def __aenter__(self) -> Self:
        await self.github.__aenter__()  # type: ignore[no-untyped-call]
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.github.__aexit__(exc_type, exc, tb)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: JSON | None = None,
        params: dict[str, str | int] | None = None,
        accept: str | None = None,
    ) -> Response[Any]:
        """Send one request; a 401 drops the cached token and retries once; failures become bot errors.

        Strings in `json` that UTF-8 cannot encode (lone surrogates) are sent as their escapes: the request's
        encoding would fail on them, after earlier writes of the job had gone out."""
        headers = {"Accept": accept} if accept else None
        json = encodable_json(json)
        for attempt in (1, 2):
            try:
                return await self.github.arequest(method, path, json=json, params=params, headers=headers)
            except GitHubException as exc:
                if attempt == 1 and is_unauthorized(exc):
                    await self._on_unauthorized(self.installation_id)
                    continue
                raise to_bot_error(exc) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    async def json(self, method: str, path: str, *, json: JSON | None = None) -> Any:
        return (await self.request(method, path, json=json)).json()

    async def paginate(self, path: str, params: dict[str, str | int] | None = None) -> list[JSON]:
        """Every item of a list endpoint, page by page (bounded at MAX_PAGES pages)."""
        items: list[JSON] = []
        for page in range(1, MAX_PAGES + 1):
            response = await self.request("GET", path, params={**(params or {}), "per_page": PAGE_SIZE, "page": page})
            batch = response.json()
            items.extend(batch)
            if len(batch) < PAGE_SIZE or 'rel="next"' not in response.headers.get("link", 'rel="next"'):
                break
        return items
