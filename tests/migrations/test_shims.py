"""Reading module `__getattr__` shims statically: answered names, raised names, closed shims."""

from __future__ import annotations

import textwrap

import pytest

from migrations.shims import Shim, Source, read_shim


def reader(files: dict[str, str]) -> object:
    """A SourceReader over in-memory modules (`pkg` is a package, others plain modules)."""

    def read(module: str) -> Source | None:
        text = files.get(module)
        return None if text is None else Source(textwrap.dedent(text), is_package="." not in module)

    return read


def shim_of(files: dict[str, str], module: str = "pkg") -> Shim | None:
    read = reader(files)
    source = read(module)  # type: ignore[operator]
    assert source is not None
    return read_shim(module, source, read)  # type: ignore[arg-type]


def test_module_without_getattr_has_no_shim() -> None:
    """A module with no `__getattr__` has no shim to read."""
    assert shim_of({"pkg": "x = 1\n"}) is None


@pytest.mark.parametrize(
    ("body", "answers", "raises", "closed"),
    [
        ("if name == 'a':\n        return 1\n    raise AttributeError(name)", {"a"}, set(), True),
        ("if name == 'gone':\n        raise ImportError('removed')\n    return 2", set(), {"gone"}, False),
        ("if name in ('a', 'b'):\n        return 1\n    raise AttributeError(name)", {"a", "b"}, set(), True),
        ("if name not in ('v',):\n        raise AttributeError(name)\n    return 1", {"v"}, set(), True),
        ("if name.startswith('x'):\n        return 1\n    raise AttributeError(name)", set(), set(), False),
        ("if name == 'a' or name == 'b':\n        raise AttributeError(name)\n    return 0", set(), {"a", "b"}, False),
        ("warn(name)", set(), set(), False),
    ],
)
def test_branches_on_the_name(body: str, answers: set[str], raises: set[str], closed: bool) -> None:
    """Each `if` on the requested name answers, removes, or leaves the shim open."""
    shim = shim_of({"pkg": f"def __getattr__(name):\n    {body}\n"})
    assert shim is not None
    assert (set(shim.answers), shim.raises, shim.closed) == (answers, raises, closed)


def test_lookup_table_maps_names_to_modules() -> None:
    """`TABLE.get(name)` with `(package, ".mod")` values answers each key from that module."""
    text = """
        _lazy = {'Thing': (__spec__.parent, '.things'), 'other': (__spec__.parent, '.more')}
        def __getattr__(name):
            found = _lazy.get(name)
            if found is None:
                raise AttributeError(name)
            return getattr(import_module(found[1], found[0]), name)
    """
    shim = shim_of({"pkg": text})
    assert shim is not None
    assert shim.answers == {"Thing": "pkg.things.Thing", "other": "pkg.more.other"}
    assert shim.closed


def test_elif_chain_with_imports_names_the_target_module() -> None:
    """`import pkg.sub as sub; return sub` answers with the imported module's path."""
    text = """
        if True:
            def __getattr__(attr):
                if attr == "sub":
                    import pkg.sub as sub
                    return sub
                elif attr == "old":
                    raise AttributeError("old was removed")
                raise AttributeError(attr)
    """
    shim = shim_of({"pkg": text})
    assert shim is not None
    assert (shim.answers, shim.raises, shim.closed) == ({"sub": "pkg.sub"}, {"old"}, True)


def test_removal_table_imported_from_a_sibling_module() -> None:
    """A table imported from another module of the package is read there."""
    files = {
        "pkg": "from ._expired import EXPIRED\ndef __getattr__(n):\n    if n in EXPIRED:\n"
        "        raise AttributeError(EXPIRED[n])\n    raise AttributeError(n)\n",
        "pkg._expired": "EXPIRED = {'float_': 'use float64', 'NaN': 'use nan'}\n",
    }
    shim = shim_of(files)
    assert shim is not None
    assert (shim.raises, shim.closed) == ({"float_", "NaN"}, True)


def test_factory_fallback_with_module_qualified_tables() -> None:
    """`__getattr__ = make(__name__)` is read through the factory's inner function and its tables."""
    files = {
        "pkg.config": "from ._migration import getattr_migration\n__getattr__ = getattr_migration(__name__)\n",
        "pkg._migration": """
            MOVED = {'pkg.config:Old': 'pkg.newmod:New', 'pkg.other:X': 'pkg.y:X'}
            REMOVED = {'pkg.config:get_config', 'pkg.other:gone'}
            def getattr_migration(module):
                def wrapper(name):
                    import_path = f'{module}:{name}'
                    if import_path in MOVED.keys():
                        return import_string(MOVED[import_path])
                    if import_path in REMOVED:
                        raise ImportError(import_path)
                    raise AttributeError(name)
                return wrapper
        """,
    }
    shim = shim_of(files, "pkg.config")
    assert shim is not None
    assert (shim.answers, shim.raises, shim.closed) == ({"Old": "pkg.newmod.New"}, {"get_config"}, True)


def test_delegating_to_an_unreadable_fallback_stays_open() -> None:
    """A fallback that cannot be read leaves every other name unverifiable."""
    text = "from elsewhere import fallback\ndef __getattr__(name):\n    return fallback(name)\n"
    shim = shim_of({"pkg": text})
    assert shim is not None
    assert not shim.closed
