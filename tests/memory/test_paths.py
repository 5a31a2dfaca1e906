"""Tests for memory.paths."""

from __future__ import annotations

import json
import os

import pytest

from memory.paths import is_candidate, is_test, path_tokens, printable


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


def test_a_name_that_is_not_utf8_is_classified_and_printed() -> None:
    """A name holding a byte that is not UTF-8 (as a surrogate) is a candidate like any other; `printable`
    gives text any encoder takes, while JSON with its default escaping keeps the name itself."""
    name = os.fsdecode(b"src/caf\xe9.py")
    assert is_candidate(name) and not is_candidate(os.fsdecode(b"tests/caf\xe9.py"))
    assert path_tokens(name) == ["src", "caf", "py"]
    assert printable(name) == "src/caf\\xe9.py" and printable("src/caf\u00e9.py") == "src/caf\u00e9.py"
    printable(name).encode()
    assert printable("a\ud800.py") == "a\\ud800.py"
    assert json.loads(json.dumps(name)) == name
    with pytest.raises(UnicodeEncodeError):
        json.dumps(name, ensure_ascii=False).encode()
