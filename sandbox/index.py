"""Where package installs may come from: index URLs and find-links, as uv arguments and sandbox mounts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from sandbox.backends.base import Mount

PYPI_SIMPLE = "https://pypi.org/simple"
HTTPS_PORT = 443
# Indexes whose distribution files are served from another host.
FILE_HOSTS = {"pypi.org": "files.pythonhosted.org", "test.pypi.org": "test-files.pythonhosted.org"}


@dataclass(frozen=True)
class IndexSettings:
    """Package sources for environment builds.

    Local sources (file:// URLs, paths) are mounted read-only and need no network. Any https source, or
    no index at all (uv's default, PyPI), is reached during the install steps only, and only through the
    allow-listing egress proxy of `sandbox.egress`, which admits exactly `endpoints()`.
    `trusted_networks` lists networks (CIDR) an index host may resolve into although they are not global
    (an internal mirror, an egress gateway); loopback and link-local addresses are refused regardless.

    Usage:
        IndexSettings(index_url="file:///opt/pypi/simple", find_links=("/opt/wheels",))
        IndexSettings(index_url="https://mirror.corp/simple", trusted_networks=("10.20.0.0/16",))
    """

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    trusted_networks: tuple[str, ...] = ()

    def uv_args(self) -> list[str]:
        args: list[str] = []
        if self.index_url:
            args += ["--index-url", self.index_url]
        for url in self.extra_index_urls:
            args += ["--extra-index-url", url]
        for link in self.find_links:
            args += ["--find-links", link]
        return args

    @property
    def needs_network(self) -> bool:
        if self.index_url is None:
            return True
        return any(_local_path(source) is None for source in self.sources())

    def endpoints(self) -> frozenset[tuple[str, int]]:
        """The (host, port) pairs of the https sources, plus the file hosts of PyPI-like indexes."""
        sources = self.sources() if self.index_url else (PYPI_SIMPLE, *self.sources())
        found: set[tuple[str, int]] = set()
        for source in sources:
            parsed = urlparse(source)
            if parsed.scheme != "https" or not parsed.hostname:
                continue
            host = parsed.hostname.rstrip(".").lower()
            found.add((host, parsed.port or HTTPS_PORT))
            if host in FILE_HOSTS:
                found.add((FILE_HOSTS[host], HTTPS_PORT))
        return frozenset(found)

    def plain_http_sources(self) -> tuple[str, ...]:
        """Sources served over plain HTTP, which the egress proxy refuses."""
        return tuple(source for source in self.sources() if urlparse(source).scheme == "http")

    def sources(self) -> tuple[str, ...]:
        return (*([self.index_url] if self.index_url else []), *self.extra_index_urls, *self.find_links)

    def mounts(self) -> list[Mount]:
        """Read-only mounts for local sources; a simple index's parent is mounted, as its links are relative."""
        mounts = []
        for source in self.sources():
            path = _local_path(source)
            if path is None or not path.exists():
                continue
            mounts.append(Mount(path.parent if path.name == "simple" else path))
        return mounts


def _local_path(source: str) -> Path | None:
    parsed = urlparse(source)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme == "" and source.startswith("/"):
        return Path(source)
    return None
