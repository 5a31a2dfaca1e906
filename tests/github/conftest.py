"""Fixtures for the GitHub adapter tests: the stand-in, a fast-throttled GitHubApp on real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from bot.github import GitHubApp, ThrottlePolicy
from tests.standin.fixtures import Standin, app_key, github_spec, standin  # noqa: F401  (fixtures)

INSTALLATION = 77
REPO = "octo/widgets"
FAST = ThrottlePolicy(write_gap_s=0.05, content_gap_s=0.15, poll_s=0.01)


@dataclass
class World:
    standin: Standin
    app: GitHubApp
    redis: Redis


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


def make_app(server: Standin, redis: Redis, *, private_key: str | None = None) -> GitHubApp:
    return GitHubApp(
        app_id=server.app_id,
        private_key=private_key or server.private_key,
        redis=redis,
        base_url=server.url,
        throttle=FAST,
    )


@pytest.fixture
def world(standin: Standin, redis_client: Redis) -> World:  # noqa: F811
    """One installation with `octo/widgets` (a real bare repo), a maintainer with write access, an issue."""
    state = standin.state
    state.add_installation(INSTALLATION, "octo")
    state.add_repo(
        REPO, {"app.py": "def f():\n    return 1\n", "README.md": "# widgets\n"}, installation_id=INSTALLATION
    )
    state.set_permission(REPO, "maintainer", "write")
    state.add_issue(REPO, "Crash on empty input", "Steps: run it", user="maintainer", labels=["bot-fix"])
    return World(standin, make_app(standin, redis_client), redis_client)
