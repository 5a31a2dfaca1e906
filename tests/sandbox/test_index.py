"""Package sources: uv arguments, mounts for local indexes, and when network is needed."""

from __future__ import annotations

from pathlib import Path

from sandbox.backends.base import Mount
from sandbox.index import IndexSettings


def test_uv_args_carry_every_source() -> None:
    """Index, extra indexes and find-links all become uv arguments."""
    settings = IndexSettings(index_url="https://a/simple", extra_index_urls=("https://b/simple",), find_links=("/w",))
    assert settings.uv_args() == [
        "--index-url", "https://a/simple", "--extra-index-url", "https://b/simple", "--find-links", "/w",
    ]  # fmt: skip


def test_local_index_needs_no_network_and_mounts_its_parent(tmp_path: Path) -> None:
    """A file:// simple index is mounted (with its files/ sibling) and needs no network."""
    (tmp_path / "simple").mkdir()
    settings = IndexSettings(index_url=(tmp_path / "simple").as_uri(), find_links=(str(tmp_path),))
    assert not settings.needs_network
    assert settings.mounts() == [Mount(tmp_path), Mount(tmp_path)]


def test_default_index_needs_network() -> None:
    """With no index configured, uv's default (PyPI) is used, over the network."""
    assert IndexSettings().needs_network


def test_remote_extra_index_needs_network(tmp_path: Path) -> None:
    """Any http(s) source turns on the network for the install step."""
    assert IndexSettings(index_url=tmp_path.as_uri(), extra_index_urls=("https://x/simple",)).needs_network
