"""griffe's module finder for release trees (adapter around griffe): test suites shipped inside packages are
skipped, and directories without `__init__` inside a package are found as namespace modules.

Usage:
    loader = griffe.GriffeLoader(search_paths=[root], allow_inspection=False)
    loader.finder = no_tests_finder(root)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

TEST_PARTS = {"tests", "test", "conftest"}


def namespace_dirs(root: Path, name: str) -> list[Path]:
    """Directories inside the package without `__init__`: Python imports them as namespace packages."""
    base = root / name
    if not base.is_dir():
        return []
    found = []
    for path in base.rglob("*"):
        parts = path.relative_to(root).parts
        if path.is_dir() and all(p.isidentifier() for p in parts) and not TEST_PARTS & set(parts):
            if not (path / "__init__.py").is_file() and not (path / "__init__.pyi").is_file():
                found.append(path)
    return found


def no_tests_finder(root: Path) -> Any:
    """griffe's module finder, minus test suites shipped inside packages (`pkg/tests`, `conftest.py`):
    they are not API, and in pandas or numpy they are most of the code to parse."""
    import griffe

    class NoTestsFinder(griffe.ModuleFinder):
        def submodules(self, module: Any) -> list[Any]:
            found: list[Any] = [(p, path) for p, path in super().submodules(module) if not TEST_PARTS & set(p)]
            if isinstance(module.filepath, Path) and module.filepath.stem == "__init__":
                found += _namespace_modules(module.filepath.parent)
            return sorted(found, key=lambda item: len(item[0]))

    return NoTestsFinder([root])


class _NamespacePath(list[Path]):
    """A namespace module's directories (griffe's list-of-paths form) that also answers the `parents` and
    `stem` griffe's loader reads from a submodule path when the module sits below the top package's children."""

    @property
    def parents(self) -> Sequence[Path]:
        return self[0].parents

    @property
    def stem(self) -> str:
        return self[0].name


def _namespace_modules(package: Path) -> list[tuple[tuple[str, ...], _NamespacePath]]:
    """Directories without `__init__` inside the package that hold Python modules, as griffe namespace
    modules: griffe skips their contents, Python imports them (`flask/sansio/app.py`)."""
    found = []
    for directory in namespace_dirs(package.parent, package.name):
        if any(directory.rglob("*.py")) or any(directory.rglob("*.pyi")):
            found.append((directory.relative_to(package).parts, _NamespacePath([directory])))
    return found
