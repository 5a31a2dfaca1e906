"""The version checker on real source against small real packages."""

from __future__ import annotations

import pytest

from migrations.callcheck import FindingKind, added_lines, check_source
from migrations.surface import ApiSurface

from .conftest import SurfaceFactory
from .test_surface import PKG


@pytest.fixture
def surface(make_surface: SurfaceFactory) -> ApiSurface:
    files = dict(PKG)
    files["pkg/dyn.py"] = "def __getattr__(name):\n    raise AttributeError(name)\n"
    return make_surface(files)


def kinds(source: str, surface: ApiSurface) -> list[tuple[int, FindingKind, str]]:
    return [(f.line, f.kind, f.api) for f in check_source(source, {"pkg": surface})]


def test_valid_code_has_no_findings(surface: ApiSurface) -> None:
    """Correct imports, attribute chains and calls produce nothing."""
    source = (
        "import pkg\nfrom pkg import Engine\ne = Engine('x', echo=True)\ne.run('q', timeout=3)\n"
        "pkg.sub.helper(1, d=2)\n"
    )
    assert kinds(source, surface) == []


def test_missing_import_is_reported_with_alternatives(surface: ApiSurface) -> None:
    """A from-import of a missing name names close real ones."""
    findings = check_source("from pkg import Engin\n", {"pkg": surface})
    assert [(f.kind, f.api) for f in findings] == [(FindingKind.MISSING, "pkg.Engin")]
    assert "pkg.Engine" in findings[0].alternatives


def test_moved_name_is_suggested_by_its_real_path(surface: ApiSurface) -> None:
    """A name that exists elsewhere in the package is suggested at its real location."""
    findings = check_source("import pkg\npkg.sub.connect('u')\n", {"pkg": surface})
    assert findings[0].kind == FindingKind.MISSING
    assert findings[0].alternatives[0] == "pkg.connect"


def test_aliased_module_import_is_followed(surface: ApiSurface) -> None:
    """`import pkg.sub as s` binds s to pkg.sub."""
    assert kinds("import pkg.sub as s\ns.nope()\n", surface) == [(2, FindingKind.MISSING, "pkg.sub.nope")]


def test_call_that_does_not_bind_is_reported(surface: ApiSurface) -> None:
    """An unknown keyword is a binding failure."""
    assert kinds("from pkg import Engine\nEngine('x', verbose=True)\n", surface) == [
        (2, FindingKind.NO_BIND, "pkg.Engine")
    ]


def test_method_on_an_instance_is_checked(surface: ApiSurface) -> None:
    """A variable assigned once from a library class is tracked as its instance."""
    source = "import pkg\ne = pkg.Engine('x')\ne.run()\ne.walk()\n"
    assert kinds(source, surface) == [
        (3, FindingKind.NO_BIND, "pkg.Engine.run"),
        (4, FindingKind.MISSING, "pkg.Engine.walk"),
    ]


def test_kwargs_pass_through_is_not_flagged(surface: ApiSurface) -> None:
    """A callee taking **kwargs accepts unknown keywords."""
    assert kinds("from pkg import connect\nconnect('u', anything=1)\n", surface) == []


def test_getattr_module_is_not_flagged(surface: ApiSurface) -> None:
    """Names of a module with __getattr__ are unverifiable, so not reported."""
    assert kinds("from pkg.dyn import whatever\n", surface) == []


def test_deprecated_use_is_reported_softly(surface: ApiSurface) -> None:
    """A deprecated function is reported with its replacement."""
    findings = check_source("import pkg._impl\npkg._impl.old_connect('u')\n", {"pkg": surface})
    assert [(f.kind, f.alternatives) for f in findings] == [(FindingKind.DEPRECATED, ("connect",))]


def test_only_lines_limits_findings(surface: ApiSurface) -> None:
    """Imports on other lines still bind names, but only the selected lines are reported."""
    source = "from pkg import Engin\nimport pkg\npkg.nope\n"
    assert kinds(source, surface) != []
    assert [f.line for f in check_source(source, {"pkg": surface}, only_lines={3})] == [3]


def test_other_libraries_are_ignored(surface: ApiSurface) -> None:
    """Names from packages without a surface are not judged."""
    assert kinds("import os\nos.nope()\n", surface) == []


def test_syntax_error_yields_nothing(surface: ApiSurface) -> None:
    """Unparsable source is not this checker's business."""
    assert kinds("def (:\n", surface) == []


def test_added_lines_from_unified_diff() -> None:
    """Added lines are numbered on the new side, per file."""
    diff = "--- a/x.py\n+++ b/x.py\n@@ -1,3 +1,4 @@\n a\n-b\n+c\n+d\n e\n@@ -10,1 +11,2 @@\n f\n+g\n"
    assert added_lines(diff) == {"x.py": {2, 3, 12}}
