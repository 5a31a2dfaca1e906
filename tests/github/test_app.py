"""App authentication: JWTs, installation tokens shared through Redis, one refresh after a 401."""

from __future__ import annotations

import pytest

from bot.errors import PermissionDenied
from tests.github.conftest import INSTALLATION, World, make_app
from tests.standin.fixtures import generate_app_key


async def test_token_is_minted_once_and_shared_by_two_clients(world: World) -> None:
    """Two apps on the same Redis (two workers) use one installation token."""
    other = make_app(world.standin, world.redis)
    await world.app.installation(INSTALLATION).get_issue("octo", "widgets", 1)
    await other.installation(INSTALLATION).get_issue("octo", "widgets", 1)
    assert len(world.standin.state.minted) == 1
    assert await other.installation_token(INSTALLATION) == world.standin.state.minted[0].value


async def test_installation_token_mints_and_caches_for_git(world: World) -> None:
    """installation_token() mints a ghs_ token once and then serves it from Redis."""
    token = await world.app.installation_token(INSTALLATION)
    assert token.startswith("ghs_")
    assert await world.app.installation_token(INSTALLATION) == token
    assert len(world.standin.state.minted) == 1


async def test_jwt_signed_with_the_wrong_key_is_rejected(world: World) -> None:
    """A JWT from another key gets 401 from the token exchange, mapped to PermissionDenied; nothing minted."""
    intruder = make_app(world.standin, world.redis, private_key=generate_app_key().private_pem)
    with pytest.raises(PermissionDenied):
        await intruder.installation(INSTALLATION).get_issue("octo", "widgets", 1)
    assert world.standin.state.minted == []


async def test_401_after_minting_refreshes_the_token_once(world: World) -> None:
    """A token revoked right after minting is dropped, a new one minted, and the call succeeds."""
    world.standin.state.faults.unauthorized_after_mint()
    issue = await world.app.installation(INSTALLATION).get_issue("octo", "widgets", 1)
    assert issue.number == 1
    first, second = world.standin.state.minted
    assert first.revoked and not second.revoked
    assert await world.app.installation_token(INSTALLATION) == second.value


async def test_token_never_appears_in_the_request_url(world: World) -> None:
    """Tokens travel in headers only: no recorded request path contains one."""
    await world.app.installation(INSTALLATION).create_issue_comment("octo", "widgets", 1, "hello")
    token = world.standin.state.minted[0].value
    assert all(token not in r.path for r in world.standin.state.requests)
