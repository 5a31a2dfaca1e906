"""`migrate apply`: codemods and the declaration bump written to a checkout, tests run in the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from migrations.apply import plan_migration, write_atomically, write_migration
from migrations.cli import cli

from .test_cli import prefilled_cache, wheel

LOCAL_INDEX = Path("/opt/pypi/simple")


def checkout(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "requirements.txt").write_text("tinypkg==1.0\r\n")
    (repo / "m.py").write_text("from tinypkg import old_name\r\n\r\n\r\ndef go():\r\n    return old_name(1)\r\n")
    (repo / "other.py").write_text("import os\n")
    return repo


def test_plan_migration_reads_only(tmp_path: Path) -> None:
    """Planning computes the edits and the bump without touching the checkout."""
    cache, repo = prefilled_cache(tmp_path), checkout(tmp_path)
    before = {p.name: p.read_bytes() for p in repo.iterdir()}
    report = plan_migration(repo, "tinypkg", "2.0", cache)
    assert report.old == "1.0"
    assert set(report.edited_files) == {"m.py", "requirements.txt"}
    assert {p.name: p.read_bytes() for p in repo.iterdir()} == before


def test_write_migration_keeps_newlines_and_mode(tmp_path: Path) -> None:
    """Written files keep their CRLF newlines and permissions, and nothing else is touched."""
    cache, repo = prefilled_cache(tmp_path), checkout(tmp_path)
    (repo / "m.py").chmod(0o755)
    written = write_migration(repo, plan_migration(repo, "tinypkg", "2.0", cache))
    assert written == ["m.py", "requirements.txt"]
    assert (
        repo / "m.py"
    ).read_bytes() == b"from tinypkg import new_name\r\n\r\n\r\ndef go():\r\n    return new_name(1)\r\n"
    assert (repo / "requirements.txt").read_bytes() == b"tinypkg==2.0\r\n"
    assert (repo / "m.py").stat().st_mode & 0o777 == 0o755
    assert sorted(p.name for p in repo.iterdir()) == ["m.py", "other.py", "requirements.txt"]


def test_write_atomically_leaves_no_temp_file_on_error(tmp_path: Path) -> None:
    """A failed write leaves the old file and no temporary file behind."""
    target = tmp_path / "f.py"
    target.write_text("old\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(target, "\udcff")
    assert target.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["f.py"]


def test_apply_dry_run_prints_the_plan(tmp_path: Path) -> None:
    """`apply --dry-run` prints code edits and the bump, and writes nothing."""
    cache, repo = prefilled_cache(tmp_path), checkout(tmp_path)
    result = CliRunner().invoke(
        cli, ["apply", str(repo), "--package", "tinypkg", "--to", "2.0", "--cache", str(cache), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "m.py:1: renamed tinypkg.old_name" in result.output
    assert "requirements.txt:1: bump 'tinypkg==1.0' -> 'tinypkg==2.0'" in result.output
    assert "dry run" in result.output and "old_name" in (repo / "m.py").read_text()


def test_apply_runs_the_tests_in_the_sandbox(tmp_path: Path) -> None:
    """`apply --test` writes the migration and the repo's tests pass in bubblewrap with the new version."""
    if not LOCAL_INDEX.is_dir():
        pytest.skip("no local package index at /opt/pypi/simple")
    cache, repo = prefilled_cache(tmp_path), checkout(tmp_path)
    wheel(tmp_path / "links", "2.0", "def new_name(x):\n    return x + 1\n")
    (repo / "test_m.py").write_text("from m import go\n\n\ndef test_go():\n    assert go() == 2\n")
    args = ["apply", str(repo), "--package", "tinypkg", "--to", "2.0", "--cache", str(cache), "--test"]
    args += ["--sandbox-cache", str(tmp_path / "envs"), "--index-url", LOCAL_INDEX.as_uri()]
    args += ["--find-links", str(tmp_path / "links"), "--python-dir", "/usr/bin"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "tests with tinypkg==2.0: verdict=ok exit=0; 1 passed" in result.output
