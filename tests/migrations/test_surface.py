"""Static API surfaces: lookup, edge cases, serialisation and call binding."""

from __future__ import annotations

import pytest

from migrations.surface import ApiObject, ApiSurface, CallShape, Kind, Param, ParamKind, Status, signature_binds

from .conftest import SurfaceFactory

PKG = {
    "pkg/__init__.py": """
        from pkg._impl import Engine, connect
        from pkg import sub
        __all__ = ["Engine", "connect", "sub"]
    """,
    "pkg/_impl.py": """
        import warnings

        class Engine:
            def __init__(self, url: str, *, echo: bool = False) -> None:
                self.url = url

            def run(self, query, timeout=10):
                return query

            @staticmethod
            def parse(text):
                return text

        def connect(url, **kwargs):
            return Engine(url, **kwargs)

        def old_connect(url):
            warnings.warn("old_connect is deprecated, use connect instead", DeprecationWarning)
            return connect(url)
    """,
    "pkg/sub.py": """
        def helper(a, b=1, /, c=2, *, d):
            return a
    """,
}


def test_reexport_resolves_to_the_canonical_object(make_surface: SurfaceFactory) -> None:
    """A name re-exported from a private module is found under its public path with its signature."""
    surface = make_surface(PKG)
    resolution = surface.resolve("pkg.Engine")
    assert resolution.status == Status.FOUND
    assert resolution.obj is not None and resolution.obj.alias_of == "pkg._impl.Engine"
    assert resolution.obj.signature() == "(url: str, *, echo: bool = False)"


def test_members_of_reexported_class_resolve(make_surface: SurfaceFactory) -> None:
    """Methods are reachable through the re-exported class path."""
    surface = make_surface(PKG)
    assert surface.resolve("pkg.Engine.run").status == Status.FOUND
    assert surface.resolve("pkg.Engine.nope").status == Status.MISSING


def test_instance_attribute_from_init_is_found(make_surface: SurfaceFactory) -> None:
    """Attributes assigned in __init__ are members of the class."""
    assert make_surface(PKG).resolve("pkg.Engine.url").status == Status.FOUND


def test_missing_module_member_is_missing(make_surface: SurfaceFactory) -> None:
    """An unknown name in a plain module is reported missing."""
    assert make_surface(PKG).resolve("pkg.sub.nothing").status == Status.MISSING


def test_public_api_respects_all(make_surface: SurfaceFactory) -> None:
    """Only names in __all__ (and submodules) are public at the package level; privates never are."""
    paths = {o.path for o in make_surface(PKG).public_api()}
    assert {"pkg.Engine", "pkg.connect", "pkg.sub", "pkg.sub.helper", "pkg.Engine.run"} <= paths
    assert not any("_impl" in p for p in paths)


def test_public_api_lists_reexported_class_members_under_the_public_path(make_surface: SurfaceFactory) -> None:
    """Public methods of a class re-exported from a private module appear once under the public class path."""
    paths = [o.path for o in make_surface(PKG).public_api()]
    assert paths.count("pkg.Engine.run") == 1
    assert not any(p.startswith("pkg.Engine._") for p in paths)


def test_module_getattr_shim_makes_unknown_names_unverifiable(make_surface: SurfaceFactory) -> None:
    """A module-level __getattr__ turns unknown attributes into unverifiable, and its names are noted."""
    surface = make_surface(
        {
            "pkg/__init__.py": """
                _MOVED = {"OldName": "pkg.new.NewName"}
                def __getattr__(name):
                    if name == "legacy":
                        return 1
                    if name in _MOVED:
                        return 2
                    raise AttributeError(name)
            """
        }
    )
    assert surface.resolve("pkg.OldName").status == Status.UNVERIFIABLE
    assert surface.objects["pkg"].shim_names == ("OldName", "legacy")


def test_compiled_module_without_source_is_unverifiable(make_surface: SurfaceFactory) -> None:
    """A C extension with no stub is recorded as an open compiled module."""
    surface = make_surface({"pkg/__init__.py": "", "pkg/_speed.cpython-311-x86_64-linux-gnu.so": "\0"})
    assert surface.objects["pkg._speed"].compiled
    assert surface.resolve("pkg._speed.fast_sum").status == Status.UNVERIFIABLE


def test_external_base_class_makes_members_unverifiable(make_surface: SurfaceFactory) -> None:
    """A class deriving from another package may inherit anything."""
    surface = make_surface({"pkg/__init__.py": "import json\nclass Enc(json.JSONEncoder):\n    pass\n"})
    assert surface.resolve("pkg.Enc.encode").status == Status.UNVERIFIABLE
    assert surface.objects["pkg.Enc"].params is None


def test_unknown_decorator_hides_signature(make_surface: SurfaceFactory) -> None:
    """A decorator that may change the signature makes it unknown."""
    surface = make_surface({"pkg/__init__.py": "from x import magic\n@magic\ndef f(a):\n    pass\n"})
    assert surface.objects["pkg.f"].params is None


def test_static_deprecation_with_replacement(make_surface: SurfaceFactory) -> None:
    """warnings.warn(..., DeprecationWarning) marks the function deprecated and names the replacement."""
    obj = make_surface(PKG).objects["pkg._impl.old_connect"]
    assert obj.deprecated is not None and obj.replacement == "connect"


