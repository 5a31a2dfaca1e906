"""Fetch a release from the package index with `pip download` and unpack it into a cache (adapter)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from migrations.errors import ArchiveError, ReleaseNotFound

CHANGELOG_NAMES = re.compile(r"^(changes|changelog|history|news|release[-_ ]?notes)(\.\w+)?$", re.IGNORECASE)
NOT_PACKAGES = {"test", "tests", "testing", "docs", "doc", "examples", "benchmarks", "setup", "conftest", "build"}
DEFAULT_PYTHONS = ("3.11", "3.10", "3.9", "3.8", "3.7")


@dataclass(frozen=True)
class Release:
    """One unpacked release: `root` is the directory to put on griffe's search path."""

    package: str
    version: str
    root: Path
    top_level: tuple[str, ...]
    is_wheel: bool
    changelog: Path | None


def normalize(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def fetch_release(
    package: str,
    version: str,
    cache_dir: Path,
    *,
    pip: Sequence[str] = (sys.executable, "-m", "pip"),
    pythons: Sequence[str] = DEFAULT_PYTHONS,
    allow_sdist: bool = True,
    index_args: Sequence[str] = (),
    timeout_s: float = 300,
) -> Release:
    """Download (once) and unpack `package==version`; later calls reuse the cache.

    Wheels are tried first for each Python in `pythons` (old releases have no cp311 wheels),
    then the sdist. The unpacked tree appears atomically: it is built in a temp dir and renamed.
    `index_args` are extra pip options (e.g. `--no-index --find-links DIR`); the machine's pip
    configuration applies otherwise.
    """
    if not _unpacked_dir(package, version, cache_dir).is_dir():
        archive = download_release(
            package, version, cache_dir, pip=pip, pythons=pythons, allow_sdist=allow_sdist,
            index_args=index_args, timeout_s=timeout_s,
        )  # fmt: skip
        return unpack_release(package, version, archive, cache_dir)
    return describe(package, version, _unpacked_dir(package, version, cache_dir))


def download_release(
    package: str,
    version: str,
    cache_dir: Path,
    *,
    pip: Sequence[str] = (sys.executable, "-m", "pip"),
    pythons: Sequence[str] = DEFAULT_PYTHONS,
    allow_sdist: bool = True,
    index_args: Sequence[str] = (),
    timeout_s: float = 300,
) -> Path:
    """The release's archive under `cache_dir/downloads`, fetched once (a small record names the file)."""
    record = cache_dir / "downloads" / f"{normalize(package)}-{version}.archive"
    if record.is_file() and (kept := record.parent / record.read_text().strip()).is_file():
        return kept
    cache_dir.mkdir(parents=True, exist_ok=True)
    pip_download = [*pip, "download", "--no-deps", "--quiet", *index_args]
    archive = _download(package, version, cache_dir, pip_download, pythons, allow_sdist, timeout_s)
    record.write_text(archive.name)
    return archive


def unpack_release(package: str, version: str, archive: Path, cache_dir: Path) -> Release:
    """Unpack `archive` (once) under `cache_dir/unpacked` and describe it; no network."""
    final = _unpacked_dir(package, version, cache_dir)
    if not final.is_dir():
        _unpack_atomically(archive, final)
    return describe(package, version, final)


def _unpacked_dir(package: str, version: str, cache_dir: Path) -> Path:
    return cache_dir / "unpacked" / f"{normalize(package)}-{version}"


def describe(package: str, version: str, final: Path) -> Release:
    """Build the `Release` record of an unpacked directory."""
    is_wheel = any(p.name.endswith(".dist-info") for p in final.iterdir())
    root = final if is_wheel else _sdist_root(final)
    changelog = _find_changelog(final if is_wheel else _single_child(final))
    return Release(package, version, root, find_top_level(root), is_wheel, changelog)


def _download(
    package: str,
    version: str,
    cache_dir: Path,
    pip: Sequence[str],
    pythons: Sequence[str],
    allow_sdist: bool,
    timeout_s: float,
) -> Path:
    attempts: list[list[str]] = [["--only-binary=:all:"]]
    attempts += [["--only-binary=:all:", "--python-version", py] for py in pythons]
    if allow_sdist:
        attempts.append(["--no-binary=:all:", "--no-build-isolation"])
    errors: list[str] = []
    for extra in attempts:
        with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".dl-") as tmp:
            argv = [*pip, "--dest", tmp, *extra, f"{package}=={version}"]
            try:
                proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, check=False)
            except subprocess.TimeoutExpired as exc:
                raise ReleaseNotFound(package, version, f"pip download timed out after {timeout_s}s") from exc
            files = list(Path(tmp).iterdir())
            if proc.returncode == 0 and len(files) == 1:
                kept = cache_dir / "downloads" / files[0].name
                kept.parent.mkdir(parents=True, exist_ok=True)
                os.replace(files[0], kept)
                return kept
            errors.append(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"rc={proc.returncode}")
    raise ReleaseNotFound(package, version, errors[-1] if errors else "")


