"""Webhook intake under load on loopback: the real app (with Redis and SQLite) against a bare 202 endpoint.

    .venv/bin/python -m tests.benchmarks.bench_webhooks [--rates 50,100,200,400] [--seconds 5]

Each server runs in its own process (uvicorn, one worker); the load generator is an open-loop asyncio client
that sends signed deliveries at a fixed rate, with ~10% redeliveries of earlier ids. After each rate it counts
jobs in Redis and deliveries in the store: lost or duplicated jobs are reported, never assumed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import redis

from bot.localredis import free_port, start_redis
from bot.web.signature import sign

SECRET = "bench-secret"


def bare_app() -> object:
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def ok(request: object) -> JSONResponse:
        await request.body()  # type: ignore[attr-defined]
        return JSONResponse({"outcome": "accepted"}, status_code=202)

    return Starlette(routes=[Route("/webhooks", ok, methods=["POST"])])


def real_app() -> object:
    from bot.logging import configure_logging
    from bot.settings import Settings
    from bot.web.app import create_app

    configure_logging(json=True)  # production logging: one JSON line per delivery
    return create_app(Settings())  # type: ignore[call-arg]


def start_server(kind: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        f"tests.benchmarks.bench_webhooks:{kind}_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(argv, env={**os.environ, **env}, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.post(f"{url}/webhooks", content=b"{}", timeout=1)
            return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{kind} server did not start")


def payload(n: int) -> bytes:
    return json.dumps(
        {
            "action": "labeled",
            "issue": {"number": n, "title": f"bug {n}"},
            "label": {"name": "bot-fix"},
            "repository": {"full_name": "bench/repo", "default_branch": "main"},
            "installation": {"id": 1},
            "sender": {"login": "maintainer", "type": "User"},
        }
    ).encode()


async def load(url: str, rate: int, seconds: float, tag: str) -> tuple[list[float], int, set[str]]:
    """Open-loop: one delivery every 1/rate s regardless of responses. Returns latencies, errors, unique ids."""
    latencies: list[float] = []
    errors, ids, tasks = 0, set(), []
    limits = httpx.Limits(max_connections=512, max_keepalive_connections=512)
    async with httpx.AsyncClient(base_url=url, timeout=10, limits=limits) as http:

        async def one(i: int) -> None:
            nonlocal errors
            delivery = f"{tag}-{i - 7 if i % 10 == 9 and i > 7 else i}"  # every 10th is a redelivery
            body = payload(i)
            headers = {
                "X-GitHub-Event": "issues",
                "X-GitHub-Delivery": delivery,
                "X-Hub-Signature-256": sign(body, SECRET),
                "Content-Type": "application/json",
            }
            started = time.perf_counter()
            try:
                response = await http.post("/webhooks", content=body, headers=headers)
                if response.status_code >= 300 and response.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append((time.perf_counter() - started) * 1000)
            ids.add(delivery)

        start = time.perf_counter()
        for i in range(int(rate * seconds)):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
    return latencies, errors, ids


async def saturate(url: str, seconds: float, concurrency: int, tag: str) -> float:
    """Closed loop: `concurrency` clients send back to back for `seconds`; returns completed deliveries per second."""
    done = 0
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:

        async def client(c: int) -> None:
            nonlocal done
            i = 0
            while time.perf_counter() < deadline:
                body = payload(i)
                headers = {
                    "X-GitHub-Event": "issues",
                    "X-GitHub-Delivery": f"{tag}-{c}-{i}",
                    "X-Hub-Signature-256": sign(body, SECRET),
                    "Content-Type": "application/json",
                }
                if (await http.post("/webhooks", content=body, headers=headers)).status_code < 300:
                    done += 1
                i += 1

        started = time.perf_counter()
        await asyncio.gather(*(client(c) for c in range(concurrency)))
    return done / (time.perf_counter() - started)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_rate(rate: int, seconds: float, real_url: str, bare_url: str, redis_url: str, db: Path) -> dict[str, float]:
    row: dict[str, float] = {"rate": rate}
    for name, url in (("bare", bare_url), ("real", real_url)):
        tag = f"{name}-{rate}"
        started = time.perf_counter()
        lat, errors, ids = asyncio.run(load(url, rate, seconds, tag))
        elapsed = time.perf_counter() - started
        row[f"{name}_rps"] = len(lat) / elapsed
        row[f"{name}_p50"], row[f"{name}_p99"] = statistics.median(lat), pct(lat, 0.99)
        row[f"{name}_errors"] = errors
        if name == "real":
            members: list[bytes] = redis.Redis.from_url(redis_url).zrange("arq:queue", 0, -1)  # type: ignore[assignment]
            queued = {m.decode() for m in members}
            expected = {f"fix_issue:{i}" for i in ids}
            row["lost"] = len(expected - queued)
            row["extra"] = len({q for q in queued if q.startswith(f"fix_issue:{tag}-")} - expected)
            with sqlite3.connect(db) as conn:
                stored = conn.execute(
                    "SELECT count(*) FROM webhook_deliveries WHERE id LIKE ?", (f"{tag}-%",)
                ).fetchone()[0]
            row["stored_deliveries"], row["unique_ids"] = stored, len(ids)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="50,100,200,400")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    server = start_redis(work / "redis")
    db = work / "store.db"
    env = {"GITHUB_WEBHOOK_SECRET": SECRET, "REDIS_URL": server.url, "DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    real, real_url = start_server("real", env)
    bare, bare_url = start_server("bare", env)
    try:
        print(
            f"{'rate/s':>7} {'bare rps':>9} {'real rps':>9} {'ratio':>6} {'bare p50':>9} {'bare p99':>9} "
            f"{'real p50':>9} {'real p99':>9} {'errors':>6} {'ids':>5} {'jobs lost':>9} {'dup':>4} {'rows':>5}"
        )
        for rate in (int(r) for r in args.rates.split(",")):
            r = run_rate(rate, args.seconds, real_url, bare_url, server.url, db)
            print(
                f"{rate:>7} {r['bare_rps']:>9.1f} {r['real_rps']:>9.1f} {r['real_rps'] / r['bare_rps']:>6.2f} "
                f"{r['bare_p50']:>7.1f}ms {r['bare_p99']:>7.1f}ms {r['real_p50']:>7.1f}ms {r['real_p99']:>7.1f}ms "
                f"{int(r['real_errors']):>6} {int(r['unique_ids']):>5} {int(r['lost']):>9} {int(r['extra']):>4} "
                f"{int(r['stored_deliveries']):>5}"
            )
        bare_max = asyncio.run(saturate(bare_url, args.seconds, 32, "sat-bare"))
        real_max = asyncio.run(saturate(real_url, args.seconds, 32, "sat-real"))
        print(
            f"max throughput (32 closed-loop clients): bare {bare_max:.0f}/s, real {real_max:.0f}/s, "
            f"ratio {real_max / bare_max:.2f}"
        )
    finally:
        for proc in (real, bare):
            proc.terminate()
            proc.wait(timeout=10)
        server.stop()


if __name__ == "__main__":
    main()
