"""POST /webhooks through the real app, real Redis and a real SQLite store: one test per edge outcome."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from pydantic import ValidationError
from starlette.testclient import TestClient

from bot.localredis import start_redis
from bot.settings import Settings
from bot.store import Store
from bot.web.app import create_app
from bot.web.signature import sign
from tests.bot.conftest import SECRET, Deliver, labeled_payload, signed_headers
from tests.fixtures.server import serve_app


def queued_job_ids(redis_url: str) -> list[str]:
    client = redis.Redis.from_url(redis_url)
    try:
        members: list[bytes] = client.zrange("arq:queue", 0, -1)  # type: ignore[assignment]
        return [m.decode() for m in members]
    finally:
        client.close()


def test_ping_answers_200(deliver: Deliver) -> None:
    """A ping is acknowledged and nothing is queued."""
    response = deliver("ping", {"zen": "Keep it logically awesome.", "hook_id": 1})
    assert response.status_code == 200
    assert response.json() == {"msg": "pong"}


def test_signed_label_is_enqueued_once(deliver: Deliver, redis_url: str) -> None:
    """A signed issues.labeled with the trigger label becomes exactly one fix_issue job."""
    response = deliver("issues", labeled_payload(), delivery_id="d-1")
    assert response.status_code == 202
    assert response.json() == {"outcome": "enqueued", "jobs": ["fix_issue:d-1"]}
    assert queued_job_ids(redis_url) == ["fix_issue:d-1"]


def test_redelivery_produces_no_second_job(deliver: Deliver, redis_url: str) -> None:
    """The same X-GitHub-Delivery sent again is answered as a duplicate and queues nothing."""
    deliver("issues", labeled_payload(), delivery_id="d-2")
    again = deliver("issues", labeled_payload(), delivery_id="d-2")
    assert again.status_code == 200
    assert again.json()["outcome"] == "duplicate"
    assert queued_job_ids(redis_url) == ["fix_issue:d-2"]


def test_fifty_concurrent_redeliveries_make_one_job(settings: Settings, redis_url: str) -> None:
    """50 simultaneous copies of one delivery, over real HTTP, queue one job and store one delivery row."""
    body = json.dumps(labeled_payload()).encode()
    headers = signed_headers(body, "issues", "d-storm")

    async def storm(base_url: str) -> list[int]:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            responses = await asyncio.gather(
                *(http.post("/webhooks", content=body, headers=headers) for _ in range(50))
            )
        return [r.status_code for r in responses]

    with serve_app(create_app(settings)) as base_url:
        statuses = asyncio.run(storm(base_url))
    assert set(statuses) <= {200, 202}
    assert statuses.count(202) >= 1
    assert queued_job_ids(redis_url) == ["fix_issue:d-storm"]


@pytest.mark.parametrize(
    "signature",
    [None, "sha256=" + "0" * 64, "sha1=2b2fbc2e3b8b5c7d3f1c5f1d9c1f5c0f6a6d0b51", "garbage"],
    ids=["missing", "wrong", "sha1", "garbage"],
)
def test_bad_signature_is_401_and_stores_nothing(client: TestClient, redis_url: str, signature: str | None) -> None:
    """Unsigned, mis-signed or sha1-signed deliveries are refused before anything is stored or queued."""
    body = json.dumps(labeled_payload()).encode()
    headers = signed_headers(body, "issues", "d-bad")
    headers.pop("X-Hub-Signature-256")
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    response = client.post("/webhooks", content=body, headers=headers)
    assert response.status_code == 401
    assert queued_job_ids(redis_url) == []
    delivery_keys = redis.Redis.from_url(redis_url).keys("organic-pr:delivery:*")
    assert delivery_keys == []


def test_signature_of_another_secret_is_401(client: TestClient) -> None:
    """A body signed with a different secret is refused."""
    body = json.dumps(labeled_payload()).encode()
    response = client.post("/webhooks", content=body, headers=signed_headers(body, "issues", secret="other"))
    assert response.status_code == 401


def test_malformed_json_with_valid_signature_is_400(client: TestClient) -> None:
    """A correctly signed body that is not a JSON object is a client error."""
    for body in (b"{not json", b"[1, 2]"):
        response = client.post("/webhooks", content=body, headers=signed_headers(body, "issues"))
        assert response.status_code == 400


def test_body_over_cap_is_413(settings: Settings) -> None:
    """A body over the configured size cap is refused without being read whole."""
    small = settings.model_copy(update={"max_webhook_bytes": 1000})
    body = json.dumps({**labeled_payload(), "padding": "x" * 2000}).encode()
    with TestClient(create_app(small)) as client:
        response = client.post("/webhooks", content=body, headers=signed_headers(body, "issues"))
    assert response.status_code == 413


def test_unknown_event_is_202_and_ignored(deliver: Deliver, redis_url: str) -> None:
    """An event the bot does not handle is acknowledged and logged as ignored."""
    response = deliver("star", {"action": "created", "installation": {"id": 1}})
    assert response.status_code == 202
    assert response.json()["outcome"] == "ignored"
    assert queued_job_ids(redis_url) == []


def test_bot_sender_is_ignored(deliver: Deliver, redis_url: str) -> None:
    """A label added by a bot never starts a job: the bot does not talk to bots."""
    response = deliver("issues", labeled_payload(sender_type="Bot"))
    assert response.json()["outcome"] == "ignored"
    assert queued_job_ids(redis_url) == []


def test_other_label_is_ignored(deliver: Deliver, redis_url: str) -> None:
    """Only the configured trigger label starts a fix."""
    assert deliver("issues", labeled_payload(label="bug")).json()["outcome"] == "ignored"
    assert queued_job_ids(redis_url) == []


def test_missing_installation_is_400(deliver: Deliver) -> None:
    """A handled event without an installation cannot be acted on and is refused."""
    payload = labeled_payload()
    del payload["installation"]
    assert deliver("issues", payload).status_code == 400


def test_missing_headers_is_400(client: TestClient) -> None:
    """A signed body without X-GitHub-Event or X-GitHub-Delivery is malformed."""
    body = b"{}"
    response = client.post("/webhooks", content=body, headers={"X-Hub-Signature-256": sign(body, SECRET)})
    assert response.status_code == 400


def test_missing_secret_fails_at_startup(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings without GITHUB_WEBHOOK_SECRET do not load, so the service cannot start unsigned."""
    monkeypatch.delenv("GITHUB_WEBHOOK_SECRET", raising=False)
    with pytest.raises(ValidationError, match="github_webhook_secret"):
        Settings()  # type: ignore[call-arg]


