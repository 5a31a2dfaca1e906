"""Fetching releases with real pip from a local find-links directory."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from migrations.errors import ArchiveError, ReleaseNotFound
from migrations.pypi import download_release, fetch_release, find_top_level, unpack, unpack_release


def make_wheel(directory: Path, name: str = "tinypkg", version: str = "1.0") -> Path:
    wheel = directory / f"{name}-{version}-py3-none-any.whl"
    dist = f"{name}-{version}.dist-info"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(f"{name}/__init__.py", "def hello(who):\n    return who\n")
        zf.writestr(f"{dist}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        zf.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr(f"{dist}/top_level.txt", f"{name}\n")
        zf.writestr(f"{dist}/RECORD", "")
    return wheel


def local_index(tmp_path: Path) -> tuple[str, ...]:
    links = tmp_path / "links"
    links.mkdir(exist_ok=True)
    make_wheel(links)
    return ("--no-index", "--find-links", str(links))


def test_fetch_unpacks_a_wheel(tmp_path: Path) -> None:
    """A wheel is downloaded with pip and unpacked with its top-level package found."""
    release = fetch_release("tinypkg", "1.0", tmp_path / "cache", index_args=local_index(tmp_path), pythons=())
    assert release.is_wheel and release.top_level == ("tinypkg",)
    assert (release.root / "tinypkg" / "__init__.py").is_file()


def test_fetch_is_idempotent(tmp_path: Path) -> None:
    """A second fetch reuses the cache without calling pip (no index is given the second time)."""
    first = fetch_release("tinypkg", "1.0", tmp_path / "cache", index_args=local_index(tmp_path), pythons=())
    second = fetch_release("tinypkg", "1.0", tmp_path / "cache", index_args=("--no-index",), pythons=())
    assert first == second
    assert not [p for p in (tmp_path / "cache" / "unpacked").iterdir() if p.name.startswith(".")]


def test_download_is_kept_and_reused_without_pip(tmp_path: Path) -> None:
    """The archive is downloaded once; a second call finds it from its record, with no index at all."""
    first = download_release("tinypkg", "1.0", tmp_path / "cache", index_args=local_index(tmp_path), pythons=())
    second = download_release("tinypkg", "1.0", tmp_path / "cache", index_args=("--no-index",), pythons=())
    assert first == second and first.name == "tinypkg-1.0-py3-none-any.whl" and first.is_file()


def test_unpack_release_into_a_fresh_cache_needs_no_download(tmp_path: Path) -> None:
    """A kept archive unpacks into another cache directory (a cold analysis with the download cached)."""
    archive = download_release("tinypkg", "1.0", tmp_path / "dl", index_args=local_index(tmp_path), pythons=())
    release = unpack_release("tinypkg", "1.0", archive, tmp_path / "cold")
    assert release.root == tmp_path / "cold" / "unpacked" / "tinypkg-1.0"
    assert release.top_level == ("tinypkg",)


def test_missing_release_raises_release_not_found(tmp_path: Path) -> None:
    """An absent version is a ReleaseNotFound naming the package and version."""
    with pytest.raises(ReleaseNotFound, match=r"tinypkg==9\.9"):
        fetch_release("tinypkg", "9.9", tmp_path / "cache", index_args=local_index(tmp_path), pythons=())


def test_unpack_refuses_escaping_members(tmp_path: Path) -> None:
    """A zip member with .. in its path is rejected."""
    bad = tmp_path / "bad.whl"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("../evil.py", "x = 1\n")
    with pytest.raises(ArchiveError):
        unpack(bad, tmp_path / "out")


def test_top_level_skips_tests_and_setup(tmp_path: Path) -> None:
    """Only importable packages count as top-level names."""
    for rel in ("lib/__init__.py", "tests/__init__.py", "setup.py", "single.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    assert find_top_level(tmp_path) == ("lib", "single")
