"""The migrate CLI against a local index (real pip, no network)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from click.testing import CliRunner

from migrations.cli import cli
from migrations.pypi import fetch_release


def wheel(links: Path, version: str, body: str) -> None:
    dist = f"tinypkg-{version}.dist-info"
    with zipfile.ZipFile(links / f"tinypkg-{version}-py3-none-any.whl", "w") as zf:
        zf.writestr("tinypkg/__init__.py", body)
        zf.writestr(f"{dist}/METADATA", f"Metadata-Version: 2.1\nName: tinypkg\nVersion: {version}\n")
        zf.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr(f"{dist}/RECORD", "")


def test_diff_and_plan_commands(tmp_path: Path) -> None:
    """`diff` prints the breaking change and `plan` the call site it hits."""
    links, cache, repo = tmp_path / "links", tmp_path / "cache", tmp_path / "repo"
    links.mkdir()
    repo.mkdir()
    wheel(links, "1.0", "def old_name(x):\n    pass\n")
    wheel(links, "2.0", "def new_name(x):\n    pass\n")
    for version in ("1.0", "2.0"):  # pre-fill the cache from the local index; the CLI then reuses it
        fetch_release("tinypkg", version, cache, index_args=("--no-index", "--find-links", str(links)), pythons=())
    (repo / "m.py").write_text("import tinypkg\ntinypkg.old_name(1)\n")
    runner = CliRunner()
    diff = runner.invoke(cli, ["diff", "tinypkg", "1.0", "2.0", "--cache", str(cache)])
    assert diff.exit_code == 0, diff.output
    assert "renamed" in diff.output and "tinypkg.new_name" in diff.output
    plan = runner.invoke(
        cli, ["plan", str(repo), "--package", "tinypkg", "--from", "1.0", "--to", "2.0", "--cache", str(cache)]
    )
    assert plan.exit_code == 0, plan.output
    assert "m.py:2: tinypkg.old_name: renamed" in plan.output