def test_methods_drop_self_but_static_methods_keep_first_param(make_surface: SurfaceFactory) -> None:
    """Method signatures exclude self; static methods do not."""
    surface = make_surface(PKG)
    assert surface.objects["pkg._impl.Engine.run"].signature() == "(query, timeout = 10)"
    assert surface.objects["pkg._impl.Engine.parse"].signature() == "(text)"


def test_parameter_kinds_render(make_surface: SurfaceFactory) -> None:
    """Positional-only and keyword-only markers appear in rendered signatures."""
    assert make_surface(PKG).objects["pkg.sub.helper"].signature() == "(a, b = 1, /, c = 2, *, d)"


def test_json_round_trip(make_surface: SurfaceFactory) -> None:
    """A surface survives to_json/from_json unchanged."""
    surface = make_surface(PKG)
    assert ApiSurface.from_json(surface.to_json()) == surface


def test_names_outside_the_package_are_unverifiable() -> None:
    """Another package's names cannot be judged by this surface."""
    assert ApiSurface("pkg", "1", ("pkg",)).resolve("other.thing").status == Status.UNVERIFIABLE


def _fn(*params: Param) -> ApiObject:
    return ApiObject("m.f", Kind.FUNCTION, params=params)


A = Param("a", ParamKind.POSITIONAL_OR_KEYWORD)
B1 = Param("b", ParamKind.POSITIONAL_OR_KEYWORD, True, "1")
P = Param("p", ParamKind.POSITIONAL_ONLY)
K = Param("k", ParamKind.KEYWORD_ONLY)
KD = Param("k", ParamKind.KEYWORD_ONLY, True, "0")
ARGS = Param("args", ParamKind.VAR_POSITIONAL)
KWARGS = Param("kwargs", ParamKind.VAR_KEYWORD)


@pytest.mark.parametrize(
    ("params", "shape", "expected"),
    [
        ((A, B1), CallShape(1), True),
        ((A, B1), CallShape(2), True),
        ((A, B1), CallShape(3), False),
        ((A, B1), CallShape(0), False),
        ((A, B1), CallShape(0, ("a", "b")), True),
        ((A, B1), CallShape(1, ("a",)), False),
        ((A, B1), CallShape(1, ("c",)), False),
        ((P,), CallShape(0, ("p",)), False),
        ((P, KWARGS), CallShape(1, ("p",)), None),
        ((A, K), CallShape(1), False),
        ((A, K), CallShape(2), False),
        ((A, K), CallShape(1, ("k",)), True),
        ((A, KD), CallShape(1), True),
        ((A, ARGS), CallShape(3), None),
        ((A, KWARGS), CallShape(1, ("zzz",)), None),
        ((A, KWARGS), CallShape(1), True),
        ((A,), CallShape(0, star_args=True), None),
        ((A,), CallShape(1, star_kwargs=True), None),
    ],
)
def test_signature_binds(params: tuple[Param, ...], shape: CallShape, expected: bool | None) -> None:
    """Binding follows inspect.Signature.bind, with pass-throughs and unpacking unverifiable."""
    assert signature_binds(_fn(*params), shape) is expected


def test_unknown_signature_is_unverifiable() -> None:
    """No params means no verdict."""
    assert signature_binds(ApiObject("m.f", Kind.FUNCTION), CallShape(1)) is None


def shim_surface() -> ApiSurface:
    module = ApiObject("pkg", Kind.MODULE, shim_names=("lazy", "gone"), shim_raises=("gone",))
    return ApiSurface("pkg", "1", ("pkg",), {"pkg": module})


@pytest.mark.parametrize(
    ("path", "status"),
    [("pkg.gone", Status.MISSING), ("pkg.lazy", Status.UNVERIFIABLE), ("pkg.other", Status.MISSING)],
)
def test_shim_names_and_raises_decide_lookups(path: str, status: Status) -> None:
    """Names a shim raises for are missing even if also compared in it; names it answers are unverifiable."""
    assert shim_surface().resolve(path).status == status


@pytest.mark.parametrize(
    ("obj", "public"),
    [
        (ApiObject("pkg.Markup", Kind.ATTRIBUTE, alias_of="markupsafe.Markup", public=False), True),
        (ApiObject("pkg.Dict", Kind.ATTRIBUTE, alias_of="typing.Dict", public=False), False),
        (ApiObject("pkg.division", Kind.ATTRIBUTE, alias_of="__future__.division", public=False), False),
        (ApiObject("pkg.os", Kind.ATTRIBUTE, alias_of="os", public=False), False),
        (ApiObject("pkg.__url__", Kind.ATTRIBUTE, public=False), True),
        (ApiObject("pkg.__all__", Kind.ATTRIBUTE, public=False), False),
        (ApiObject("pkg.sub.Markup", Kind.ATTRIBUTE, alias_of="markupsafe.Markup", public=False), False),
    ],
)
def test_public_api_edges(obj: ApiObject, public: bool) -> None:
    """Root re-exports of other distributions and module dunders are API; stdlib imports are not."""
    objects = {"pkg": ApiObject("pkg", Kind.MODULE), "pkg.sub": ApiObject("pkg.sub", Kind.MODULE), obj.path: obj}
    surface = ApiSurface("pkg", "1", ("pkg",), objects)
    assert (obj.path in {o.path for o in surface.public_api()}) == public
