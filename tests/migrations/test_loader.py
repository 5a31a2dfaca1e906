"""Static surfaces from griffe: inheritance through memoised MROs, shared records for re-exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrations.loader import load_surface
from migrations.surface import Kind, Status

from .conftest import SurfaceFactory, write_tree

HIERARCHY = {
    "pkg/__init__.py": """
        from pkg.models import Base, Left, Right, Both, Plain
        __all__ = ["Base", "Left", "Right", "Both", "Plain"]
    """,
    "pkg/models.py": """
        class Base:
            def __init__(self, url, *, echo=False):
                self.url = url

            def run(self, query):
                return query

            def _hidden(self):
                return 1

        class Left(Base):
            pass

        class Right(Base):
            def run(self, query, timeout=5):
                return query

        class Both(Left, Right):
            pass

        class Plain:
            pass
    """,
}


def test_inherited_method_resolves_under_the_subclass(make_surface: SurfaceFactory) -> None:
    """A method defined on a base is found on the subclass and points back at its definition."""
    found = make_surface(HIERARCHY).resolve("pkg.Left.run")
    assert found.status == Status.FOUND and found.obj is not None
    assert found.obj.alias_of == "pkg.models.Base.run"
    assert found.obj.signature() == "(query)"


def test_diamond_follows_c3_order(make_surface: SurfaceFactory) -> None:
    """In a diamond, the override on the second base wins over the shared base, as Python's C3 MRO says."""
    found = make_surface(HIERARCHY).resolve("pkg.Both.run")
    assert found.obj is not None and found.obj.alias_of == "pkg.models.Right.run"
    assert found.obj.signature() == "(query, timeout = 5)"


def test_class_without_init_takes_the_inherited_signature(make_surface: SurfaceFactory) -> None:
    """A subclass with no `__init__` of its own is called like its nearest base."""
    found = make_surface(HIERARCHY).resolve("pkg.Both")
    assert found.obj is not None and found.obj.signature() == "(url, *, echo = False)"


def test_inherited_private_member_is_known_but_not_public(make_surface: SurfaceFactory) -> None:
    """Inherited underscore names resolve (call sites may use them) but stay out of the public API."""
    surface = make_surface(HIERARCHY)
    assert surface.resolve("pkg.Left._hidden").status == Status.FOUND
    assert "pkg.models.Left._hidden" not in {o.path for o in surface.public_api()}


def test_plain_class_has_no_inherited_members(make_surface: SurfaceFactory) -> None:
    """A class with no bases only knows its own members: anything else is missing."""
    assert make_surface(HIERARCHY).resolve("pkg.Plain.run").status == Status.MISSING


def test_inherited_getattr_makes_the_subclass_open(make_surface: SurfaceFactory) -> None:
    """A `__getattr__` on a base makes unknown members of the subclass unverifiable, not missing."""
    files = {
        "pkg/__init__.py": """
            class Dynamic:
                def __getattr__(self, name):
                    return name

            class Child(Dynamic):
                pass
        """
    }
    assert make_surface(files).resolve("pkg.Child.anything").status == Status.UNVERIFIABLE


def test_inheritance_cycle_does_not_sink_the_surface(make_surface: SurfaceFactory) -> None:
    """Classes that (statically) inherit from each other still load; their own members resolve."""
    files = {
        "pkg/__init__.py": """
            from pkg.a import A
            from pkg.b import B
        """,
        "pkg/a.py": """
            from pkg import b

            class A(b.B):
                def f(self):
                    pass
        """,
        "pkg/b.py": """
            from pkg import a

            class B(a.A):
                def g(self):
                    pass
        """,
    }
    surface = make_surface(files)
    assert surface.resolve("pkg.a.A.f").status == Status.FOUND
    assert surface.resolve("pkg.b.B.g").status == Status.FOUND


def test_reexported_function_shares_the_definition_record(make_surface: SurfaceFactory) -> None:
    """The public re-export carries the definition's signature and names it as its origin."""
    surface = make_surface(HIERARCHY)
    public, defined = surface.objects["pkg.Base"], surface.objects["pkg.models.Base"]
    assert public.params == defined.params and public.alias_of == "pkg.models.Base"
    assert defined.alias_of is None


