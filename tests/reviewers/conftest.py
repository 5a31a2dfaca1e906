"""Fixtures for reviewer tests: a small buggy project, its candidates, and a runner on the real sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewers.base import Candidate
from reviewers.diffs import make_diff
from reviewers.sandbox_runner import SandboxSuiteRunner
from sandbox.backends import BubblewrapBackend
from sandbox.envs import EnvBuilder
from sandbox.runner import TestRunner
from tests.llm.scripted import scripted_llm, scripted_llm_server
from tests.sandbox.helpers import bwrap_backend, env_builder, env_cache, interpreters, local_index

__all__ = [
    "bwrap_backend",
    "env_builder",
    "env_cache",
    "interpreters",
    "local_index",
    "scripted_llm",
    "scripted_llm_server",
]

CALC = '''def clamp(value, low, high):
    """Clamp value into [low, high]."""
    if value < low:
        return low
    if value > high:
        return value
    return value


def double(x):
    """Twice x."""
    return x * 2
'''
EXISTING_TESTS = """from calc import clamp, double


def test_clamp_low():
    assert clamp(-5, 0, 3) == 0


def test_double():
    assert double(4) == 8
"""
PROJECT = {
    "pyproject.toml": '[project]\nname = "calc"\nversion = "0.1"\ndependencies = []\n',
    "calc/__init__.py": CALC,
    "tests/__init__.py": "",
    "tests/test_calc.py": EXISTING_TESTS,
}
REPRO_HIGH = "from calc import clamp\n\n\ndef test_clamp_high():\n    assert clamp(9, 0, 3) == 3\n"
REPRO_LOW = "from calc import clamp\n\n\ndef test_clamp_low_again():\n    assert clamp(-1, 0, 3) == 0\n"


def edit(old: str, new: str, text: str = CALC) -> str:
    """A diff of calc/__init__.py replacing `old` by `new` once."""
    assert old in text
    return make_diff("calc/__init__.py", CALC, text.replace(old, new, 1))


GOOD = edit("        return value\n    return value", "        return high\n    return value")
WRONG = edit("if value > high:", "if value >= high:")
BREAKS = edit(
    "        return value\n    return value", "        return high\n    return value", CALC.replace("x * 2", "x * 3")
)


def candidates() -> list[Candidate]:
    """The good fix, an edit that leaves the bug, and a fix that breaks an existing test."""
    return [
        Candidate("good", GOOD, REPRO_HIGH, "tests/test_repro.py"),
        Candidate("wrong", WRONG, REPRO_LOW, "tests/test_repro.py"),
        Candidate("breaks", BREAKS, REPRO_HIGH, "tests/test_repro.py"),
    ]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for rel, text in PROJECT.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


@pytest.fixture
def suite_runner(env_builder: EnvBuilder, project: Path, tmp_path: Path) -> SandboxSuiteRunner:
    """A SuiteRunner on the real bubblewrap sandbox with an environment built by uv from the local index."""
    environment = env_builder.ensure(project)
    runner = TestRunner(backend=BubblewrapBackend(), max_parallel=2, work_dir=tmp_path)
    return SandboxSuiteRunner(runner, environment, project, work_dir=tmp_path)