def _unpack_atomically(archive: Path, final: Path) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=".unpack-"))
    try:
        unpack(archive, tmp)
        try:
            os.rename(tmp, final)
        except OSError:
            if not final.is_dir():  # lost a race only if the winner left a directory behind
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def unpack(archive: Path, dest: Path) -> None:
    """Extract a wheel/zip or tarball into `dest`, refusing members that escape it."""
    name = archive.name
    try:
        if name.endswith((".whl", ".zip")):
            with zipfile.ZipFile(archive) as zf:
                for member in zf.namelist():
                    if member.startswith("/") or ".." in Path(member).parts:
                        raise ArchiveError(f"{name}: unsafe member path {member!r}")
                zf.extractall(dest)  # noqa: S202 - every member path was checked just above
        elif name.endswith((".tar.gz", ".tgz", ".tar.bz2", ".tar")):
            with tarfile.open(archive) as tf:
                tf.extractall(dest, filter="data")
        else:
            raise ArchiveError(f"unknown archive format: {name}")
    except (zipfile.BadZipFile, tarfile.TarError, OSError) as exc:
        raise ArchiveError(f"cannot unpack {name}: {exc}") from exc


def _single_child(path: Path) -> Path:
    children = [p for p in path.iterdir() if p.is_dir()]
    return children[0] if len(children) == 1 else path


def _sdist_root(final: Path) -> Path:
    base = _single_child(final)
    src = base / "src"
    return src if src.is_dir() and find_top_level(src) else base


def find_top_level(root: Path) -> tuple[str, ...]:
    """Importable top-level names under `root` (packages and modules), tests and docs excluded."""
    names: set[str] = set()
    for dist_info in root.glob("*.dist-info"):
        top = dist_info / "top_level.txt"
        if top.is_file():
            names.update(n.strip().split("/")[0] for n in top.read_text().splitlines() if n.strip())
    for entry in root.iterdir():
        if entry.is_dir() and ((entry / "__init__.py").is_file() or (entry / "__init__.pyi").is_file()):
            names.add(entry.name)
        elif entry.suffix in (".py", ".pyi") and entry.is_file():
            names.add(entry.stem)
    found = {n for n in names if (root / n).is_dir() or any(root.glob(f"{n}.*"))}
    return tuple(sorted(n for n in found if n.isidentifier() and n not in NOT_PACKAGES))


def _find_changelog(base: Path) -> Path | None:
    for entry in sorted(base.iterdir()):
        if entry.is_file() and CHANGELOG_NAMES.match(entry.name):
            return entry
    docs = base / "docs"
    if docs.is_dir():
        for entry in sorted(docs.iterdir()):
            if entry.is_file() and CHANGELOG_NAMES.match(entry.name):
                return entry
    return None