def test_fully_modelled_package_reports_no_failed_members(tmp_path: Path) -> None:
    """`failed` (the crash count of the benchmark) stays empty when every member is analysed."""
    write_tree(tmp_path, {"pkg/__init__.py": "def f(a, b=1):\n    pass\n"})
    failed: list[str] = []
    surface = load_surface(tmp_path, ("pkg",), "pkg", "1.0", failed=failed)
    assert failed == [] and surface.resolve("pkg.f").status == Status.FOUND


def test_names_bound_at_run_time_resolve_but_are_not_public(make_surface: SurfaceFactory) -> None:
    """Unpacked, `global`-populated and `__all__`-only names are found (as unknown values), never reported."""
    files = {
        "pkg/__init__.py": """
            __all__ = ["Lazy", "Filled"]
            (NO_VALUE, NEVER_SET) = tuple(range(2))

            def _go():
                global Lazy
                from pkg.impl import Lazy
        """,
        "pkg/impl.py": "class Lazy:\n    pass\n",
    }
    surface = make_surface(files)
    for path in ("pkg.NO_VALUE", "pkg.Lazy", "pkg.Filled"):
        assert surface.resolve(path).status == Status.FOUND, path
    assert surface.resolve("pkg.Lazy.anything").status == Status.UNVERIFIABLE
    assert not {"pkg.NO_VALUE", "pkg.Lazy", "pkg.Filled"} & {o.path for o in surface.public_api()}


def test_test_suites_inside_the_package_are_not_loaded(make_surface: SurfaceFactory) -> None:
    """`tests` packages and `conftest` modules are skipped at any depth; a `testing` module is API."""
    files = {
        "pkg/__init__.py": "",
        "pkg/testing.py": "def assert_equal(a, b):\n    pass\n",
        "pkg/tests/__init__.py": "",
        "pkg/tests/test_core.py": "def test_x():\n    pass\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/tests/__init__.py": "",
        "pkg/conftest.py": "import pytest\n",
    }
    paths = set(make_surface(files).objects)
    assert "pkg.testing.assert_equal" in paths and "pkg.sub" in paths
    assert not [p for p in paths if ".tests" in p or "conftest" in p]


def test_overload_only_stub_methods_are_callables_without_signature(make_surface: SurfaceFactory) -> None:
    """Methods a .pyi stub declares only with @overload exist (signature unknown), also on subclasses."""
    stub = """
        from typing import overload

        class Array:
            @overload
            def find(self, sub: str) -> int: ...
            @overload
            def find(self, sub: bytes) -> int: ...

        class Sub(Array): ...
    """
    surface = make_surface({"pkg/__init__.py": "", "pkg/core.pyi": stub})
    for path in ("pkg.core.Array.find", "pkg.core.Sub.find"):
        found = surface.resolve(path)
        assert found.status == Status.FOUND and found.obj is not None, path
        assert found.obj.kind == Kind.METHOD and found.obj.params is None


def test_class_known_only_from_a_stub_has_unverifiable_unknown_members(make_surface: SurfaceFactory) -> None:
    """A stub class the .py does not define (compiled) and its Python subclasses are open; .py classes are not."""
    files = {
        "pkg/__init__.py": "",
        "pkg/core.py": "from pkg._native import Array\n\nclass Plain:\n    pass\n\nclass Sub(Array):\n    pass\n",
        "pkg/core.pyi": (
            "class Array:\n    def find(self, sub: str) -> int: ...\n\nclass Plain: ...\n\nclass Sub(Array): ...\n"
        ),
    }
    surface = make_surface(files)
    assert surface.resolve("pkg.core.Array.find").status == Status.FOUND
    assert surface.resolve("pkg.core.Array.gone").status == Status.UNVERIFIABLE
    assert surface.resolve("pkg.core.Sub.gone").status == Status.UNVERIFIABLE
    assert surface.resolve("pkg.core.Plain.gone").status == Status.MISSING


