"""Shared fixtures: real Redis, real PostgreSQL, real git repositories, and the shared/ fixtures folder."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.localredis import start_redis
from tests.fixtures.postgres import running_postgres

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared/ folder beside the project root (override with ORGANIC_PR_SHARED)."""
    path = Path(os.environ.get("ORGANIC_PR_SHARED", PROJECT_ROOT.parent / "shared"))
    if not (path / "fixtures").is_dir():
        pytest.fail(f"shared fixtures not found at {path}; set ORGANIC_PR_SHARED")
    return path


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on a free loopback port for the whole session; yields its URL."""
    server = start_redis(tmp_path_factory.mktemp("redis"))
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: str) -> Iterator[str]:
    """The session Redis, flushed before each test."""
    import redis

    client = redis.Redis.from_url(redis_server)
    client.flushall()
    client.close()
    yield redis_server


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL cluster on loopback for the whole session; yields an asyncpg SQLAlchemy URL."""
    with running_postgres() as url:
        yield url


def git(cwd: Path, *args: str) -> str:
    """Run git with a fixed identity and no user config; return stdout."""
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_SYSTEM": "/dev/null",
        "GIT_AUTHOR_NAME": "Test Author",
        "GIT_AUTHOR_EMAIL": "author@example.com",
        "GIT_COMMITTER_NAME": "Test Author",
        "GIT_COMMITTER_EMAIL": "author@example.com",
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True)
    return done.stdout


@pytest.fixture
def make_git_repo(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Factory: a real git repo on branch main with one commit holding `files` (path -> text)."""

    def make(files: dict[str, str], name: str = "repo") -> Path:
        root = tmp_path / name
        root.mkdir()
        git(root, "init", "-q", "-b", "main")
        for rel, text in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "Initial commit")
        return root

    return make
