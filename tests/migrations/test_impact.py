"""Call sites of changed APIs in a repository."""

from __future__ import annotations

from pathlib import Path

from migrations.diff import ChangeKind, diff_surfaces
from migrations.impact import scan_repo

from .conftest import SurfaceFactory, write_tree


def test_call_sites_are_listed_with_binding(make_surface: SurfaceFactory, tmp_path: Path) -> None:
    """Imports and calls of a removed function and a changed signature are found, with bind verdicts."""
    old = make_surface({"pkg/__init__.py": "def gone():\n    pass\ndef f(a, b=1):\n    pass\n"})
    new = make_surface({"pkg/__init__.py": "def f(a):\n    pass\n"}, version="2")
    repo = write_tree(
        tmp_path / "repo",
        {
            "app.py": "import pkg\nfrom pkg import gone\npkg.f(1)\npkg.f(1, b=2)\n",
            ".venv/x.py": "import pkg\npkg.gone()\n",
        },
    )
    sites = scan_repo(repo, diff_surfaces(old, new), old, new)
    assert [(s.file, s.line, s.change.kind, s.binds) for s in sites] == [
        ("app.py", 2, ChangeKind.REMOVED, None),
        ("app.py", 3, ChangeKind.PARAM_REMOVED, True),
        ("app.py", 4, ChangeKind.PARAM_REMOVED, False),
    ]
