"""Codemods driven by API diff records, on small real sources."""

from __future__ import annotations

import pytest

from migrations.codemods import apply_codemods
from migrations.diff import Change, ChangeKind, Severity
from migrations.errors import CodemodError
from migrations.rules import build_rules, parse_signature
from migrations.surface import ApiSurface

from .conftest import SurfaceFactory

NEW_PKG = {
    "pkg/__init__.py": "from pkg.b import f\n\ndef new_fn(x):\n    pass\n",
    "pkg/b.py": "def f():\n    pass\n",
    "pkg/new_mod.py": "def x():\n    pass\n",
}


def change(api: str, kind: ChangeKind, **extra: str | None) -> Change:
    severity = Severity.SOFT if kind == ChangeKind.DEPRECATED else Severity.BREAKING
    return Change(api, kind, severity, "test", **extra)


RENAME = change("pkg.old_fn", ChangeKind.RENAMED, replacement="pkg.new_fn")
MOVE = change("pkg.a.f", ChangeKind.MOVED, replacement="pkg.b.f")
MOVE_MODULE = change("pkg.old_mod", ChangeKind.MOVED, replacement="pkg.new_mod")
KW_RENAME = change("pkg.g", ChangeKind.PARAM_RENAMED, parameter="old", replacement="new", old_signature="(a, old=1)")
KW_REMOVED = change("pkg.g", ChangeKind.PARAM_REMOVED, parameter="flag", old_signature="(a, b=0, flag=False)")
DEPRECATED = change("pkg.old_fn", ChangeKind.DEPRECATED, replacement="new_fn")


@pytest.mark.parametrize(
    ("source", "changes", "expected"),
    [
        ("from pkg import old_fn\nold_fn(1)\n", [RENAME], "from pkg import new_fn\nnew_fn(1)\n"),
        ("import pkg\npkg.old_fn(1)\n", [RENAME], "import pkg\npkg.new_fn(1)\n"),
        ("import pkg as p\ny = p.old_fn\n", [RENAME], "import pkg as p\ny = p.new_fn\n"),
        ("from pkg import old_fn as o\no(1)\n", [RENAME], "from pkg import new_fn as o\no(1)\n"),
        (
            "from pkg import old_fn\nnew_fn = 1\nold_fn(1)\n",
            [RENAME],
            "from pkg import new_fn as old_fn\nnew_fn = 1\nold_fn(1)\n",
        ),
        ("from pkg.a import f, g\nf()\n", [MOVE], "from pkg.a import g\nfrom pkg.b import f\nf()\n"),
        ("import pkg.a\npkg.a.f()\n", [MOVE], "import pkg.a\nimport pkg.b\n\npkg.b.f()\n"),
        ("import pkg.a\nimport pkg.b\npkg.a.f()\n", [MOVE], "import pkg.a\nimport pkg.b\npkg.b.f()\n"),
        ("import pkg.old_mod\npkg.old_mod.x()\n", [MOVE_MODULE], "import pkg.new_mod\npkg.new_mod.x()\n"),
        ("from pkg import old_mod\nold_mod.x()\n", [MOVE_MODULE], "from pkg import new_mod\nnew_mod.x()\n"),
        ("from pkg.old_mod import x\nx()\n", [MOVE_MODULE], "from pkg.new_mod import x\nx()\n"),
        ("import pkg.old_mod as m\nm.x()\n", [MOVE_MODULE], "import pkg.new_mod as m\nm.x()\n"),
        ("from pkg import g\ng(1, old=2)\n", [KW_RENAME], "from pkg import g\ng(1, new=2)\n"),
        ("import pkg\npkg.g(1, flag=True)\n", [KW_REMOVED], "import pkg\npkg.g(1)\n"),
        ("import pkg\npkg.g(1, 2, True)\n", [KW_REMOVED], "import pkg\npkg.g(1, 2)\n"),
        ("from pkg import old_fn\nold_fn(1)\n", [DEPRECATED], "from pkg import new_fn\nnew_fn(1)\n"),
    ],
    ids=[
        "from-import-rename", "attribute-rename", "module-alias", "aliased-name", "name-collision",
        "split-from-import", "chain-move-imports-target", "chain-move-target-imported",
        "import-module-move", "from-import-module", "from-moved-module",
        "aliased-module", "keyword-rename", "keyword-removed", "positional-removed", "deprecated-replacement",
    ],
)  # fmt: skip
def test_codemod_rewrites(make_surface: SurfaceFactory, source: str, changes: list[Change], expected: str) -> None:
    """Each mechanical change rewrites exactly the references that resolve to it."""
    rules = build_rules(changes, ("pkg",), make_surface(NEW_PKG))
    result = apply_codemods(source, rules)
    assert result.source == expected
    assert result.changed and result.edits[0].api == changes[0].api


@pytest.mark.parametrize(
    "source",
    [
        "from other import old_fn\nold_fn(1)\n",
        "def h(old_fn):\n    return old_fn(1)\n",
        "import pkg\nx = pkg\nx.g(1, old=2)\n",
        "from pkg import g\ng(1, **{'old': 2})\n",
    ],
    ids=["other-package", "shadowed-parameter", "unresolved-alias", "unpacked-kwargs"],
)
def test_unresolved_code_is_untouched(make_surface: SurfaceFactory, source: str) -> None:
    """Code that does not resolve through imports to a changed API stays byte for byte."""
    rules = build_rules([RENAME, KW_RENAME], ("pkg",), make_surface(NEW_PKG))
    result = apply_codemods(source, rules)
    assert result.source == source and not result.changed


