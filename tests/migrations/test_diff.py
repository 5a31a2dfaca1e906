"""API diffs between two tiny real package versions."""

from __future__ import annotations

import pytest

from migrations.diff import Change, ChangeKind, Severity, compare_params, diff_surfaces
from migrations.surface import Param, ParamKind

from .conftest import SurfaceFactory


def diff(make_surface: SurfaceFactory, old: str, new: str, extra_new: dict[str, str] | None = None) -> list[Change]:
    old_surface = make_surface({"pkg/__init__.py": old})
    new_surface = make_surface({"pkg/__init__.py": new, **(extra_new or {})}, version="2.0")
    return diff_surfaces(old_surface, new_surface)


def summary(changes: list[Change]) -> list[tuple[str, ChangeKind, Severity]]:
    return [(c.api, c.kind, c.severity) for c in changes]


def test_removed_function_is_breaking(make_surface: SurfaceFactory) -> None:
    """A public function that disappears is a breaking removal."""
    changes = diff(make_surface, "def a():\n    pass\ndef gone():\n    pass\n", "def a():\n    pass\n")
    assert summary(changes) == [("pkg.gone", ChangeKind.REMOVED, Severity.BREAKING)]


def test_rename_pairs_removal_with_matching_addition(make_surface: SurfaceFactory) -> None:
    """A removal plus an addition with the same signature is a rename."""
    changes = diff(
        make_surface, "def fetch_all(url, retries=3):\n    pass\n", "def get_all(url, retries=3):\n    pass\n"
    )
    assert [(c.kind, c.replacement) for c in changes] == [(ChangeKind.RENAMED, "pkg.get_all")]


def test_moved_into_submodule_is_moved(make_surface: SurfaceFactory) -> None:
    """A function that now lives in another module is reported as moved there."""
    changes = diff(make_surface, "def helper(x):\n    pass\n", "", {"pkg/util.py": "def helper(x):\n    pass\n"})
    assert [(c.kind, c.replacement) for c in changes] == [(ChangeKind.MOVED, "pkg.util.helper")]


def test_reexport_keeps_name_available(make_surface: SurfaceFactory) -> None:
    """Moving the definition but re-exporting it is no break."""
    changes = diff(
        make_surface,
        "def helper(x):\n    pass\n",
        "from pkg._impl import helper\n",
        {"pkg/_impl.py": "def helper(x):\n    pass\n"},
    )
    assert changes == []


def test_getattr_shim_is_soft(make_surface: SurfaceFactory) -> None:
    """A name now served by module __getattr__ is a deprecation, not a removal."""
    new = "def __getattr__(name):\n    if name == 'old':\n        return 1\n    raise AttributeError(name)\n"
    assert summary(diff(make_surface, "old = 1\n", new)) == [("pkg.old", ChangeKind.DEPRECATED, Severity.SOFT)]


def test_unknown_name_behind_getattr_is_unverifiable(make_surface: SurfaceFactory) -> None:
    """A name that might still come from __getattr__ is unverifiable."""
    new = "def __getattr__(name):\n    raise AttributeError(name)\n"
    assert summary(diff(make_surface, "old = 1\n", new)) == [("pkg.old", ChangeKind.REMOVED, Severity.UNVERIFIABLE)]


def test_kwargs_pass_through_is_not_a_break(make_surface: SurfaceFactory) -> None:
    """A keyword that now flows through **kwargs is unverifiable, never breaking."""
    changes = diff(make_surface, "def f(a, timeout=1):\n    pass\n", "def f(a, **kwargs):\n    pass\n")
    assert summary(changes) == [("pkg.f", ChangeKind.PARAM_REMOVED, Severity.UNVERIFIABLE)]


def test_rename_absorbed_by_kwargs_is_unverifiable(make_surface: SurfaceFactory) -> None:
    """A renamed keyword the new **kwargs still accepts is a rename record, but not a certain break."""
    changes = diff(
        make_surface, "def f(a, *, const=None):\n    pass\n", "def f(a, *, strict=None, **extra):\n    pass\n"
    )
    assert [(c.kind, c.severity, c.replacement) for c in changes] == [
        (ChangeKind.PARAM_RENAMED, Severity.UNVERIFIABLE, "strict")
    ]


def test_children_of_removed_class_are_not_repeated(make_surface: SurfaceFactory) -> None:
    """Only the removed class is reported, not each of its methods."""
    changes = diff(make_surface, "class Gone:\n    def m(self):\n        pass\n", "")
    assert summary(changes) == [("pkg.Gone", ChangeKind.REMOVED, Severity.BREAKING)]


def test_removed_object_does_not_hide_a_sibling_sharing_its_prefix(make_surface: SurfaceFactory) -> None:
    """Removing `Gone` still reports `GoneToo.m`, whose path merely starts with the same letters."""
    old = "class Gone:\n    def m(self):\n        pass\nclass GoneToo:\n    def m(self):\n        pass\n"
    new = "class GoneToo:\n    pass\n"
    assert summary(diff(make_surface, old, new)) == [
        ("pkg.Gone", ChangeKind.REMOVED, Severity.BREAKING),
        ("pkg.GoneToo.m", ChangeKind.REMOVED, Severity.BREAKING),
    ]


