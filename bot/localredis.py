"""Start a private redis-server on loopback, for local runs without REDIS_URL and for tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LocalRedis", "RedisStartError", "free_port", "start_redis"]


class RedisStartError(RuntimeError):
    """redis-server is missing or did not come up."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalRedis:
    """A running redis-server child process.

    Usage:
        redis = start_redis(Path("var/redis"))
        ... redis.url ...
        redis.stop()
    """

    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(
    data_dir: Path, *, port: int | None = None, persist: bool = False, timeout_s: float = 10.0
) -> LocalRedis:
    """Start redis-server bound to 127.0.0.1, keeping its files in `data_dir`; wait until it answers PING."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RedisStartError("redis-server is not installed: run scripts/setup (Debian package redis-server)")
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    argv = [binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(data_dir), "--protected-mode", "yes"]
    argv += ["--appendonly", "yes"] if persist else ["--save", "", "--appendonly", "no"]
    # Its own session: a terminal's Ctrl+C (sent to the whole process group) reaches only the bot, which finishes
    # with Redis still up and then stops it, instead of the worker's last writes failing against a dead server.
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RedisStartError(f"redis-server exited with status {process.returncode} on port {port}")
        if _ping(port):
            return LocalRedis(process=process, port=port)
        time.sleep(0.05)
    process.kill()
    raise RedisStartError(f"redis-server did not answer on port {port} within {timeout_s}s")
