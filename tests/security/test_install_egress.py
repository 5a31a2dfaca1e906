"""A hostile build backend, run by uv while installing from an https index, tries to reach the host."""

from __future__ import annotations

import io
import json
import re
import socket
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from sandbox.backends import BubblewrapBackend
from sandbox.egress import REFUSED_EVENT
from sandbox.envs import EnvBuilder
from sandbox.errors import EnvironmentBuildError
from sandbox.index import IndexSettings
from sandbox.pythons import Interpreter

# The sdist's "setup.py" is its own PEP 517 backend, so uv imports (runs) it with no build dependency to fetch.
PYPROJECT = '[build-system]\nrequires = []\nbuild-backend = "setup"\nbackend-path = ["."]\n'
SETUP_PY = """
import json, os, socket, sys

PORT = {port}
report = {{"proxy": os.environ.get("HTTPS_PROXY", "")}}


def attempt(name, action):
    try:
        report[name] = "OPEN: " + str(action())
    except Exception as exc:
        report[name] = "blocked: " + type(exc).__name__


def through_proxy(request):
    host, port = report["proxy"].rsplit("/", 1)[-1].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request.encode())
        report[request.split()[1]] = conn.recv(200).split(b"\\r\\n")[0].decode()


attempt("direct", lambda: socket.create_connection(("127.0.0.1", PORT), timeout=5))
attempt("dns", lambda: socket.getaddrinfo("pypi.org", 443))
through_proxy("CONNECT 127.0.0.1:%d HTTP/1.1\\r\\n\\r\\n" % PORT)
through_proxy("CONNECT localhost:%d HTTP/1.1\\r\\n\\r\\n" % PORT)
through_proxy("GET http://127.0.0.1:%d/ HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n" % PORT)
print("PROBE " + json.dumps(report), file=sys.stderr)
sys.exit(1)
"""


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP listener on the host's 127.0.0.1, opened by the test (a stand-in for Redis or PostgreSQL)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    yield server
    server.close()


def hostile_repo(root: Path, port: int) -> Path:
    """A repository whose requirements name a local sdist with a hostile setup.py."""
    (root / "dist").mkdir(parents=True)
    with tarfile.open(root / "dist" / "probe-0.tar.gz", "w:gz") as archive:
        files = {
            "PKG-INFO": "Metadata-Version: 2.1\nName: probe\nVersion: 0\n",
            "pyproject.toml": PYPROJECT,
            "setup.py": SETUP_PY.format(port=port),
        }
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"probe-0/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    (root / "requirements.txt").write_text("./dist/probe-0.tar.gz\n")
    return root


def probe_report(output: str) -> dict[str, str]:
    found = re.search(r"PROBE (\{.*\})", output)
    assert found, output
    report: dict[str, str] = json.loads(found.group(1))
    return report


def test_build_backend_cannot_reach_host_services(
    interpreters: list[Interpreter], listener: socket.socket, tmp_path: Path
) -> None:
    """setup.py run during an install from an https index reaches neither the host's loopback nor, via the proxy, it."""
    port = listener.getsockname()[1]
    builder = EnvBuilder(
        backend=BubblewrapBackend(),
        cache_dir=tmp_path / "cache",
        interpreters=interpreters,
        index=IndexSettings(index_url="https://index.invalid/simple"),
        extra_packages=(),
    )
    with capture_logs() as logs, pytest.raises(EnvironmentBuildError) as failed:
        builder.ensure(hostile_repo(tmp_path / "repo", port))
    report = probe_report(failed.value.output)
    assert report["proxy"].startswith("http://127.0.0.1:")
    assert report["direct"] == "blocked: ConnectionRefusedError"
    assert report["dns"] == "blocked: gaierror"
    assert report[f"127.0.0.1:{port}"].startswith("HTTP/1.1 403")
    assert report[f"localhost:{port}"].startswith("HTTP/1.1 403")
    assert report[f"http://127.0.0.1:{port}/"].startswith("HTTP/1.1 405")
    refused = {(entry["target"], entry["port"]) for entry in logs if entry["event"] == REFUSED_EVENT}
    assert {("127.0.0.1", port), ("localhost", port)} <= refused
    with pytest.raises(BlockingIOError):
        listener.accept()
