"""The install egress proxy: its decisions, the real proxy on a unix socket, the in-sandbox forwarder, PyPI."""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from sandbox.backends import BubblewrapBackend, Mount, SandboxSpec
from sandbox.egress import REFUSED_EVENT, EgressPolicy, EgressProxy, decide, egress_for, split_authority
from sandbox.envs import EnvBuilder
from sandbox.errors import EnvironmentBuildError
from sandbox.index import IndexSettings
from sandbox.pythons import Interpreter
from tests.sandbox.helpers import PYTHON, PYTHON_PREFIX

PYPI = frozenset({("pypi.org", 443), ("files.pythonhosted.org", 443)})


class Resolver:
    """A name table standing in for DNS, recording which names were asked."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in self.table:
            raise OSError(f"unknown name {host}")
        return self.table[host]


@pytest.mark.parametrize(
    ("authority", "expected"),
    [
        ("pypi.org:443", ("pypi.org", 443)),
        ("PyPI.Org.:443", ("pypi.org", 443)),
        ("[::1]:443", ("::1", 443)),
        ("pypi.org", None),
        ("pypi.org:http", None),
        ("pypi.org:0", None),
        ("pypi.org:70000", None),
        (":443", None),
    ],
)
def test_split_authority(authority: str, expected: tuple[str, int] | None) -> None:
    """CONNECT targets are split into a normalised host and a valid port, or rejected."""
    assert split_authority(authority) == expected


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("151.101.0.223", True),
        ("2a04:4e42::223", True),
        ("127.0.0.1", False),
        ("127.8.9.10", False),
        ("::1", False),
        ("::ffff:127.0.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - an address under test, nothing binds it
        ("10.1.2.3", False),
        ("172.17.0.1", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("fe80::1", False),
        ("fd00::2", False),
        ("224.0.0.1", False),
        ("not-an-ip", False),
    ],
)
def test_address_must_be_global(address: str, allowed: bool) -> None:
    """Only global addresses may be reached; loopback, private, link-local and the like are refused."""
    assert (EgressPolicy(PYPI).address_refusal(address) is None) is allowed


@pytest.mark.parametrize(
    ("address", "allowed"),
    [("10.20.3.4", True), ("10.21.0.1", False), ("127.0.0.1", False), ("169.254.1.1", False)],
)
def test_trusted_networks_never_open_loopback(address: str, allowed: bool) -> None:
    """A trusted network admits its private addresses, but loopback and link-local stay refused."""
    trusted = tuple(ipaddress.ip_network(net) for net in ("10.20.0.0/16", "127.0.0.0/8", "169.254.0.0/16"))
    assert (EgressPolicy(PYPI, trusted).address_refusal(address) is None) is allowed


@pytest.mark.parametrize(
    ("index", "endpoints"),
    [
        (IndexSettings(), PYPI),
        (IndexSettings(index_url="https://pypi.org/simple/"), PYPI),
        (IndexSettings(index_url="https://mirror.corp:8443/simple"), {("mirror.corp", 8443)}),
        (
            IndexSettings(index_url="file:///opt/pypi/simple", extra_index_urls=("https://a.example/simple",)),
            {("a.example", 443)},
        ),
        (
            IndexSettings(index_url="https://test.pypi.org/simple"),
            {("test.pypi.org", 443), ("test-files.pythonhosted.org", 443)},
        ),
        (IndexSettings(index_url="file:///opt/pypi/simple", find_links=("/opt/wheels",)), set()),
    ],
)
def test_endpoints_come_from_the_index_settings(index: IndexSettings, endpoints: set[tuple[str, int]]) -> None:
    """The allow-list is exactly the https index hosts, plus PyPI's file host when PyPI is used."""
    assert index.endpoints() == endpoints


def test_plain_http_index_is_refused_up_front() -> None:
    """A plain-HTTP source cannot be used: the build says so before anything runs."""
    with pytest.raises(EnvironmentBuildError, match="plain-HTTP"):
        EgressPolicy.for_index(IndexSettings(index_url="http://mirror.corp/simple"))


def test_local_index_gets_no_proxy() -> None:
    """With only local sources there is no proxy at all (and no network)."""
    with egress_for(IndexSettings(index_url="file:///opt/pypi/simple")) as proxy:
        assert proxy is None


async def test_allow_listed_host_with_global_addresses_is_allowed() -> None:
    """CONNECT to an index host whose every address is global passes, with the checked addresses."""
    resolve = Resolver({"pypi.org": ["151.101.0.223", "151.101.64.223"]})
    decision = await decide("CONNECT pypi.org:443 HTTP/1.1", EgressPolicy(PYPI), resolve)
    assert decision.allowed and decision.addresses == ("151.101.0.223", "151.101.64.223")


