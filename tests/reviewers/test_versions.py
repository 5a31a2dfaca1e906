"""The version check: added calls must resolve against the pinned packages' API surfaces."""

from __future__ import annotations

import pytest

from migrations.surface import ApiObject, ApiSurface, Kind, Param, ParamKind
from reviewers.base import Candidate, PoolContext
from reviewers.diffs import make_diff
from reviewers.versions import VersionReviewer, version_findings

SOURCE = "import lib\n\n\ndef hello():\n    return 'hi'\n"


def surface() -> ApiSurface:
    """lib 1.0 with one function, lib.greet(name)."""
    greet = ApiObject("lib.greet", Kind.FUNCTION, params=(Param("name", ParamKind.POSITIONAL_OR_KEYWORD),))
    return ApiSurface("lib", "1.0", ("lib",), {"lib": ApiObject("lib", Kind.MODULE), "lib.greet": greet})


def diff(line: str) -> str:
    return make_diff("app.py", SOURCE, SOURCE.replace("    return 'hi'", f"    return {line}"))


@pytest.mark.parametrize(
    ("call", "blocked"),
    [
        ("lib.greet('x')", False),
        ("lib.greet(name='x')", False),
        ("lib.great('x')", True),
        ("lib.greet('x', 'y')", True),
    ],
)
def test_added_calls_table(call: str, blocked: bool) -> None:
    """Missing names and calls that do not bind are findings; valid calls are not."""
    assert bool(version_findings({"app.py": SOURCE}, diff(call), {"lib": surface()})) is blocked


def test_reviewer_rejects_with_the_first_finding() -> None:
    """A candidate calling a missing API is rejected, and the reason names the call."""
    pool = [Candidate("ok", diff("lib.greet('x')")), Candidate("bad", diff("lib.great('x')"))]
    verdicts = VersionReviewer({"lib": surface()}).review(PoolContext("issue", pool, {"app.py": SOURCE}))
    by_id = {v.candidate: v for v in verdicts}
    assert by_id["ok"].rejected is None
    assert by_id["ok"].scores[0].value == 1.0
    assert by_id["bad"].rejected is not None
    assert "lib.great" in by_id["bad"].rejected


def test_a_diff_that_does_not_apply_is_rejected() -> None:
    """A candidate whose hunks do not match the original cannot be checked, so it is rejected."""
    broken = make_diff("app.py", "something else\n", "other\n")
    verdicts = VersionReviewer({"lib": surface()}).review(
        PoolContext("issue", [Candidate("x", broken)], {"app.py": SOURCE})
    )
    assert verdicts[0].rejected is not None
    assert "does not apply" in verdicts[0].rejected
