"""Tests for memory.api_index."""

from __future__ import annotations

from memory.api_index import api_index, search_api
from memory.snapshot import Snapshot


def _snapshot() -> Snapshot:
    snapshot = Snapshot()
    utils = 'def format_filename(name: str) -> str:\n    """Render a path for messages."""\n    return name\n'
    snapshot.put("pkg/utils.py", utils + "\n\ndef _private():\n    pass\n")
    snapshot.put(
        "pkg/core.py",
        "from pkg.utils import format_filename\n\n\ndef show(p):\n    return format_filename(p) + format_filename(p)\n",
    )
    return snapshot


def test_index_lists_public_symbols_with_signature_doc_and_uses() -> None:
    """Public functions are indexed with their signature, doc and how often the project uses them."""
    entries = {e.qualname: e for e in api_index(_snapshot())}
    assert set(entries) == {"format_filename", "show"}
    entry = entries["format_filename"]
    assert (entry.signature, entry.doc, entry.uses) == (
        "def format_filename(name: str) -> str",
        "Render a path for messages.",
        3,
    )


def test_search_finds_helpers_by_their_words() -> None:
    """An issue text about rendering file names finds the helper."""
    assert [e.qualname for e in search_api(api_index(_snapshot()), "filename is rendered badly")] == ["format_filename"]
