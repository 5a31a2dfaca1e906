"""Fixtures for the service: settings on a temp store and the real Redis, a signed-delivery helper."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from bot.settings import Settings
from bot.web.app import create_app
from bot.web.signature import sign
from tests.standin.fixtures import Standin, app_key, github_spec, standin  # noqa: F401  (fixtures re-exported)

SECRET = "test-webhook-secret"


def create_database(server_url: str, name: str) -> str:
    """CREATE DATABASE on the test PostgreSQL (through psql, so no event loop is needed); returns its URL."""
    base, _, _ = server_url.rpartition("/")
    host_port = base.split("@", 1)[1]
    host, port = host_port.split(":")
    subprocess.run(
        ["psql", "-h", host, "-p", port, "-U", "organic", "-d", "organic", "-c", f"CREATE DATABASE {name}"],
        check=True,
        capture_output=True,
    )
    return f"{base}/{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every service test runs on the embedded SQLite and on a fresh database in the real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/store.db"
    server_url: str = request.getfixturevalue("postgres_url")
    return create_database(server_url, f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def settings(redis_url: str, database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        github_webhook_secret=SecretStr(SECRET),
        redis_url=redis_url,
        database_url=database_url,
        workspace_dir=tmp_path / "ws",
        memory_dir=tmp_path / "mem",
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def signed_headers(body: bytes, event: str, delivery_id: str | None = None, secret: str = SECRET) -> dict[str, str]:
    return {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery_id or str(uuid.uuid4()),
        "X-Hub-Signature-256": sign(body, secret),
        "Content-Type": "application/json",
    }


Deliver = Callable[..., Any]


@pytest.fixture
def deliver(client: TestClient) -> Deliver:
    """POST a payload, signed, as GitHub would; returns the response."""

    def post(event: str, payload: dict[str, Any], delivery_id: str | None = None, **headers: str) -> Any:
        body = json.dumps(payload).encode()
        return client.post("/webhooks", content=body, headers={**signed_headers(body, event, delivery_id), **headers})

    return post


def labeled_payload(label: str = "bot-fix", *, sender_type: str = "User", number: int = 7) -> dict[str, Any]:
    """A minimal issues.labeled payload (as bedevere tests do): only the fields routing reads."""
    return {
        "action": "labeled",
        "issue": {"number": number, "title": "Crash on empty input"},
        "label": {"name": label},
        "repository": {"full_name": "octo/widgets", "default_branch": "main"},
        "installation": {"id": 42},
        "sender": {"login": "maintainer" if sender_type == "User" else "dependabot[bot]", "type": sender_type},
    }


REPO = "octo/widgets"


@pytest.fixture
def app_settings(settings: Settings, standin: Standin) -> Settings:  # noqa: F811 - the fixture, by name
    """Settings pointing the App at the stand-in, with an installed repo, an issue and a maintainer."""
    standin.state.add_installation(42, "octo")
    standin.state.add_repo(REPO, {"widgets.py": "def size(xs):\n    return len(xs) + 1\n"}, installation_id=42)
    standin.state.add_issue(REPO, "size() is off by one", "size([]) returns 1")
    standin.state.set_permission(REPO, "maintainer", "maintain")
    standin.state.set_permission(REPO, "triager", "triage")
    return settings.model_copy(
        update={
            "github_api_url": standin.url,
            "github_app_id": standin.app_id,
            "github_app_private_key": SecretStr(standin.private_key),
            "github_write_gap_s": 0.0,
            "github_content_gap_s": 0.0,
        }
    )
