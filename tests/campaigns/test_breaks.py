"""Breaks left by the codemods, as facts: snippets, records per change, the new version's nearby signatures."""

from __future__ import annotations

import pytest

from bot.campaigns.breaks import left_records, new_signatures, snippet
from migrations.diff import Change, ChangeKind, Severity
from migrations.impact import CallSite
from migrations.surface import ApiObject, ApiSurface, Kind, Param, ParamKind

TEXT = "a\nb\nc\nd\ne\n"
POSITIONAL = ParamKind.POSITIONAL_OR_KEYWORD


@pytest.mark.parametrize(
    ("line", "radius", "expected"),
    [
        (3, 1, "     2 | b\n>    3 | c\n     4 | d"),
        (1, 1, ">    1 | a\n     2 | b"),
        (5, 2, "     3 | c\n     4 | d\n>    5 | e"),
    ],
)
def test_snippet_marks_the_line_and_stays_inside_the_file(line: int, radius: int, expected: str) -> None:
    """The lines around a call site, numbered, the site's own line marked, clipped at the file's ends."""
    assert snippet(TEXT, line, radius) == expected


def test_left_records_keep_only_changes_with_sites() -> None:
    """Each change with call sites becomes a record with its sites' file, line, binding and snippet."""
    gone = Change("geom.area", ChangeKind.REMOVED, Severity.BREAKING, "geom has no member 'area'", "(w, h)")
    unused = Change("geom.perimeter", ChangeKind.REMOVED, Severity.BREAKING, "gone")
    [record] = left_records([gone, unused], [CallSite("shop.py", 2, "geom.area", gone, False)], {"shop.py": TEXT})
    assert (record["api"], record["kind"], record["severity"]) == ("geom.area", "removed", "breaking")
    assert record["sites"] == [{"file": "shop.py", "line": 2, "binds": False, "snippet": snippet(TEXT, 2)}]


def obj(path: str, kind: Kind, *params: str, public: bool = True) -> ApiObject:
    callable_ = kind not in (Kind.MODULE, Kind.ATTRIBUTE)
    return ApiObject(path, kind, tuple(Param(p, POSITIONAL) for p in params) if callable_ else None, public=public)


def test_new_signatures_put_the_broken_apis_neighbours_first() -> None:
    """Same container first, then same name elsewhere, then the rest; private and unknown signatures left out."""
    objects = [
        obj("geom", Kind.MODULE),
        obj("geom.Rect", Kind.CLASS, "width", "height"),
        obj("geom.Rect.area", Kind.METHOD),
        obj("geom.Rect.width", Kind.ATTRIBUTE),
        obj("geom._helper", Kind.FUNCTION, "x", public=False),
        obj("geom.x.solids.volume", Kind.FUNCTION, "shape"),
        obj("geom.z.solids.area", Kind.FUNCTION, "shape"),
    ]
    surface = ApiSurface("geom", "2.0", ("geom",), {o.path: o for o in objects})
    assert new_signatures(surface, ["geom.area"]) == [
        "geom.Rect(width, height)", "geom.Rect.area()", "geom.z.solids.area(shape)", "geom.x.solids.volume(shape)",
    ]  # fmt: skip
    assert new_signatures(surface, ["geom.area"], limit=1) == ["geom.Rect(width, height)"]
