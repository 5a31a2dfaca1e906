"""Tests for memory.candidates: the per-candidate table built from the snapshot's files."""

from __future__ import annotations

import math

import numpy as np
import pytest

from memory.candidates import rows_of, stem_of
from memory.snapshot import Snapshot

FILES = {
    "pkg/cookie_jar.py": "def parse_cookie(header):\n    return header\n\n\nclass Jar:\n    pass\n",
    "pkg/client.py": "class Client:\n    def send(self):\n        return 1\n",
    "pkg/__init__.py": "",
}


@pytest.fixture
def snapshot() -> Snapshot:
    snapshot = Snapshot()
    for path, text in FILES.items():
        snapshot.put(path, text)
    return snapshot


@pytest.mark.parametrize(
    ("path", "stem"), [("pkg/cookie_jar.py", "cookie_jar"), ("pkg/__init__.py", "init"), ("a/B.tar.gz", "b")]
)
def test_stem_is_the_lowercased_name_without_extensions(path: str, stem: str) -> None:
    """A path's stem drops folders, every extension and surrounding underscores."""
    assert stem_of(path) == stem


def test_table_rows_follow_the_sorted_paths(snapshot: Snapshot) -> None:
    """Positions, sizes and function rows line up with the snapshot's sorted candidates."""
    table = snapshot.table()
    assert table.paths == sorted(FILES)
    assert table.pos == {p: i for i, p in enumerate(table.paths)}
    assert table.size.tolist() == pytest.approx([math.log1p(len(snapshot.files[p].tokens)) for p in table.paths])
    assert [table.paths[r] for r in table.func_rows] == [p for p, _ in snapshot.func_keys]


def test_word_maps_point_at_defining_files(snapshot: Snapshot) -> None:
    """Symbol names, stems and stem parts map to the rows of the files that have them."""
    table = snapshot.table()
    jar = table.pos["pkg/cookie_jar.py"]
    assert rows_of(table.names, ["parse_cookie", "jar", "nothing"]).tolist() == [jar, jar]
    assert rows_of(table.stems, ["cookie_jar"]).tolist() == [jar]
    assert rows_of(table.parts, ["cookie"]).tolist() == [jar]
    assert rows_of(table.parts, []).dtype == np.int64


def test_table_is_rebuilt_after_a_file_changes(snapshot: Snapshot) -> None:
    """The same table is returned until a file is put, then a new one includes the change."""
    first = snapshot.table()
    assert snapshot.table() is first
    snapshot.put("pkg/proxy.py", "def tunnel():\n    pass\n")
    second = snapshot.table()
    assert second is not first
    assert "tunnel" in second.names
