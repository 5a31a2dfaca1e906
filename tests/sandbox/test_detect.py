"""Detection of Python and dependency declarations from manifest texts."""

from __future__ import annotations

import pytest

from sandbox.detect import Declaration, detect, is_manifest

PEP621 = """
[project]
name = "demo"
requires-python = ">=3.10"
dependencies = ["requests>=2", "attrs"]
[project.optional-dependencies]
test = ["pytest>=7"]
docs = ["sphinx"]
"""
POETRY = """
[tool.poetry]
name = "demo"
[tool.poetry.dependencies]
python = "^3.9"
click = "^8.1"
rich = { version = "~13.3", extras = ["jupyter"] }
local = { path = "../local" }
[tool.poetry.group.test.dependencies]
pytest = "*"
"""
PDM = """
[project]
name = "demo"
dependencies = ["six"]
[tool.pdm.dev-dependencies]
test = ["pytest"]
"""
HATCH = """
[project]
name = "demo"
dependencies = []
[tool.hatch.envs.default]
dependencies = ["coverage"]
"""
DYNAMIC = """
[project]
name = "demo"
dynamic = ["dependencies"]
"""
SETUP_CFG = """
[options]
python_requires = >=3.8
install_requires =
    six
    attrs>=20  # comment
[options.extras_require]
testing = pytest
"""
TOX = """
[testenv]
deps =
    pytest
    -rrequirements.txt
    mock
commands = pytest
"""


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"pyproject.toml": PEP621},
            Declaration(
                sources=("pep621",), python_requirement=">=3.10", requirements=("requests>=2", "attrs", "pytest>=7")
            ),
        ),
        (
            {"pyproject.toml": POETRY},
            Declaration(
                sources=("poetry",),
                python_requirement=">=3.9,<4",
                requirements=("click>=8.1,<9", "rich[jupyter]>=13.3,<13.4", "pytest"),
                notes=("poetry dependency local is skipped (optional, or not from a package index)",),
            ),
        ),
        ({"pyproject.toml": PDM}, Declaration(sources=("pep621", "pdm"), requirements=("six", "pytest"))),
        ({"pyproject.toml": HATCH}, Declaration(sources=("pep621", "hatch"), requirements=("coverage",))),
        ({"pyproject.toml": DYNAMIC}, Declaration(sources=("pep621",), install_project=True)),
        (
            {"setup.cfg": SETUP_CFG, "setup.py": "from setuptools import setup\nsetup()\n"},
            Declaration(
                sources=("setup.cfg",), python_requirement=">=3.8", requirements=("six", "attrs>=20", "pytest")
            ),
        ),
        ({"setup.py": "setup()"}, Declaration(sources=("setup.py",), install_project=True)),
        (
            {"requirements.txt": "six\n", "requirements-dev.txt": "pytest\n"},
            Declaration(sources=("requirements",), requirement_files=("requirements-dev.txt", "requirements.txt")),
        ),
        ({"tox.ini": TOX}, Declaration(sources=("tox",), requirements=("pytest", "mock"))),
        (
            {"pyproject.toml": PDM, "uv.lock": "version = 1\n"},
            Declaration(sources=("pep621", "pdm", "uv.lock"), requirements=("six", "pytest"), uv_lock=True),
        ),
        ({".python-version": "3.12\n"}, Declaration(python_requirement="==3.12.*")),
        ({}, Declaration()),
    ],
    ids=[
        "pep621",
        "poetry",
        "pdm",
        "hatch",
        "dynamic",
        "setup.cfg",
        "setup.py",
        "requirements",
        "tox",
        "uv.lock",
        "pyversion",
        "nothing",
    ],
)
def test_detect(files: dict[str, str], expected: Declaration) -> None:
    """Each way of declaring dependencies is read into the same Declaration shape."""
    assert detect(files) == expected


def test_nox_and_poetry_lock_are_noted() -> None:
    """Manifests that are detected but not interpreted say so in notes."""
    declaration = detect({"noxfile.py": "", "poetry.lock": "", "pyproject.toml": POETRY})
    assert "nox" in declaration.sources and "poetry.lock" in declaration.sources
    assert any("noxfile.py" in note for note in declaration.notes)


@pytest.mark.parametrize(
    ("path", "expected"),
    [("pyproject.toml", True), ("requirements-test.txt", True), ("requirements/base.txt", True), ("src/x.py", False)],
)
def test_is_manifest(path: str, expected: bool) -> None:
    """Only dependency manifests count for detection and the cache key."""
    assert is_manifest(path) is expected