def test_positional_in_the_middle_is_skipped_and_reported() -> None:
    """A removed optional argument passed before other positionals is left, with a reason."""
    rules = build_rules(
        [change("pkg.g", ChangeKind.PARAM_REMOVED, parameter="b", old_signature="(a, b=0, c=1)")], ("pkg",)
    )
    result = apply_codemods("import pkg\npkg.g(1, 2, 3)\n", rules)
    assert not result.changed
    assert [(s.line, s.api) for s in result.skipped] == [(2, "pkg.g")]


def test_chain_to_another_package_root_adds_an_import() -> None:
    """A move out of the imported module's reach adds the import it needs."""
    rules = build_rules([change("pkg.a.f", ChangeKind.MOVED, replacement="pkg_extra.b.f")], ("pkg", "pkg_extra"))
    result = apply_codemods("from pkg import a\na.f()\n", rules)
    assert result.source == "from pkg import a\nimport pkg_extra.b\n\npkg_extra.b.f()\n"


def test_required_parameter_removed_is_not_a_codemod() -> None:
    """Removing a required parameter is not mechanical: no rule, the patch engine handles it."""
    rules = build_rules([change("pkg.g", ChangeKind.PARAM_REMOVED, parameter="a", old_signature="(a, b=0)")], ("pkg",))
    assert rules.args == {} and rules.paths == {}


def test_deprecation_without_a_resolvable_replacement_is_ignored(make_surface: SurfaceFactory) -> None:
    """A replacement the new surface does not have yields no rule."""
    rules = build_rules(
        [change("pkg.old_fn", ChangeKind.DEPRECATED, replacement="nowhere")], ("pkg",), make_surface(NEW_PKG)
    )
    assert rules.paths == {}


def test_deprecation_naming_the_package_by_an_alias_resolves(make_surface: SurfaceFactory) -> None:
    """`use p.new_fn instead` (the package under a conventional alias) rewrites to pkg.new_fn when pkg has it."""
    rules = build_rules(
        [change("pkg.old_fn", ChangeKind.DEPRECATED, replacement="p.new_fn")], ("pkg",), make_surface(NEW_PKG)
    )
    result = apply_codemods("import pkg\npkg.old_fn(1)\n", rules)
    assert result.source == "import pkg\npkg.new_fn(1)\n"


def test_invalid_source_raises() -> None:
    """Source that libcst cannot parse raises CodemodError."""
    with pytest.raises(CodemodError):
        apply_codemods("def (:\n", build_rules([RENAME], ("pkg",)))


@pytest.mark.parametrize(
    ("signature", "positions", "defaults"),
    [
        ("(a, b=1, *, c, d=2) -> int", {"a": 0, "b": 1}, {"b", "d"}),
        ("(x, /, y=(1, 2))", {"x": 0, "y": 1}, {"y"}),
        ("(a=<object>)", {}, set()),
    ],
)
def test_parse_signature(signature: str, positions: dict[str, int], defaults: set[str]) -> None:
    """Rendered signatures give positional indexes and the names with defaults."""
    assert parse_signature(signature) == (positions, defaults)


def test_surface_fixture_is_real(make_surface: SurfaceFactory) -> None:
    """The new surface used above has the module the module rules point at."""
    surface: ApiSurface = make_surface(NEW_PKG)
    assert "pkg.new_mod" in surface.objects


CLASSES_PKG = {
    "pkg/__init__.py": "from pkg.models import Model, Adapter\n",
    "pkg/models.py": (
        "class Model:\n    size = 1\n\n    def dump(self):\n        pass\n\n"
        "class Adapter:\n    size = 2\n\n    def validate(self, value):\n        pass\n"
    ),
    "pkg/v1/__init__.py": "",
    "pkg/v1/models.py": "class Model:\n    size = 1\n",
}


@pytest.mark.parametrize(
    ("record", "has_rule"),
    [
        (change("pkg.parse_as", ChangeKind.DEPRECATED, replacement="Adapter.validate"), False),
        (change("pkg.models.Options.size", ChangeKind.MOVED, replacement="pkg.models.Adapter.size"), False),
        (change("pkg.models.Model.dict", ChangeKind.DEPRECATED, replacement="dump"), True),
        (change("pkg.models.Model.size", ChangeKind.MOVED, replacement="pkg.v1.models.Model.size"), True),
    ],
    ids=["function-to-another-class-method", "member-to-another-class", "method-renamed-in-place", "class-moved"],
)  # fmt: skip
def test_members_of_another_class_are_not_path_rewrites(
    make_surface: SurfaceFactory, record: Change, has_rule: bool
) -> None:
    """A target inside a different class changes the receiver, so it yields no path rule; same-class targets do."""
    rules = build_rules([record], ("pkg",), make_surface(CLASSES_PKG))
    assert (record.api in rules.paths) is has_rule


def test_cross_class_target_leaves_the_call_alone(make_surface: SurfaceFactory) -> None:
    """`parse_as(x)` is not rewritten to the unbound `Adapter.validate(x)`."""
    record = change("pkg.parse_as", ChangeKind.DEPRECATED, replacement="Adapter.validate")
    source = "import pkg\npkg.parse_as(int)\n"
    result = apply_codemods(source, build_rules([record], ("pkg",), make_surface(CLASSES_PKG)))
    assert result.source == source and not result.changed
