"""Egress for package installs: an allow-listing HTTP CONNECT proxy on the host, and its relay in the sandbox.

Install steps run in the sandbox's own network namespace (only `lo`, which is not the host's loopback).
The only way out is a unix socket, bind-mounted into the sandbox, on which `EgressProxy` listens:
- it accepts `CONNECT host:port` only for the index endpoints (`IndexSettings.endpoints()`);
- it resolves the name itself and refuses any address that is loopback, private, link-local or otherwise
  not global (unless it lies in one of the index's `trusted_networks`; never loopback or link-local),
  then connects to exactly the address it checked;
- plain-HTTP requests are refused; every refusal is logged as `sandbox.egress_refused`;
- it bounds the number of connections and their idle time, and lives as long as the build (`egress_for`).

Inside the sandbox, `FORWARDER` (run with the sandbox's interpreter by `EgressProxy.wrap`) listens on
127.0.0.1 of the sandbox's namespace, relays each connection to the unix socket, and runs the command
with `HTTPS_PROXY`/`HTTP_PROXY` pointing at itself, `ALL_PROXY` unset and `NO_PROXY` empty.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import shutil
import socket
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import structlog

from sandbox.backends.base import Mount
from sandbox.errors import EnvironmentBuildError, SandboxError
from sandbox.index import IndexSettings

Resolver = Callable[[str, int], Awaitable[list[str]]]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

SOCKET_NAME = "egress.sock"
HEAD_LIMIT = 8192
HEAD_TIMEOUT_S = 30.0
CHUNK = 65536
RESOLVE_TIMEOUT_S = 15.0
CONNECT_TIMEOUT_S = 15.0
START_TIMEOUT_S = 10.0
REFUSED_EVENT = "sandbox.egress_refused"
SYSTEM_CA_FILE = Path("/etc/ssl/certs/ca-certificates.crt")

FORWARDER = r"""
import os, socket, subprocess, sys, threading

def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass

def serve(client, path):
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(path)
        back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
        back.start()
        pump(client, upstream)
        back.join()
    except OSError:
        pass
    finally:
        client.close()
        upstream.close()

def accept(listener, path):
    while True:
        client, _ = listener.accept()
        threading.Thread(target=serve, args=(client, path), daemon=True).start()

def main():
    path, command = sys.argv[1], sys.argv[3:]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    threading.Thread(target=accept, args=(listener, path), daemon=True).start()
    proxy = "http://127.0.0.1:%d" % listener.getsockname()[1]
    env = dict(os.environ)
    for name in ("ALL_PROXY", "all_proxy"):
        env.pop(name, None)
    env.update(HTTPS_PROXY=proxy, HTTP_PROXY=proxy, https_proxy=proxy, http_proxy=proxy, NO_PROXY="", no_proxy="")
    code = subprocess.call(command, env=env)
    sys.exit(128 - code if code < 0 else code)

main()
"""


@dataclass(frozen=True)
class Decision:
    """Whether one proxy request may pass, why, and where to connect if it may."""

    allowed: bool
    reason: str
    target: str = ""
    port: int = 0
    addresses: tuple[str, ...] = ()
    status: bytes = b"403 Forbidden"


@dataclass(frozen=True)
class EgressPolicy:
    """The endpoints installs may reach, and the non-global networks an endpoint may resolve into."""

    endpoints: frozenset[tuple[str, int]]
    trusted_networks: tuple[Network, ...] = ()

    @classmethod
    def for_index(cls, index: IndexSettings) -> EgressPolicy:
        plain = index.plain_http_sources()
        if plain:
            raise EnvironmentBuildError(f"plain-HTTP package sources are refused, use https: {', '.join(plain)}")
        networks = tuple(ipaddress.ip_network(net, strict=False) for net in index.trusted_networks)
        return cls(index.endpoints(), networks)

    def address_refusal(self, address: str) -> str | None:
        """Why `address` may not be reached, or None when it may."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return f"{address!r} is not an IP address"
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast:
            return f"{address} is a loopback, link-local, unspecified or multicast address"
        if ip.is_global or any(ip in net for net in self.trusted_networks):
            return None
        return f"{address} is not a global address"


