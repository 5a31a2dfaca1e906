"""Where package installs may come from: index URLs and find-links, as uv arguments and sandbox mounts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from sandbox.backends.base import Mount


@dataclass(frozen=True)
class IndexSettings:
    """Package sources for environment builds.

    Local sources (file:// URLs, paths) are mounted read-only and need no network; any http(s) source,
    or no index at all (uv's default, PyPI), shares the host network during the install step only.

    Usage:
        IndexSettings(index_url="file:///opt/pypi/simple", find_links=("/opt/wheels",))
    """

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()

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
