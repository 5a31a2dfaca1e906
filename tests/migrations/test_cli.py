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


def prefilled_cache(tmp_path: Path) -> Path:
    links, cache = tmp_path / "links", tmp_path / "cache"
    links.mkdir()
    wheel(links, "1.0", "def old_name(x):\n    pass\n")
    wheel(links, "2.0", "def new_name(x):\n    pass\n")
    for version in ("1.0", "2.0"):
        fetch_release("tinypkg", version, cache, index_args=("--no-index", "--find-links", str(links)), pythons=())
    return cache


def test_plan_reads_the_current_version_from_the_repo(tmp_path: Path) -> None:
    """Without --from, `plan` takes the version pinned in the repository's requirements."""
    cache, repo = prefilled_cache(tmp_path), tmp_path / "repo"
    repo.mkdir()
    (repo / "requirements.txt").write_text("tinypkg==1.0\n")
    (repo / "m.py").write_text("from tinypkg import old_name\n")
    result = CliRunner().invoke(cli, ["plan", str(repo), "--package", "tinypkg", "--to", "2.0", "--cache", str(cache)])
    assert result.exit_code == 0, result.output
    assert "tinypkg 1.0 (locked/pinned in requirements.txt:1)" in result.output
    assert "m.py:1: tinypkg.old_name: renamed" in result.output


def test_plan_without_any_version_asks_for_from(tmp_path: Path) -> None:
    """A repository that does not constrain the package makes `plan` ask for --from."""
    cache, repo = prefilled_cache(tmp_path), tmp_path / "repo"
    repo.mkdir()
    (repo / "requirements.txt").write_text("tinypkg\n")
    result = CliRunner().invoke(cli, ["plan", str(repo), "--package", "tinypkg", "--to", "2.0", "--cache", str(cache)])
    assert result.exit_code != 0 and "pass --from" in result.output