def split_authority(authority: str) -> tuple[str, int] | None:
    """`host:port` (or `[v6]:port`) as a lower-case host without a trailing dot, and a port; None if malformed."""
    host, sep, port = authority.rpartition(":")
    if not sep or not port.isdigit() or not host:
        return None
    number = int(port)
    if not 0 < number < 65536:
        return None
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host.rstrip(".").lower(), number


async def system_resolve(host: str, port: int) -> list[str]:
    """The addresses the host's resolver gives for `host`, in its order, without duplicates."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def decide(request_line: str, policy: EgressPolicy, resolve: Resolver = system_resolve) -> Decision:
    """Judge one request line: only CONNECT to an allow-listed endpoint whose every address may be reached."""
    parts = request_line.split()
    if len(parts) != 3 or parts[0].upper() != "CONNECT":
        reason = "only CONNECT tunnels are allowed (plain HTTP is refused)"
        return Decision(False, reason, request_line[:200], status=b"405 Method Not Allowed")
    found = split_authority(parts[1])
    if found is None:
        return Decision(False, "malformed CONNECT target", parts[1][:200])
    host, port = found
    if (host, port) not in policy.endpoints:
        return Decision(False, "not a package index endpoint", host, port)
    try:
        addresses = await asyncio.wait_for(resolve(host, port), RESOLVE_TIMEOUT_S)
    except (TimeoutError, OSError) as exc:
        return Decision(False, f"cannot resolve: {exc}", host, port)
    refusals = [reason for reason in map(policy.address_refusal, addresses) if reason]
    if refusals or not addresses:
        return Decision(False, refusals[0] if refusals else "no address", host, port, tuple(addresses))
    return Decision(True, "allowed", host, port, tuple(addresses))


class _Activity:
    """The last time either direction of one tunnel moved a byte."""

    def __init__(self) -> None:
        self.last = asyncio.get_running_loop().time()

    def touch(self) -> None:
        self.last = asyncio.get_running_loop().time()

    def idle_for(self) -> float:
        return asyncio.get_running_loop().time() - self.last


class EgressProxy:
    """The host side: a CONNECT proxy on a unix socket in a private directory, served from its own thread.

    Usage:
        with EgressProxy(EgressPolicy.for_index(index)) as proxy:
            spec = SandboxSpec(argv=tuple(proxy.wrap(python, argv)), mounts=(*mounts, *proxy.mounts()), ...)
    """

    def __init__(
        self,
        policy: EgressPolicy,
        *,
        max_connections: int = 64,
        idle_timeout_s: float = 120.0,
        resolve: Resolver = system_resolve,
    ) -> None:
        self.policy = policy
        self.max_connections = max_connections
        self.idle_timeout_s = idle_timeout_s
        self.resolve = resolve
        self.directory = Path()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._active = 0

    def __enter__(self) -> EgressProxy:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def socket_path(self) -> Path:
        return self.directory / SOCKET_NAME

    def start(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="organic-pr-egress-"))
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),), name="egress-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S) or self._error is not None:
            self.stop()
            raise SandboxError(f"the egress proxy did not start: {self._error}") from self._error

    def stop(self) -> None:
        alive = self._thread is not None and self._thread.is_alive()
        if alive and self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nothing left to stop
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(START_TIMEOUT_S)
        if self.directory != Path():
            shutil.rmtree(self.directory, ignore_errors=True)

    def mounts(self) -> tuple[Mount, ...]:
        return (Mount(self.directory),)

    def wrap(self, python: Path | str, argv: Sequence[str]) -> list[str]:
        """`argv` run behind the in-sandbox forwarder, started by `python` (isolated mode: no cwd on sys.path)."""
        return [str(python), "-I", "-c", FORWARDER, str(self.socket_path), "--", *argv]

    async def _main(self) -> None:
        try:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            server = await asyncio.start_unix_server(self._handle, path=str(self.socket_path), limit=HEAD_LIMIT)
        except OSError as exc:  # reported by start(), in the caller's thread
            self._error = exc
            return
        finally:
            self._ready.set()
        await self._stop.wait()
        server.close()
        handlers = list(self._handlers)
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        await server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None  # noqa: S101 - a stream handler always runs in a task
        self._handlers.add(task)
        self._active += 1
        try:
            await self._serve(reader, writer)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self._active -= 1
            self._handlers.discard(task)
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._active > self.max_connections:  # refused before reading anything: idle openers hold nothing
            reason = f"more than {self.max_connections} connections"
            decision = Decision(False, reason, status=b"503 Service Unavailable")
        else:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_TIMEOUT_S)
            decision = await decide(head.split(b"\r\n", 1)[0].decode("latin-1"), self.policy, self.resolve)
        if not decision.allowed:
            await _refuse(writer, decision)
            return
        upstream = await _open(decision)
        if upstream is None:
            await _answer(writer, b"502 Bad Gateway", f"cannot connect to {decision.target}:{decision.port}")
            return
        await _answer(writer, b"200 Connection Established", "")
        await self._relay(reader, writer, *upstream)

    async def _relay(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        up_reader: asyncio.StreamReader,
        up_writer: asyncio.StreamWriter,
    ) -> None:
        activity = _Activity()
        pumps = [
            asyncio.create_task(self._pump(reader, up_writer, activity)),
            asyncio.create_task(self._pump(up_reader, writer, activity)),
        ]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            for task in pumps:
                task.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            up_writer.close()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, activity: _Activity) -> None:
        while True:
            try:
                data = await asyncio.wait_for(reader.read(CHUNK), self.idle_timeout_s)
            except TimeoutError:
                if activity.idle_for() >= self.idle_timeout_s:
                    raise
                continue
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            activity.touch()
            writer.write(data)
            await writer.drain()


async def _open(decision: Decision) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
    """A connection to the first checked address that answers; the name is never resolved again."""
    for address in decision.addresses:
        try:
            return await asyncio.wait_for(asyncio.open_connection(address, decision.port), CONNECT_TIMEOUT_S)
        except (TimeoutError, OSError):
            continue
    return None


async def _refuse(writer: asyncio.StreamWriter, decision: Decision) -> None:
    structlog.get_logger().warning(
        REFUSED_EVENT, target=decision.target, port=decision.port, reason=decision.reason, addresses=decision.addresses
    )
    await _answer(writer, decision.status, f"organic-pr egress refused: {decision.reason}")


async def _answer(writer: asyncio.StreamWriter, status: bytes, text: str) -> None:
    body = (text + "\n").encode() if text else b""
    headers = b"HTTP/1.1 " + status + b"\r\n"
    if body:
        headers += b"Content-Type: text/plain\r\nConnection: close\r\nContent-Length: %d\r\n" % len(body)
    writer.write(headers + b"\r\n" + body)
    await writer.drain()


def tls_env() -> dict[str, str]:
    """Point uv, pip and Python at the system CA store (mounted read-only), so a site's own CA is trusted too."""
    if not SYSTEM_CA_FILE.is_file():
        return {}
    return {"SSL_CERT_FILE": str(SYSTEM_CA_FILE), "SSL_CERT_DIR": str(SYSTEM_CA_FILE.parent)}


@contextmanager
def egress_for(index: IndexSettings) -> Iterator[EgressProxy | None]:
    """An egress proxy for the duration of one build when `index` has remote sources; None when all are local."""
    if not index.needs_network:
        yield None
        return
    with EgressProxy(EgressPolicy.for_index(index)) as proxy:
        yield proxy
