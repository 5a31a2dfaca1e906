"""Tests for memory.conventions."""

from __future__ import annotations

from memory.conventions import mine_conventions
from memory.model import FileChange, Unit

TEXTS = {
    "pkg/errors.py": 'class PkgError(Exception):\n    """Base."""\n\n\nclass NotFound(PkgError):\n    pass\n',
    "pkg/core.py": (
        "import logging\nlog = logging.getLogger(__name__)\n\n\ndef run(x: int) -> int:\n"
        '    """Run.\n\n    Args:\n        x: value\n    """\n    try:\n        return x\n'
        "    except KeyError as exc:\n        raise NotFound(str(x)) from exc\n"
    ),
    "tests/test_core.py": "def test_run():\n    assert True\n",
}
CONFIGS = {
    "pyproject.toml": "[tool.ruff]\nline-length = 100\n[tool.mypy]\nstrict = true\n",
    ".pre-commit-config.yaml": "repos:\n  - hooks:\n    - id: ruff\n    - id: mypy\n",
}


def _unit(title: str, paths: list[tuple[str, str]]) -> Unit:
    return Unit("s", "", "a", 0, title, (), [FileChange(p, p, status) for p, status in paths])


def test_profile_covers_tools_code_tests_errors_logging_changelog_and_titles() -> None:
    """Every part of the profile is mined from the texts, configs and units."""
    units = [
        _unit("Fix run for zero", [("pkg/core.py", "M"), ("changelog.d/1.bugfix", "A")]),
        _unit("Add NotFound", [("pkg/errors.py", "M"), ("changelog.d/2.feature", "A")]),
    ]
    profile = mine_conventions(TEXTS, CONFIGS, units)
    assert profile["formatters"]["ruff"] == {"line-length": 100}
    assert profile["formatters"]["pre-commit"] == ["mypy", "ruff"]
    assert profile["code"]["docstring_style"] == "google"
    assert profile["code"]["annotated_ratio"] == 1.0
    assert profile["tests"] == {
        "files": 1,
        "dirs": ["tests"],
        "naming": "test_*",
        "framework": "pytest",
        "conftest": False,
    }
    assert profile["exception_bases"][0] == "PkgError"
    assert profile["raise_from"] == 1
    assert profile["logging"] == ["logging.getLogger"]
    assert profile["changelog_fragments_dir"] == "changelog.d"
    assert profile["title"]["capitalized"] == 1.0
    assert profile["title"]["common_first_words"] == ["Fix", "Add"]
