"""Fixtures for migrations tests: tiny real packages on disk, analysed by real griffe."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from migrations.loader import load_surface
from migrations.surface import ApiSurface

SurfaceFactory = Callable[..., ApiSurface]


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    """Write `files` (relative path -> dedented text) under `root`."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


@pytest.fixture
def make_surface(tmp_path: Path) -> SurfaceFactory:
    """Build a package from a file map and return its surface."""
    counter = iter(range(1000))

    def build(files: Mapping[str, str], top_level: tuple[str, ...] = ("pkg",), version: str = "1.0") -> ApiSurface:
        root = write_tree(tmp_path / f"src{next(counter)}", files)
        return load_surface(root, top_level, "pkg", version)

    return build