@pytest.mark.parametrize("addresses", [["127.0.0.1"], ["10.0.0.5"], ["151.101.0.223", "192.168.0.7"], ["::1"], []])
async def test_allow_listed_host_resolving_inward_is_refused(addresses: list[str]) -> None:
    """An index name that resolves (even partly) to a non-global address is refused (DNS rebinding)."""
    decision = await decide("CONNECT pypi.org:443 HTTP/1.1", EgressPolicy(PYPI), Resolver({"pypi.org": addresses}))
    assert not decision.allowed


@pytest.mark.parametrize(
    "line",
    ["CONNECT evil.example:443 HTTP/1.1", "CONNECT pypi.org:22 HTTP/1.1", "CONNECT 127.0.0.1:6379 HTTP/1.1"],
)
async def test_other_destinations_are_refused_without_resolving(line: str) -> None:
    """A host or port outside the allow-list is refused before any name is resolved."""
    resolve = Resolver({"evil.example": ["151.101.0.1"], "pypi.org": ["151.101.0.223"]})
    decision = await decide(line, EgressPolicy(PYPI), resolve)
    assert not decision.allowed and decision.reason == "not a package index endpoint" and resolve.asked == []


async def test_plain_http_request_is_refused() -> None:
    """A proxied plain-HTTP request (GET with an absolute URL) is refused with 405."""
    decision = await decide("GET http://pypi.org/simple/ HTTP/1.1", EgressPolicy(PYPI), Resolver({}))
    assert not decision.allowed and decision.status.startswith(b"405")


async def test_unresolvable_host_is_refused() -> None:
    """A resolver failure is a refusal, not an error."""
    decision = await decide("CONNECT pypi.org:443 HTTP/1.1", EgressPolicy(PYPI), Resolver({}))
    assert not decision.allowed and decision.reason.startswith("cannot resolve")


@pytest.fixture
def target() -> Iterator[socket.socket]:
    """A plain TCP listener on the host's 127.0.0.1: the service a tunnel must never reach."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    yield server
    server.close()


def ask(proxy: EgressProxy, request: bytes) -> bytes:
    """Send one request to the proxy's unix socket and read until the proxy closes the connection."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(30)
        client.connect(str(proxy.socket_path))
        client.sendall(request)
        answer = b""
        while chunk := client.recv(4096):
            answer += chunk
        return answer


def test_proxy_refuses_host_loopback_even_when_allow_listed(target: socket.socket) -> None:
    """CONNECT to the host's loopback is refused with 403 and logged, and the target sees no connection."""
    port = target.getsockname()[1]
    policy = EgressPolicy(frozenset({("127.0.0.1", port), ("localhost", port)}))
    with capture_logs() as logs, EgressProxy(policy) as proxy:
        by_address = ask(proxy, f"CONNECT 127.0.0.1:{port} HTTP/1.1\r\n\r\n".encode())
        by_name = ask(proxy, f"CONNECT localhost:{port} HTTP/1.1\r\n\r\n".encode())
    assert by_address.startswith(b"HTTP/1.1 403") and by_name.startswith(b"HTTP/1.1 403")
    assert [entry["target"] for entry in logs if entry["event"] == REFUSED_EVENT] == ["127.0.0.1", "localhost"]
    with pytest.raises(BlockingIOError):
        target.accept()


