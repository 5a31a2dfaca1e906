"""The Redis write throttle: which requests it spaces, by how much, and that writes never overlap."""

from __future__ import annotations

import asyncio

import pytest

from bot.github.throttle import ThrottlePolicy, is_content_creating, is_write, seconds_to_wait
from tests.github.conftest import FAST, INSTALLATION, REPO, World, make_app
from tests.standin.state import RecordedRequest

POLICY = ThrottlePolicy()


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("POST", "/repos/o/r/issues", True),
        ("POST", "/repos/o/r/issues/7/comments", True),
        ("POST", "/repos/o/r/pulls", True),
        ("POST", "/repos/o/r/pulls/3/reviews", True),
        ("POST", "/repos/o/r/pulls/3/comments", True),
        ("POST", "/repos/o/r/pulls/3/comments/9/replies", True),
        ("PATCH", "/repos/o/r/issues/comments/5", False),
        ("POST", "/repos/o/r/issues/7/reactions", False),
        ("POST", "/repos/o/r/check-runs", False),
        ("GET", "/repos/o/r/issues/7/comments", False),
    ],
)
def test_content_creating_routes(method: str, path: str, expected: bool) -> None:
    """Only POSTs that create issues, comments, PRs, reviews or replies count as content-creating."""
    assert is_content_creating(method, path) is expected


@pytest.mark.parametrize(
    ("method", "expected"),
    [("GET", False), ("HEAD", False), ("POST", True), ("PATCH", True), ("PUT", True), ("DELETE", True)],
)
def test_writes_are_the_mutating_methods(method: str, expected: bool) -> None:
    """POST, PATCH, PUT and DELETE are writes; GET and HEAD are not."""
    assert is_write(method) is expected


@pytest.mark.parametrize(
    ("now", "last_write", "last_content", "content", "wait"),
    [
        (100.0, None, None, True, 0.0),
        (100.0, 99.5, None, False, 0.5),
        (100.0, 98.0, None, False, 0.0),
        (100.0, 99.5, 99.0, True, 2.0),
        (100.0, 99.5, 99.0, False, 0.5),
        (100.0, 99.9, 96.0, True, 0.9),
    ],
)
def test_seconds_to_wait(
    now: float, last_write: float | None, last_content: float | None, content: bool, wait: float
) -> None:
    """Writes wait 1 s after the last write, content writes 3 s after the last content write (defaults)."""
    assert seconds_to_wait(now, last_write, last_content, content=content, policy=POLICY) == pytest.approx(wait)


def test_default_policy_follows_github_guidance() -> None:
    """Defaults: 1 s between writes, 3 s between content-creating writes."""
    assert (POLICY.write_gap_s, POLICY.content_gap_s) == (1.0, 3.0)


def _posts(requests: list[RecordedRequest], fragment: str) -> list[RecordedRequest]:
    return sorted((r for r in requests if r.method == "POST" and fragment in r.path), key=lambda r: r.started)


async def test_concurrent_writes_of_one_installation_never_overlap(world: World) -> None:
    """Three comments sent at once by two workers reach the server one after another, spaced by the content gap."""
    world.standin.state.write_latency_s = 0.2
    other = make_app(world.standin, world.redis)
    clients = [
        world.app.installation(INSTALLATION),
        other.installation(INSTALLATION),
        world.app.installation(INSTALLATION),
    ]
    await asyncio.gather(*(gh.create_issue_comment("octo", "widgets", 1, f"c{i}") for i, gh in enumerate(clients)))
    posts = _posts(world.standin.state.requests, "/comments")
    assert len(posts) == 3
    for before, after in zip(posts, posts[1:], strict=False):
        assert after.started - before.finished >= FAST.content_gap_s


async def test_writes_of_different_installations_are_not_serialised(world: World) -> None:
    """The throttle is per installation: two installations' writes may be in flight together."""
    state = world.standin.state
    state.add_installation(78, "acme")
    state.add_repo("acme/gears", installation_id=78)
    state.add_issue("acme/gears", "Broken")
    state.add_issue(REPO, "Second")
    state.write_latency_s = 0.3
    await asyncio.gather(
        world.app.installation(INSTALLATION).create_issue_comment("octo", "widgets", 1, "a"),
        world.app.installation(78).create_issue_comment("acme", "gears", 1, "b"),
    )
    first, second = _posts(state.requests, "/comments")
    assert second.started < first.finished


async def test_reads_are_not_throttled(world: World) -> None:
    """GETs take no write slot: a read completes while another client holds the installation's slot."""
    lock = world.redis.lock(f"{FAST.key_prefix}:{INSTALLATION}:lock", timeout=30)
    assert await lock.acquire()
    try:
        issue = await asyncio.wait_for(world.app.installation(INSTALLATION).get_issue("octo", "widgets", 1), 10)
    finally:
        await lock.release()
    assert issue.number == 1
