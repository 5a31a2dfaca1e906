"""Diffs of real griffe surfaces whose `__getattr__` shims are followed from the sources on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from migrations.diff import Change, ChangeKind, Severity, diff_surfaces
from migrations.followed import apply_dynamic_exports, apply_shims, source_reader
from migrations.loader import load_surface
from migrations.surface import ApiSurface

from .conftest import write_tree

Build = Callable[[dict[str, str]], ApiSurface]


@pytest.fixture
def build(tmp_path: Path) -> Build:
    """Write a package, analyse it with griffe and follow its shims."""
    counter = iter(range(100))

    def make(files: dict[str, str]) -> ApiSurface:
        root = write_tree(tmp_path / f"v{next(counter)}", files)
        read = source_reader(root)
        return apply_dynamic_exports(apply_shims(load_surface(root, ("pkg",), "pkg", "1"), read), read)

    return make


def summary(changes: list[Change]) -> list[tuple[str, ChangeKind, Severity]]:
    return [(c.api, c.kind, c.severity) for c in changes]


CLOSED = "def __getattr__(name):\n    if name == '__version__':\n        return '2'\n    raise AttributeError(name)\n"


def test_name_missing_behind_a_closed_shim_is_a_breaking_removal(build: Build) -> None:
    """A `__getattr__` that raises for every other name cannot serve the removed one."""
    changes = diff_surfaces(build({"pkg/__init__.py": "def keep():\n    pass\ndef gone():\n    pass\n"}),
                            build({"pkg/__init__.py": "def keep():\n    pass\n" + CLOSED}))  # fmt: skip
    assert summary(changes) == [("pkg.gone", ChangeKind.REMOVED, Severity.BREAKING)]


def test_name_served_through_a_shim_table_is_compared_with_its_target(build: Build) -> None:
    """A lazily imported name is followed to its module and compared there: no false break."""
    lazy = (
        "_lazy = {'helper': (__spec__.parent, '.impl')}\n"
        "def __getattr__(name):\n    spec = _lazy.get(name)\n    if spec is None:\n"
        "        raise AttributeError(name)\n    return getattr(import_module(spec[1], spec[0]), name)\n"
    )
    old = build({"pkg/__init__.py": "def helper(x, y=1):\n    pass\n"})
    new = build({"pkg/__init__.py": lazy, "pkg/impl.py": "def helper(x):\n    pass\n"})
    assert summary(diff_surfaces(old, new)) == [("pkg.helper", ChangeKind.PARAM_REMOVED, Severity.BREAKING)]


def test_removal_declared_by_the_shim_is_not_a_move(build: Build) -> None:
    """A name the shim raises for is removed even if a compat copy of it exists elsewhere."""
    new = {
        "pkg/__init__.py": "REMOVED = {'NoneStr'}\ndef __getattr__(name):\n    if name in REMOVED:\n"
        "        raise ImportError(name)\n    return fallback(name)\n",
        "pkg/v1.py": "NoneStr = None\n",
    }
    changes = diff_surfaces(build({"pkg/__init__.py": "NoneStr = None\n"}), build(new))
    assert summary(changes) == [("pkg.NoneStr", ChangeKind.REMOVED, Severity.BREAKING)]


def test_name_behind_an_unreadable_shim_stays_unverifiable(build: Build) -> None:
    """When the shim delegates to code that cannot be read, the name may still exist."""
    new = "from elsewhere import fallback\ndef __getattr__(name):\n    return fallback(name)\n"
    changes = diff_surfaces(build({"pkg/__init__.py": "old = 1\n"}), build({"pkg/__init__.py": new}))
    assert summary(changes) == [("pkg.old", ChangeKind.REMOVED, Severity.UNVERIFIABLE)]


def test_root_reexport_of_another_distribution_is_api(build: Build) -> None:
    """`from markupsafe import Markup` in the package root is public API; dropping it breaks callers."""
    old = build({"pkg/__init__.py": "from otherdist.text import Markup\nimport os\n"})
    new = build({"pkg/__init__.py": "import os\n" + CLOSED})
    assert summary(diff_surfaces(old, new)) == [("pkg.Markup", ChangeKind.REMOVED, Severity.BREAKING)]


def test_standard_library_reexport_is_not_api(build: Build) -> None:
    """`from typing import Dict` in the root is an implementation detail, not API."""
    old = build({"pkg/__init__.py": "from typing import Dict\nfrom __future__ import annotations\n"})
    assert diff_surfaces(old, build({"pkg/__init__.py": ""})) == []


def test_module_dunder_removed_behind_closed_shim(build: Build) -> None:
    """Packaging metadata like `__url__` is API; a stub may still declare it, the runtime does not."""
    old = build({"pkg/__init__.py": "__url__ = 'https://x'\n__version__ = '1'\n"})
    new = build({"pkg/__init__.py": CLOSED, "pkg/__init__.pyi": "__url__: str\n__version__: str\n"})
    assert summary(diff_surfaces(old, new)) == [("pkg.__url__", ChangeKind.REMOVED, Severity.BREAKING)]


def test_kwargs_pass_through_behind_a_shim_is_unverifiable(build: Build) -> None:
    """A parameter that now only reaches **kwargs of the shim's target is never a break."""
    lazy = "_lazy = {'f': 'pkg.impl:f'}\ndef __getattr__(name):\n    if name in _lazy:\n"
    lazy += "        return load(_lazy[name])\n    raise AttributeError(name)\n"
    old = build({"pkg/__init__.py": "def f(a, timeout=1):\n    pass\n"})
    new = build({"pkg/__init__.py": lazy, "pkg/impl.py": "def f(a, **kwargs):\n    pass\n"})
    assert summary(diff_surfaces(old, new)) == [("pkg.f", ChangeKind.PARAM_REMOVED, Severity.UNVERIFIABLE)]


