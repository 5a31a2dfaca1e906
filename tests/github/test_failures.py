"""GitHub failures become the bot's errors: rate limits carry when to retry."""

from __future__ import annotations

import pytest

from bot.errors import GitHubUnavailable, NotFound, PermissionDenied, RateLimited
from tests.github.conftest import INSTALLATION, REPO, World


async def test_secondary_rate_limit_gives_retry_after(world: World) -> None:
    """A 403 with retry-after: 7 becomes RateLimited(retry_after_s=7)."""
    world.standin.state.faults.secondary_rate_limit(retry_after_s=7)
    with pytest.raises(RateLimited) as caught:
        await world.app.installation(INSTALLATION).create_issue_comment("octo", "widgets", 1, "hi")
    assert (caught.value.retry_after_s, caught.value.status) == (7, 403)


@pytest.mark.parametrize("status", [403, 429])
async def test_primary_rate_limit_waits_until_reset(world: World, status: int) -> None:
    """x-ratelimit-remaining: 0 with a reset 120 s ahead becomes RateLimited waiting until that reset."""
    world.standin.state.faults.primary_rate_limit(reset_in_s=120, status=status)
    with pytest.raises(RateLimited) as caught:
        await world.app.installation(INSTALLATION).get_issue("octo", "widgets", 1)
    assert 100 <= caught.value.retry_after_s <= 120
    assert caught.value.status == status


async def test_server_error_is_unavailable(world: World) -> None:
    """A 502 from GitHub becomes GitHubUnavailable."""
    world.standin.state.faults.server_error(status=502)
    with pytest.raises(GitHubUnavailable):
        await world.app.installation(INSTALLATION).get_issue("octo", "widgets", 1)


async def test_missing_issue_is_not_found(world: World) -> None:
    """A 404 becomes NotFound."""
    with pytest.raises(NotFound):
        await world.app.installation(INSTALLATION).get_issue("octo", "widgets", 99)


async def test_missing_permission_is_permission_denied(world: World) -> None:
    """An installation without checks: write gets 403 -> PermissionDenied when creating a check run."""
    world.standin.state.installations[INSTALLATION].permissions["checks"] = "read"
    sha = world.standin.state.branch_sha(REPO, "main")
    assert sha is not None
    with pytest.raises(PermissionDenied):
        await world.app.installation(INSTALLATION).create_check_run("octo", "widgets", name="organic-pr", head_sha=sha)
