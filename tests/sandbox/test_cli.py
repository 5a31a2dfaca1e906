"""`organic-pr sandbox run` and `organic-pr sandbox env` against a real checkout."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from click.testing import CliRunner

from sandbox.cli import cli
from tests.sandbox.helpers import LOCAL_INDEX


@pytest.fixture(autouse=True)
def _reset_logging() -> Iterator[None]:
    """The CLI configures structlog for the process, as a program's entry point does: undo it after each test."""
    yield
    structlog.reset_defaults()


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    (root / "tests").mkdir(parents=True)
    (root / "requirements.txt").write_text("iniconfig\n")
    (root / "tests" / "test_x.py").write_text("def test_a():\n    assert 1\n\ndef test_b():\n    assert 0\n")
    return root


def common(tmp_path: Path) -> list[str]:
    if not LOCAL_INDEX.is_dir():
        pytest.skip("no local package index")
    return [
        "--cache-dir",
        str(tmp_path / "cache"),
        "--index-url",
        LOCAL_INDEX.as_uri(),
        "--python-dir",
        str(Path(sys.base_prefix) / "bin"),
    ]


def test_run_pytest_reports_per_test_results(checkout: Path, tmp_path: Path) -> None:
    """`run PATH -- pytest` prints per-test outcomes and exits 1 when a test fails."""
    result = CliRunner().invoke(cli, ["run", str(checkout), *common(tmp_path), "--json", "--", "pytest", "-q"])
    data = json.loads(result.stdout)
    assert result.exit_code == 1
    assert data["run"]["verdict"] == "failed"
    assert {t["node_id"]: t["outcome"] for t in data["tests"]} == {
        "tests/test_x.py::test_a": "passed",
        "tests/test_x.py::test_b": "failed",
    }


def test_run_other_command(checkout: Path, tmp_path: Path) -> None:
    """A command other than pytest runs as given, in the sandbox."""
    result = CliRunner().invoke(cli, ["run", str(checkout), *common(tmp_path), "--", "python", "-c", "print('inside')"])
    assert result.exit_code == 0 and "inside" in result.output and "verdict=ok" in result.output


def test_env_shows_versions_and_api(checkout: Path, tmp_path: Path) -> None:
    """`env PATH --api M` shows the installed versions and M's public signatures."""
    result = CliRunner().invoke(cli, ["env", str(checkout), *common(tmp_path), "--api", "iniconfig", "--json"])
    data = json.loads(result.stdout)
    assert result.exit_code == 0, result.output
    assert "iniconfig" in data["distributions"] and data["declaration"]["sources"] == ["requirements"]
    assert any(member["name"] == "IniConfig" for member in data["api"][0]["members"])


def test_env_reports_missing_python(tmp_path: Path) -> None:
    """A repo requiring an absent Python fails with a clear message."""
    root = tmp_path / "old"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "x"\nrequires-python = "<3"\n')
    result = CliRunner().invoke(cli, ["env", str(root), *common(tmp_path)])
    assert result.exit_code == 1 and "requires Python <3" in result.output
