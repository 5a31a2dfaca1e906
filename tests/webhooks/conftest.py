"""One real app per module (real Redis, a temp SQLite store) and a signed-delivery helper for the examples."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from pydantic import SecretStr
from starlette.testclient import TestClient

from bot.settings import Settings
from bot.web.app import create_app
from bot.web.signature import sign
from tests.conftest import PROJECT_ROOT
from tests.webhooks.examples import example_paths

SECRET = "webhook-examples-secret"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`example_rel`: every published example's `<event>/<name>.json`, found where the `shared_dir` fixture looks."""
    if "example_rel" in metafunc.fixturenames:
        shared = Path(os.environ.get("ORGANIC_PR_SHARED", PROJECT_ROOT.parent / "shared"))
        paths = example_paths(shared)
        metafunc.parametrize("example_rel", paths, ids=paths)


@dataclass(frozen=True)
class Delivered:
    """What the app answered to one signed delivery."""

    delivery_id: str
    status: int
    body: dict[str, Any]

    @property
    def jobs(self) -> list[str]:
        jobs = self.body.get("jobs", [])
        return list(jobs) if isinstance(jobs, list) else []


Deliver = Callable[[str, bytes], Delivered]


@pytest.fixture(scope="module")
def app_client(redis_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The real app, started once per module: migrating a fresh store per example would dominate the run."""
    tmp = tmp_path_factory.mktemp("webhooks-app")
    settings = Settings(
        github_webhook_secret=SecretStr(SECRET),
        redis_url=redis_server,
        database_url=f"sqlite+aiosqlite:///{tmp}/store.db",
        workspace_dir=tmp / "ws",
        memory_dir=tmp / "mem",
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def deliver(app_client: TestClient, redis_url: str) -> Deliver:
    """POST a body as GitHub would, signed, with a fresh delivery id; Redis is flushed before each test."""

    def post(event: str, body: bytes) -> Delivered:
        delivery_id = str(uuid.uuid4())
        headers = {
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery_id,
            "X-Hub-Signature-256": sign(body, SECRET),
            "Content-Type": "application/json",
        }
        response = app_client.post("/webhooks", content=body, headers=headers)
        try:
            answer = response.json()
        except ValueError:
            answer = {"text": response.text}
        return Delivered(delivery_id, response.status_code, answer if isinstance(answer, dict) else {"json": answer})

    return post


@pytest.fixture
def queued(redis_url: str) -> Iterator[Callable[[], list[str]]]:
    """Read the ids waiting in arq's queue (the `arq:queue` sorted set), sorted."""
    client = redis.Redis.from_url(redis_url)

    def read() -> list[str]:
        members: list[bytes] = client.zrange("arq:queue", 0, -1)  # type: ignore[assignment]
        return sorted(member.decode() for member in members)

    yield read
    client.close()