def test_redis_down_gets_503(settings: Settings, tmp_path: Path) -> None:
    """With Redis gone the delivery fails with 503, so GitHub records it for redelivery."""
    own = start_redis(tmp_path / "own-redis")
    settings = settings.model_copy(update={"redis_url": own.url})
    with TestClient(create_app(settings)) as client:
        own.stop()
        body = json.dumps(labeled_payload()).encode()
        response = client.post("/webhooks", content=body, headers=signed_headers(body, "issues", "d-down"))
        ready = client.get("/readyz")
    assert response.status_code == 503
    assert ready.status_code == 503


def test_lone_surrogate_escapes_are_accepted_once(deliver: Deliver, settings: Settings, redis_url: str) -> None:
    """JSON may escape a lone surrogate ("\\ud800"), which UTF-8 cannot encode: a signed delivery carrying one is
    accepted, not answered 500 or 503 on every redelivery. Only routing fields are stored (never the body); a
    stored one keeps the escape, and the redelivery is a duplicate."""
    payload = labeled_payload()
    payload["issue"]["body"] = "crash on \ud800 input"
    first = deliver("issues", payload, delivery_id="d-sur")
    assert (first.status_code, first.json()["jobs"]) == (202, ["fix_issue:d-sur"])
    assert deliver("issues", payload, delivery_id="d-sur").json()["outcome"] == "duplicate"
    odd = {**labeled_payload(), "action": "labeled\ud800"}
    ignored = deliver("issues", odd, delivery_id="d-odd")
    assert (ignored.status_code, ignored.json()["outcome"]) == (202, "ignored")
    assert deliver("issues", odd, delivery_id="d-odd").status_code == 202

    async def rows() -> tuple[Any, Any]:
        store = Store(settings.database_url)
        try:
            return await store.get_delivery("d-sur"), await store.get_delivery("d-odd")
        finally:
            await store.aclose()

    enqueued, odd_row = asyncio.run(rows())
    assert enqueued is not None and enqueued.job_ids == ["fix_issue:d-sur"]
    assert odd_row is not None and (odd_row.action, odd_row.reason) == (
        "labeled\\ud800",
        "nothing to do for issues.labeled\\ud800",
    )
    assert queued_job_ids(redis_url) == ["fix_issue:d-sur"]


def test_health_ready_and_metrics(client: TestClient, deliver: Deliver) -> None:
    """healthz answers, readyz checks Redis and the store, metrics count deliveries by outcome."""
    deliver("issues", labeled_payload(), delivery_id="d-m")
    assert client.get("/healthz").text == "ok"
    assert client.get("/readyz").json() == {"ready": True, "problems": []}
    metrics = client.get("/metrics").text
    assert 'organic_pr_webhook_deliveries_total{event="issues",outcome="enqueued"} 1.0' in metrics
    assert "organic_pr_queue_depth 1.0" in metrics


@pytest.mark.postgres
def test_store_down_gets_503(settings: Settings, postgres_url: str) -> None:
    """With the store refusing connections the delivery fails with 503 and nothing is acknowledged."""
    import subprocess

    from tests.bot.conftest import create_database

    name = f"t_down_{uuid.uuid4().hex[:8]}"
    url = create_database(postgres_url, name)
    host_port = url.split("@", 1)[1].split("/", 1)[0]
    host, port = host_port.split(":")
    psql = ["psql", "-h", host, "-p", port, "-U", "organic", "-d", "organic", "-c"]
    with TestClient(create_app(settings.model_copy(update={"database_url": url}))) as client:
        kill = f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"  # noqa: S608 - a name this test generated
        subprocess.run([*psql, kill], check=True, capture_output=True)
        subprocess.run([*psql, f"ALTER DATABASE {name} RENAME TO {name}_gone"], check=True, capture_output=True)
        body = json.dumps(labeled_payload()).encode()
        response = client.post("/webhooks", content=body, headers=signed_headers(body, "issues", "d-store"))
        ready = client.get("/readyz").json()
    assert response.status_code == 503
    assert ready["ready"] is False and ready["problems"][0].startswith("store:")