def test_proxy_refuses_hosts_off_the_list(target: socket.socket) -> None:
    """A destination that is not an index endpoint is refused, and so is plain HTTP to the target."""
    port = target.getsockname()[1]
    with EgressProxy(EgressPolicy(PYPI)) as proxy:
        other = ask(proxy, f"CONNECT example.com:{port} HTTP/1.1\r\n\r\n".encode())
        plain = ask(proxy, f"GET http://127.0.0.1:{port}/ HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert other.startswith(b"HTTP/1.1 403") and b"not a package index endpoint" in other
    assert plain.startswith(b"HTTP/1.1 405")
    with pytest.raises(BlockingIOError):
        target.accept()


def host_address() -> str:
    """A non-loopback address of this host (no packet is sent), or skip."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            pytest.skip("this host has no route off loopback")
        address = str(probe.getsockname()[0])
    if ipaddress.ip_address(address).is_loopback:
        pytest.skip("this host has no non-loopback address")
    return address


@pytest.fixture
def echo_server() -> Iterator[tuple[str, int]]:
    """A TCP echo server on a non-loopback address of this host, standing in for an index host."""
    server = socket.create_server((host_address(), 0))

    def serve() -> None:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        with conn:
            while data := conn.recv(4096):
                conn.sendall(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[:2]
    server.close()
    thread.join(5)


def test_proxy_tunnels_to_an_allowed_endpoint(echo_server: tuple[str, int]) -> None:
    """An allowed CONNECT gets 200 and a byte-for-byte tunnel to the address the proxy resolved."""
    address, port = echo_server
    policy = EgressPolicy(frozenset({("index.test", port)}), (ipaddress.ip_network(f"{address}/32"),))
    with EgressProxy(policy, resolve=Resolver({"index.test": [address]})) as proxy:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(30)
            client.connect(str(proxy.socket_path))
            client.sendall(f"CONNECT index.test:{port} HTTP/1.1\r\n\r\n".encode())
            assert client.recv(4096).startswith(b"HTTP/1.1 200")
            client.sendall(b"hello through the tunnel")
            assert client.recv(4096) == b"hello through the tunnel"


def test_idle_tunnel_is_closed(echo_server: tuple[str, int]) -> None:
    """A tunnel with no traffic for the idle timeout is closed by the proxy."""
    address, port = echo_server
    policy = EgressPolicy(frozenset({("index.test", port)}), (ipaddress.ip_network(f"{address}/32"),))
    with EgressProxy(policy, idle_timeout_s=0.3, resolve=Resolver({"index.test": [address]})) as proxy:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(30)
            client.connect(str(proxy.socket_path))
            client.sendall(f"CONNECT index.test:{port} HTTP/1.1\r\n\r\n".encode())
            assert client.recv(4096).startswith(b"HTTP/1.1 200")
            assert client.recv(4096) == b""


def test_connections_are_bounded() -> None:
    """Past `max_connections` open connections, a new request is refused with 503."""
    with EgressProxy(EgressPolicy(PYPI), max_connections=1) as proxy:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as holder:
            holder.connect(str(proxy.socket_path))  # stays open without sending its request
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as extra:
                extra.settimeout(30)
                extra.connect(str(proxy.socket_path))
                answer = extra.recv(4096)
    assert answer.startswith(b"HTTP/1.1 503")


def test_stop_removes_the_socket_directory() -> None:
    """The proxy lives as long as the build: stopping it removes its private directory."""
    with EgressProxy(EgressPolicy(PYPI)) as proxy:
        directory = proxy.directory
        assert proxy.socket_path.is_socket() and (directory.stat().st_mode & 0o077) == 0
    assert not directory.exists()


FORWARDED = """
import os, socket
proxy = os.environ["HTTPS_PROXY"]
print(proxy == os.environ["HTTP_PROXY"], "ALL_PROXY" in os.environ, repr(os.environ["NO_PROXY"]))
host, port = proxy.rsplit("/", 1)[1].split(":")
with socket.create_connection((host, int(port)), timeout=30) as conn:
    conn.sendall(b"CONNECT example.com:443 HTTP/1.1\\r\\n\\r\\n")
    print(conn.recv(100).split(b"\\r\\n")[0].decode())
"""


def test_forwarder_relays_from_the_sandbox_loopback(bwrap_backend: BubblewrapBackend, tmp_path: Path) -> None:
    """Inside bubblewrap the command sees HTTPS_PROXY on its own 127.0.0.1, relayed to the host proxy."""
    with EgressProxy(EgressPolicy(PYPI)) as proxy:
        spec = SandboxSpec(
            argv=tuple(proxy.wrap(PYTHON, [PYTHON, "-c", FORWARDED])),
            cwd=tmp_path,
            mounts=(Mount(PYTHON_PREFIX), Mount(tmp_path), *proxy.mounts()),
            env={"ALL_PROXY": "socks5://10.0.0.1:1080", "NO_PROXY": "*"},
        )
        result = bwrap_backend.run(spec)
    assert result.ok, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "True False ''" and lines[1].startswith("HTTP/1.1 403")


def pypi_addresses() -> list[str]:
    try:
        infos = [info for host in ("pypi.org", "files.pythonhosted.org") for info in socket.getaddrinfo(host, 443)]
    except OSError:
        return []
    return sorted({str(info[4][0]) for info in infos})


def test_install_from_pypi_through_the_proxy(interpreters: list[Interpreter], tmp_path: Path) -> None:
    """A real `uv pip install iniconfig` from PyPI works through the proxy, with no host network shared.

    Where this host reaches PyPI through a gateway on a non-global address (a site egress proxy),
    exactly the addresses the host resolves are trusted, as an operator would for an internal mirror.
    """
    addresses = pypi_addresses()
    if not addresses:
        pytest.skip("pypi.org does not resolve on this host: no route to the public index")
    inward = tuple(f"{a}/{32 if ':' not in a else 128}" for a in addresses if not ipaddress.ip_address(a).is_global)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "requirements.txt").write_text("iniconfig\n")
    builder = EnvBuilder(
        backend=BubblewrapBackend(),
        cache_dir=tmp_path / "cache",
        interpreters=[i for i in interpreters if i.prefix == Path(sys.base_prefix)] or interpreters,
        index=IndexSettings(trusted_networks=inward),
        extra_packages=(),
    )
    env = builder.ensure(repo)
    assert list(env.path.glob("lib/python*/site-packages/iniconfig/__init__.py"))