def test_compiled_module_without_signatures_is_unverifiable(build: Build) -> None:
    """Members of a C extension without a stub cannot be judged, shim or not."""
    old = build({"pkg/__init__.py": "", "pkg/fast.py": "def go(x):\n    pass\n"})
    new = build({"pkg/__init__.py": "", "pkg/fast.cpython-311-x86_64-linux-gnu.so": "\0"})
    assert summary(diff_surfaces(old, new)) == [("pkg.fast.go", ChangeKind.REMOVED, Severity.UNVERIFIABLE)]


def test_root_with_computed_all_exports_its_public_looking_names(build: Build) -> None:
    """`__all__ += core.__all__` leaves the static list incomplete: a name it misses is still API."""
    old = build({
        "pkg/__init__.py": "from pkg import core\nfrom pkg.core import float_\nimport os\n__all__ = ['core']\n"
        "__all__ += core.__all__\n",
        "pkg/core.py": "__all__ = ['float_']\nfloat_ = float\n",
    })  # fmt: skip
    new = build({"pkg/__init__.py": "from pkg import core\n__all__ = ['core']\n", "pkg/core.py": "__all__ = []\n"})
    assert ("pkg.float_", ChangeKind.REMOVED, Severity.BREAKING) in summary(diff_surfaces(old, new))
    assert not any(c.api == "pkg.os" for c in diff_surfaces(old, new))


def test_static_all_keeps_unlisted_names_private(build: Build) -> None:
    """A literal `__all__` is the export list: an unlisted helper may go without a break."""
    old = build({"pkg/__init__.py": "__all__ = ['keep']\ndef keep():\n    pass\ndef helper():\n    pass\n"})
    new = build({"pkg/__init__.py": "__all__ = ['keep']\ndef keep():\n    pass\n"})
    assert diff_surfaces(old, new) == []


def test_name_a_shim_now_serves_from_another_object_is_a_soft_move(build: Build) -> None:
    """`pkg.generics.GenericModel` answered by `__getattr__` with `pkg.BaseModel` moved but still imports."""
    old = build(
        {"pkg/__init__.py": "class BaseModel:\n    pass\n", "pkg/generics.py": "class GenericModel:\n    pass\n"}
    )
    shim = "MOVED = {'pkg.generics:GenericModel': 'pkg.BaseModel'}\ndef __getattr__(name):\n"
    shim += "    path = f'{__name__}:{name}'\n    if path in MOVED:\n        return load(MOVED[path])\n"
    shim += "    raise AttributeError(name)\n"
    new = build({"pkg/__init__.py": "class BaseModel:\n    pass\n", "pkg/generics.py": shim})
    changes = diff_surfaces(old, new)
    assert [(c.api, c.kind, c.severity, c.replacement) for c in changes] == [
        ("pkg.generics.GenericModel", ChangeKind.MOVED, Severity.SOFT, "pkg.BaseModel")
    ]


def test_beside_returns_the_work_after_the_child_process_finished(tmp_path: Path) -> None:
    """`beside` returns what the local work returned, and only once the process beside it has exited."""
    import sys

    from migrations.followed import beside

    done = tmp_path / "done"
    code = "import sys, time, pathlib; time.sleep(0.5); pathlib.Path(sys.argv[1]).write_text('ok')"
    assert beside([sys.executable, "-c", code, str(done)], lambda: done.exists()) is False
    assert done.read_text() == "ok"


def tiny_release_cache(tmp_path: Path, name: str) -> Path:
    """A release cache holding tinypkg 1.0 and 2.0, fetched from a local index (no network)."""
    import zipfile

    from migrations.pypi import fetch_release

    links, cache = tmp_path / f"{name}-links", tmp_path / name
    links.mkdir()
    for version, body in (("1.0", "def old_name(x):\n    pass\n"), ("2.0", "def new_name(x, y=1):\n    pass\n")):
        dist = f"tinypkg-{version}.dist-info"
        with zipfile.ZipFile(links / f"tinypkg-{version}-py3-none-any.whl", "w") as zf:
            zf.writestr("tinypkg/__init__.py", body)
            zf.writestr(f"{dist}/METADATA", f"Metadata-Version: 2.1\nName: tinypkg\nVersion: {version}\n")
            zf.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        fetch_release("tinypkg", version, cache, index_args=("--no-index", "--find-links", str(links)), pythons=())
    return cache


def test_followed_pair_in_two_processes_equals_the_serial_load(tmp_path: Path) -> None:
    """The parallel pair (old release analysed by a child process into the surface cache) equals the serial one."""
    from migrations.followed import followed_pair
    from migrations.loader import SURFACE_FORMAT

    cache = tiny_release_cache(tmp_path, "parallel")
    old, new = followed_pair("tinypkg", "1.0", "2.0", cache, parallel=True, min_bytes=0)
    assert (cache / "surfaces" / f"tinypkg-1.0.v{SURFACE_FORMAT}.json").is_file()
    assert "tinypkg.old_name" in old.objects and "tinypkg.new_name" in new.objects
    serial = followed_pair("tinypkg", "1.0", "2.0", tiny_release_cache(tmp_path, "serial"), parallel=False)
    assert (old.to_json(), new.to_json()) == (serial[0].to_json(), serial[1].to_json())


def test_beside_kills_the_child_when_the_work_fails(tmp_path: Path) -> None:
    """When the local work raises, the process beside it is killed instead of awaited."""
    import sys

    from migrations.followed import beside

    done = tmp_path / "done"
    code = "import sys, time, pathlib; time.sleep(30); pathlib.Path(sys.argv[1]).write_text('ok')"

    def fail() -> bool:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        beside([sys.executable, "-c", code, str(done)], fail)
    assert not done.exists()
