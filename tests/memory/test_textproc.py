"""Tests for memory.textproc."""

from __future__ import annotations

import pytest

from memory.textproc import clean_message, code_mentions, split_identifier, stem, tokenize


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("parseHTTPResponse_v2", ["parse", "http", "response", "v", "2"]),
        ("CliRunner", ["cli", "runner"]),
        ("snake_case_name", ["snake", "case", "name"]),
        ("x", ["x"]),
    ],
)
def test_split_identifier(word: str, parts: list[str]) -> None:
    """Identifiers split on case changes, underscores and digits."""
    assert split_identifier(word) == parts


@pytest.mark.parametrize(("a", "b"), [("cookies", "cookie"), ("parsing", "parse"), ("entries", "entry")])
def test_stem_meets_inflections(a: str, b: str) -> None:
    """Inflected forms stem to the same token."""
    assert stem(a) == stem(b)


def test_tokenize_keeps_whole_and_split_identifiers_without_stopwords() -> None:
    """A compound identifier yields itself and its parts; stopwords vanish."""
    assert tokenize("Fix the CliRunner") == ["clirunner", "cli", "runner"]


@pytest.mark.parametrize(
    ("raw", "text", "refs"),
    [
        ("Fix crash (#3778)", "Fix crash", (3778,)),
        ("Merge pull request #12 from me/feature-x\n\nAdd cookies", "Add cookies", (12,)),
        ("Add X\n\nCo-authored-by: A <a@b.c>\nSigned-off-by: B <b@c.d>", "Add X", ()),
        ("Merge branch 'stable' into main", "", ()),
        ("Closes https://github.com/o/r/issues/5 properly", "Closes  properly", (5,)),
    ],
)
def test_clean_message(raw: str, text: str, refs: tuple[int, ...]) -> None:
    """Trailers, refs, merge boilerplate and branch names are stripped; refs are kept aside."""
    cleaned = clean_message(raw)
    assert (cleaned.text, cleaned.refs) == (text, refs)


def test_clean_message_links_reverts() -> None:
    """A revert message records the sha it reverts."""
    cleaned = clean_message('Revert "Add X"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.')
    assert cleaned.is_revert
    assert cleaned.reverts == "0123456789abcdef0123456789abcdef01234567"
    assert "reverts commit" not in cleaned.text


def test_code_mentions_finds_code_like_identifiers() -> None:
    """Backticked, snake_case, CamelCase and called names count as code mentions; prose does not."""
    assert code_mentions("Use `edit` in parse_args() of CliRunner for the files") == {"edit", "parse_args", "clirunner"}
