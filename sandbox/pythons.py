"""Find the Python interpreters on this machine and pick the one a repository requires."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from sandbox import process
from sandbox.errors import PythonNotFound

PROBE = "import json, sys; print(json.dumps([list(sys.version_info[:3]), sys.base_prefix, sys.executable]))"
NAMES = ("python3", *(f"python3.{minor}" for minor in range(20, 5, -1)))


@dataclass(frozen=True)
class Interpreter:
    """A CPython installation: its executable, version and prefix (mounted read-only into sandboxes)."""

    executable: Path
    version: str
    prefix: Path


def pyenv_dirs(pyenv_root: Path) -> list[Path]:
    """The bin directories of every version installed under a pyenv root."""
    return sorted((pyenv_root / "versions").glob("*/bin"))


def find_interpreters(search_dirs: Iterable[Path]) -> list[Interpreter]:
    """Every distinct interpreter (by prefix and version) found in `search_dirs`, newest first."""
    found: dict[tuple[str, Path], Interpreter] = {}
    seen: set[Path] = set()
    for directory in search_dirs:
        for name in NAMES:
            candidate = directory / name
            if candidate.is_file() and candidate.resolve() not in seen and not _is_shim(candidate):
                seen.add(candidate.resolve())
                interpreter = probe(candidate)
                if interpreter is not None:
                    found.setdefault((interpreter.version, interpreter.prefix), interpreter)
    return sorted(found.values(), key=lambda i: Version(i.version), reverse=True)


def probe(executable: Path) -> Interpreter | None:
    """Ask an interpreter for its version and prefix; None if it does not answer like CPython 3."""
    done = process.run([str(executable), "-I", "-c", PROBE], timeout_s=20, env={})
    if done.returncode != 0:
        return None
    try:
        version, prefix, real = json.loads(done.stdout)
    except ValueError:
        return None
    return Interpreter(executable=Path(real), version=".".join(map(str, version)), prefix=Path(prefix))


def choose(interpreters: Sequence[Interpreter], requirement: str | None) -> Interpreter:
    """The newest interpreter that satisfies `requirement` (a PEP 440 specifier); PythonNotFound otherwise."""
    available = [i.version for i in interpreters]
    try:
        spec = SpecifierSet(requirement or "")
    except InvalidSpecifier as exc:
        raise PythonNotFound(requirement or "", available) from exc
    for interpreter in interpreters:
        if spec.contains(interpreter.version, prereleases=True):
            return interpreter
    raise PythonNotFound(requirement or "any", available)


def _is_shim(path: Path) -> bool:
    """pyenv shims are shell scripts that pick a version from the working directory: skip them."""
    with path.open("rb") as handle:
        return handle.read(2) == b"#!"
