"""Tests for bot.jobs.records: memory calls made from jobs."""

from __future__ import annotations

import pytest

from bot.errors import ServiceUnavailable
from bot.jobs.records import _memory_call
from memory.errors import IndexCorrupt, LockTimeout


def _raise(exc: Exception) -> None:
    raise exc


async def test_memory_lock_held_too_long_is_transient() -> None:
    """Another worker holding the repo's memory lock past the timeout makes the job retry, not fail."""
    with pytest.raises(ServiceUnavailable, match="memory busy"):
        await _memory_call(_raise, LockTimeout("lock of /m held for 600 s"))


async def test_other_memory_errors_and_results_pass_through() -> None:
    """A result comes back as is, and memory's other errors are not turned into retries."""
    assert await _memory_call(sorted, [3, 1, 2]) == [1, 2, 3]
    with pytest.raises(IndexCorrupt):
        await _memory_call(_raise, IndexCorrupt("bad"))
