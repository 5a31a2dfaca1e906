"""Tests for memory.paths."""

from __future__ import annotations

import pytest

from memory.paths import is_candidate, is_test, path_tokens


@pytest.mark.parametrize(
    ("path", "test", "candidate"),
    [
        ("src/click/core.py", False, True),
        ("tests/test_core.py", True, False),
        ("pkg/test_utils.py", True, False),
        ("pkg/conftest.py", True, False),
        ("web/app.spec.ts", True, False),
        ("go/server_test.go", True, False),
        ("src/pip/_vendor/rich/console.py", False, False),
        ("docs/index.md", False, False),
        ("lib/client.go", False, True),
    ],
)
def test_classification(path: str, test: bool, candidate: bool) -> None:
    """Tests, vendored code and non-source files are not localization candidates."""
    assert (is_test(path), is_candidate(path)) == (test, candidate)


def test_path_tokens_split_folders_and_identifiers() -> None:
    """Paths tokenize into their identifier parts."""
    assert path_tokens("src/httpx/_urlparse.py") == ["src", "httpx", "urlpars", "py"]