def test_directory_without_init_is_an_importable_namespace(make_surface: SurfaceFactory) -> None:
    """A sub-directory without `__init__` imports as a namespace package: found (contents unknown), not API."""
    surface = make_surface({"pkg/__init__.py": "", "pkg/doc/notes.txt": "text\n"})
    assert surface.resolve("pkg.doc").status == Status.FOUND
    assert surface.resolve("pkg.doc.anything").status == Status.UNVERIFIABLE
    assert "pkg.doc" not in {o.path for o in surface.public_api()}


def test_modules_inside_a_namespace_directory_are_loaded(make_surface: SurfaceFactory) -> None:
    """Modules in a directory without `__init__` inside a package are analysed, so a class inheriting from them
    is closed and its removed members are missing (Flask 3 `flask/sansio/app.py`)."""
    surface = make_surface(
        {
            "pkg/__init__.py": "from .app import Flask\n",
            "pkg/sansio/app.py": "class App:\n    def route(self, rule):\n        pass\n",
            "pkg/app.py": "from .sansio.app import App\n\n\nclass Flask(App):\n    pass\n",
        }
    )
    assert surface.resolve("pkg.sansio.app.App.route").status == Status.FOUND
    assert surface.resolve("pkg.Flask.route").status == Status.FOUND
    assert surface.resolve("pkg.Flask.gone").status == Status.MISSING
    assert "pkg.sansio" not in {o.path for o in surface.public_api()}


def test_nested_namespace_directories_are_loaded(make_surface: SurfaceFactory) -> None:
    """Namespace directories below a subpackage or inside another namespace directory are loaded too."""
    surface = make_surface(
        {
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "",
            "pkg/sub/ns/mod.py": "def run(x):\n    pass\n",
            "pkg/ns/inner/deep.py": "class Deep:\n    pass\n",
        }
    )
    assert surface.resolve("pkg.sub.ns.mod.run").status == Status.FOUND
    assert surface.resolve("pkg.ns.inner.deep.Deep").status == Status.FOUND
    assert surface.resolve("pkg.sub.ns.mod.gone").status == Status.MISSING


NEW_AND_INIT = (
    "class A:\n    def __new__(cls, *args, **kw):\n        pass\n\n    def __init__(self, name):\n        pass\n"
)
BASE_NEW = "class Base:\n    def __new__(cls, *args, **kw):\n        pass\n\n\n"
BASE_INIT = "class Base:\n    def __init__(self, name):\n        pass\n\n\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (NEW_AND_INIT, ["*args", "**kw"]),
        (BASE_NEW + "class A(Base):\n    def __init__(self, name):\n        pass\n", ["name"]),
        (BASE_INIT + "class A(Base):\n    pass\n", ["name"]),
    ],
)
def test_class_signature_is_the_one_inspect_reports(
    make_surface: SurfaceFactory, body: str, expected: list[str]
) -> None:
    """A class's signature comes from the first `__new__` or `__init__` along its MRO (`__new__` first)."""
    found = make_surface({"pkg/__init__.py": body}).objects["pkg.A"]
    assert found.params is not None and [p.render() for p in found.params] == expected


@pytest.mark.parametrize("where", ["pkg/__init__.pyi", "pkg/sub.py"])
def test_an_import_of_the_package_itself_is_not_an_attribute(make_surface: SurfaceFactory, where: str) -> None:
    """`import pkg as p` inside pkg (numpy's stub does it) leaves no `p` in the API to resolve through."""
    files = {"pkg/__init__.py": "from pkg.sub import isin\n", "pkg/sub.py": "def isin(a, b):\n    return a in b\n"}
    stub = "def isin(a, b): ...\n" if where.endswith("pyi") else ""
    files[where] = files.get(where, "") + "import pkg as p\n" + stub
    surface = make_surface(files)
    assert surface.resolve("pkg.isin").status == Status.FOUND
    alias = "pkg.p.isin" if where.endswith("pyi") else "pkg.sub.p.isin"
    assert surface.resolve(alias).status != Status.FOUND