def test_new_deprecation_names_replacement(make_surface: SurfaceFactory) -> None:
    """A function that starts warning DeprecationWarning is soft with its replacement."""
    new = (
        "import warnings\ndef f():\n    warnings.warn('f is deprecated, use g instead', DeprecationWarning)\n"
        "def g():\n    pass\n"
    )
    changes = [c for c in diff(make_surface, "def f():\n    pass\n", new) if c.api == "pkg.f"]
    assert [(c.kind, c.severity, c.replacement) for c in changes] == [(ChangeKind.DEPRECATED, Severity.SOFT, "g")]


def test_compiled_module_members_are_unverifiable(make_surface: SurfaceFactory) -> None:
    """A function that moved into a C extension cannot be judged."""
    old = make_surface({"pkg/__init__.py": "", "pkg/fast.py": "def go(x):\n    pass\n"})
    new = make_surface({"pkg/__init__.py": "", "pkg/fast.cpython-311-x86_64-linux-gnu.so": "\0"}, version="2")
    changes = diff_surfaces(old, new)
    assert summary(changes) == [("pkg.fast.go", ChangeKind.REMOVED, Severity.UNVERIFIABLE)]


def test_change_json_round_trip() -> None:
    """Change records survive JSON."""
    change = Change("p.f", ChangeKind.RENAMED, Severity.BREAKING, "e", "(a)", "(a)", "p.g")
    assert Change.from_json(change.to_json()) == change


def p(name: str, kind: ParamKind = ParamKind.POSITIONAL_OR_KEYWORD, default: str | None = None) -> Param:
    return Param(name, kind, default is not None, default)


KW = ParamKind.KEYWORD_ONLY


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ((p("a"), p("b")), (p("a"),), [(ChangeKind.PARAM_REMOVED, Severity.BREAKING)]),
        ((p("a"), p("b")), (p("a"), p("c")), [(ChangeKind.PARAM_RENAMED, Severity.BREAKING)]),
        ((p("a"),), (p("a"), p("b")), [(ChangeKind.PARAM_ADDED_REQUIRED, Severity.BREAKING)]),
        ((p("a"),), (p("a"), p("b", default="1")), []),
        ((p("a"), p("b")), (p("b"), p("a")), [(ChangeKind.PARAM_MOVED, Severity.BREAKING)] * 2),
        (
            (p("a"), p("b", default="1")),
            (p("a"), p("b", KW, "1")),
            [(ChangeKind.PARAM_KIND_CHANGED, Severity.BREAKING)],
        ),
        ((p("a"), p("b", KW, "1")), (p("a"), p("b", default="1")), []),
        ((p("a", default="1"),), (p("a"),), [(ChangeKind.PARAM_MADE_REQUIRED, Severity.BREAKING)]),
        ((p("a", default="1"),), (p("a", default="2"),), [(ChangeKind.DEFAULT_CHANGED, Severity.SOFT)]),
        ((p("a"), p("k", ParamKind.VAR_KEYWORD)), (p("a"),), [(ChangeKind.PARAM_REMOVED, Severity.BREAKING)]),
        (
            (p("a"), p("b", default="1")),
            (p("a"), p("args", ParamKind.VAR_POSITIONAL)),
            [(ChangeKind.PARAM_KIND_CHANGED, Severity.BREAKING)],
        ),
        (
            (p("inst"), p("b", default="1")),
            (p("args", ParamKind.VAR_POSITIONAL), p("changes", ParamKind.VAR_KEYWORD)),
            [(ChangeKind.PARAM_KIND_CHANGED, Severity.UNVERIFIABLE)] * 2,
        ),
        (
            (p("a"), p("b", default="1")),
            (p("a"), p("kwargs", ParamKind.VAR_KEYWORD)),
            [(ChangeKind.PARAM_REMOVED, Severity.UNVERIFIABLE)],
        ),
    ],
)
def test_compare_params(
    old: tuple[Param, ...], new: tuple[Param, ...], expected: list[tuple[ChangeKind, Severity]]
) -> None:
    """Each signature change maps to one breakage kind and severity."""
    assert [(c[0], c[1]) for c in compare_params(old, new)] == expected


def test_method_found_in_another_class_is_removed_not_moved(make_surface: SurfaceFactory) -> None:
    """A method dropped from one class is removed even if another class has a method of that name."""
    old = "class A:\n    def ptp(self):\n        pass\nclass B:\n    pass\n"
    new = "class A:\n    pass\nclass B:\n    def ptp(self):\n        pass\n"
    assert summary(diff(make_surface, old, new)) == [("pkg.A.ptp", ChangeKind.REMOVED, Severity.BREAKING)]


def test_callable_alias_that_became_a_def_is_not_a_kind_change(make_surface: SurfaceFactory) -> None:
    """`row_stack = vstack` replaced by `def row_stack` keeps every caller working."""
    old = "def vstack(t):\n    pass\nrow_stack = vstack\n"
    new = "def vstack(t):\n    pass\ndef row_stack(t):\n    pass\n"
    assert diff(make_surface, old, new) == []


def test_module_renamed_only_when_members_carry_over(make_surface: SurfaceFactory) -> None:
    """A removed module is not a rename of a similarly named module with other members."""
    old = make_surface({"pkg/__init__.py": "", "pkg/mxodbc.py": "class MxDialect:\n    pass\n"})
    new = make_surface({"pkg/__init__.py": "", "pkg/pyodbc.py": "class PyDialect:\n    pass\n"}, version="2")
    assert summary(diff_surfaces(old, new)) == [("pkg.mxodbc", ChangeKind.REMOVED, Severity.BREAKING)]
