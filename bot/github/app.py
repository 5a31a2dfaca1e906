"""The GitHub App: its JWT, installation tokens shared through Redis, and a client per installation.

    app = GitHubApp(app_id=123, private_key=pem, redis=redis_client, base_url=settings.github_api_url)
    async with app.installation(42) as gh:          # InstallationClient, see bot/github/client.py
        await gh.create_issue_comment("octo", "widgets", 7, "Working on it")
    token = await app.installation_token(42)       # for git over HTTPS (pass it in the environment only)

Tokens live in Redis under githubkit's own cache keys (`AsyncRedisCacheStrategy`), so the REST client's
auth flow, `installation_token()` and every worker share one token per installation until it expires.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from githubkit import AppAuthStrategy, GitHub
from githubkit.auth.app import AppAuth
from githubkit.cache.redis import AsyncRedisCacheStrategy
from githubkit.exception import GitHubException
from redis.asyncio import Redis

from bot.errors import GitHubError
from bot.github.client import InstallationClient
from bot.github.failures import to_bot_error
from bot.github.throttle import RedisWriteThrottler, ThrottlePolicy

__all__ = ["GitHubApp"]

CACHE_PREFIX = "organic-pr:gh"
TOKEN_MARGIN = timedelta(minutes=1)


class GitHubApp:
    """Factory for installation clients; holds no connection of its own."""

    def __init__(
        self,
        *,
        app_id: int,
        private_key: str,
        redis: Redis,
        base_url: str = "https://api.github.com",
        throttle: ThrottlePolicy | None = None,
        timeout_s: float = 30.0,
        user_agent: str = "organic-pr",
    ) -> None:
        self.app_id = app_id
        self.redis = redis
        self.base_url = base_url
        self.throttle = throttle or ThrottlePolicy()
        self._auth = AppAuthStrategy(app_id, private_key)
        self._cache = AsyncRedisCacheStrategy(redis, prefix=CACHE_PREFIX)
        self._options: dict[str, Any] = {
            "base_url": base_url,
            "cache_strategy": self._cache,
            "http_cache": False,
            "auto_retry": False,
            "timeout": timeout_s,
            "user_agent": user_agent,
        }

    def as_app(self) -> GitHub[AppAuthStrategy]:
        """A githubkit client authenticated as the App itself (JWT); no write throttle."""
        return GitHub(self._auth, **self._options)

    def installation(self, installation_id: int) -> InstallationClient:
        """A typed client acting as one installation, writes throttled through Redis."""
        throttler = RedisWriteThrottler(self.redis, installation_id, self.throttle)
        github = GitHub(self._auth.as_installation(installation_id), throttler=throttler, **self._options)
        return InstallationClient(github, installation_id, on_unauthorized=self.forget_token)

    def _token_key(self, installation_id: int) -> str:
        key = AppAuth.INSTALLATION_CACHE_KEY.format(
            issuer=str(self.app_id),
            installation_id=installation_id,
            permissions="",
            repositories="",
            repository_ids="",
        )
        return f"{CACHE_PREFIX}:{key}"

    async def forget_token(self, installation_id: int) -> None:
        """Drop the cached token (and App JWT) so the next call mints fresh ones."""
        jwt_key = f"{CACHE_PREFIX}:{AppAuth.JWT_CACHE_KEY.format(issuer=str(self.app_id))}"
        await self.redis.delete(self._token_key(installation_id), jwt_key)

    async def installation_token(self, installation_id: int) -> str:
        """The installation's token from the shared cache, minted (and cached) when absent."""
        storage = await self._cache.get_async_cache_storage()
        key = self._token_key(installation_id).removeprefix(f"{CACHE_PREFIX}:")
        cached = await storage.aget(key)
        if cached:
            return cached
        try:
            response = await self.as_app().arequest("POST", f"app/installations/{installation_id}/access_tokens")
        except GitHubException as exc:
            raise to_bot_error(exc) from exc
        data = response.json()
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str):
            raise GitHubError("installation token exchange answered without a token")
        expires = datetime.strptime(data["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        await storage.aset(key, token, max(expires - datetime.now(UTC) - TOKEN_MARGIN, timedelta(seconds=1)))
        return token
