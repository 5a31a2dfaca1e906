"""Network attacks from inside the sandbox: loopback services of the host, and name resolution."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest

from sandbox.backends import RunResult
from sandbox.verdict import Verdict

RunPython = Callable[..., RunResult]


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP listener on the host's 127.0.0.1, opened by the test."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    yield server
    server.close()


def test_host_loopback_listener_is_unreachable(run_python: RunPython, listener: socket.socket) -> None:
    """Connecting to the host's loopback listener fails, and the listener sees no connection."""
    port = listener.getsockname()[1]
    code = "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5)"
    result = run_python(code, str(port))
    assert result.verdict is Verdict.FAILED
    assert "ConnectionRefusedError" in result.stderr or "Network is unreachable" in result.stderr
    with pytest.raises(BlockingIOError):
        listener.accept()


def test_dns_resolution_fails(run_python: RunPython) -> None:
    """Resolving a public name fails: there is no network and no resolver."""
    result = run_python("import socket; print(socket.getaddrinfo('pypi.org', 443))")
    assert result.verdict is Verdict.FAILED and "gaierror" in result.stderr


def test_only_loopback_interface_exists(run_python: RunPython) -> None:
    """The network namespace has no interface but lo."""
    result = run_python("import socket; print(sorted(name for _, name in socket.if_nameindex()))")
    assert result.ok and result.stdout.strip() == "['lo']"
