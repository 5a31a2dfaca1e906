"""Releases for a campaign: the newest version inside the range, both releases in the migrations cache, and the
changelog excerpt between them (adapter over `pip download` and migrations.pypi).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

from bot.campaigns.changelog import changelog_text, excerpt
from bot.campaigns.errors import ReleaseResolutionError
from migrations.pypi import fetch_release

__all__ = ["IndexOptions", "changelog_between", "prefetch", "resolve_version"]

TIMEOUT_S = 300.0


@dataclass(frozen=True)
class IndexOptions:
    """Where releases come from (the machine's pip configuration when both are empty)."""

    index_url: str | None = None
    find_links: tuple[str, ...] = ()

    def pip_args(self) -> list[str]:
        args = ["--index-url", self.index_url] if self.index_url else []
        for link in self.find_links:
            args += ["--find-links", link]
        return args


def resolve_version(package: str, specifier: str, index: IndexOptions, *, pip: Sequence[str] = ()) -> str:
    """The newest release of `package` inside `specifier` that the index offers (wheel first, then sdist)."""
    argv = [*(pip or (sys.executable, "-m", "pip")), "download", "--no-deps", "--quiet", *index.pip_args()]
    errors = []
    for extra in (["--only-binary=:all:"], ["--no-binary=:all:", "--no-build-isolation"]):
        with tempfile.TemporaryDirectory(prefix="organic-pr-resolve-") as tmp:
            try:
                proc = subprocess.run(
                    [*argv, "--dest", tmp, *extra, f"{package}{specifier}"],
                    capture_output=True,
                    text=True,
                    timeout=TIMEOUT_S,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise ReleaseResolutionError(f"pip download {package}{specifier} timed out") from exc
            versions = [v for p in Path(tmp).iterdir() if (v := _version_of(p.name, package))]
            if proc.returncode == 0 and versions:
                return str(max(versions))
            errors.append(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"rc={proc.returncode}")
    raise ReleaseResolutionError(f"no release of {package} matches {specifier!r}: {errors[-1]}")


def _version_of(filename: str, package: str) -> Version | None:
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        return parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


def prefetch(package: str, versions: Sequence[str], cache_dir: Path, index: IndexOptions) -> None:
    """Bring each release into the migrations cache from the configured index (plan_migration then reads it)."""
    for version in versions:
        fetch_release(package, version, cache_dir, index_args=index.pip_args())


def changelog_between(package: str, old: str, new: str, cache_dir: Path, index: IndexOptions) -> str:
    """The sections of the new release's changelog after `old` up to `new` ("" when it carries none)."""
    release = fetch_release(package, new, cache_dir, index_args=index.pip_args())
    base = release.root.parent if not release.is_wheel and release.root.name == "src" else release.root
    return excerpt(changelog_text(base), old=old, new=new)
