"""Finding interpreters and choosing the one a repository requires."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sandbox.errors import PythonNotFound
from sandbox.pythons import Interpreter, choose, find_interpreters, probe

FAKE = [
    Interpreter(Path("/p/3.13/bin/python3"), "3.13.0", Path("/p/3.13")),
    Interpreter(Path("/p/3.11/bin/python3"), "3.11.7", Path("/p/3.11")),
    Interpreter(Path("/p/3.9/bin/python3"), "3.9.18", Path("/p/3.9")),
]


@pytest.mark.parametrize(
    ("requirement", "expected"),
    [(None, "3.13.0"), (">=3.10,<3.12", "3.11.7"), ("==3.9.*", "3.9.18"), ("<3.10", "3.9.18")],
)
def test_choose_newest_match(requirement: str | None, expected: str) -> None:
    """The newest interpreter inside the requirement is chosen."""
    assert choose(FAKE, requirement).version == expected


def test_missing_version_names_what_exists() -> None:
    """A requirement no interpreter meets raises PythonNotFound listing what the machine has."""
    with pytest.raises(PythonNotFound, match=r"requires Python >=3.14; this machine has: 3.13.0, 3.11.7, 3.9.18"):
        choose(FAKE, ">=3.14")


def test_invalid_requirement_is_reported() -> None:
    """A requirement that is not a PEP 440 specifier is reported as unsatisfiable."""
    with pytest.raises(PythonNotFound):
        choose(FAKE, "three point twelve")


def test_probe_reads_a_real_interpreter() -> None:
    """Probing the running interpreter gives its version and base prefix."""
    found = probe(Path(sys.executable))
    assert found is not None
    assert found.version == ".".join(map(str, sys.version_info[:3])) and found.prefix == Path(sys.base_prefix)


def test_find_skips_shell_shims(tmp_path: Path) -> None:
    """Shell-script shims (pyenv) are not probed as interpreters."""
    shim = tmp_path / "python3"
    shim.write_text("#!/bin/sh\nexec false\n")
    shim.chmod(0o755)
    assert find_interpreters([tmp_path]) == []


def test_find_real_interpreters(interpreters: list[Interpreter]) -> None:
    """The machine's interpreters are found, newest first, without duplicates."""
    versions = [i.version for i in interpreters]
    assert ".".join(map(str, sys.version_info[:3])) in versions
    assert len(set(zip(versions, [i.prefix for i in interpreters], strict=True))) == len(versions)
