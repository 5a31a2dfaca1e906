"""Tests for memory.budget: token counting, trimming, shrinking JSON and priority packing."""

from __future__ import annotations

import numpy as np
import pytest

from memory.budget import Packer, approx_tokens, json_tokens, shrink_json, trim_lines


@pytest.mark.parametrize(("text", "tokens"), [("", 0), ("abcd", 1), ("abcde", 2)])
def test_approx_tokens_is_chars_over_four(text: str, tokens: int) -> None:
    """Tokens are approximated as ceil(characters / 4)."""
    assert approx_tokens(text) == tokens


def test_trim_lines_keeps_whole_lines_and_marks_the_cut() -> None:
    """Trimmed text keeps leading whole lines within the budget and says it was trimmed."""
    text = "\n".join(f"line {i}" for i in range(100))
    trimmed = trim_lines(text, 20)
    assert trimmed.endswith("... (trimmed)") and approx_tokens(trimmed) <= 20
    assert trimmed.splitlines()[0] == "line 0"


def test_shrink_json_cuts_lists_then_drops_trailing_keys() -> None:
    """Variants get smaller: lists cut to 5, 3 and 1 items, then the last top-level keys go, down to one key."""
    profile = {"a": list(range(20)), "b": {"c": list(range(8))}, "d": 1}
    variants = shrink_json(profile)
    assert variants[0] == profile
    assert variants[1] == {"a": [0, 1, 2, 3, 4], "b": {"c": [0, 1, 2, 3, 4]}, "d": 1}
    assert variants[3] == {"a": [0], "b": {"c": [0]}, "d": 1}
    assert variants[-2:] == [{"a": [0], "b": {"c": [0]}}, {"a": [0]}]
    assert [json_tokens(v) for v in variants] == sorted((json_tokens(v) for v in variants), reverse=True)


def test_packer_places_the_largest_variant_that_fits() -> None:
    """An item too big in full is placed in a smaller form, and charged its JSON plus a separator."""
    packer = Packer(10)
    placed = packer.place(["x" * 60, "y" * 20])
    assert placed == "y" * 20 and packer.left == 10 - json_tokens("y" * 20) - 1


def test_packer_cap_prefers_a_small_form_but_never_drops_what_fits() -> None:
    """Under a cap the largest form within it is chosen; if none is, the smallest form still goes in."""
    assert Packer(100).place(["x" * 200, "y" * 40, "z"], cap=20) == "y" * 40
    assert Packer(100).place(["x" * 200, "y" * 120], cap=10) == "y" * 120


def test_packer_never_keeps_a_later_item_that_a_dropped_one_would_have_fitted_in_place_of() -> None:
    """For every dropped item, even its smallest form exceeds what every later kept item took plus the slack."""
    rng = np.random.default_rng(7)
    for _ in range(200):
        items = [["x" * int(n) for n in sorted(rng.integers(1, 120, size=rng.integers(1, 4)), reverse=True)]]
        items += [["x" * int(n)] for n in rng.integers(1, 120, size=12)]
        packer = Packer(int(rng.integers(0, 200)))
        placed = [packer.place(variants) for variants in items]
        for i, variants in enumerate(items):
            if placed[i] is None:
                freed = sum(json_tokens(p) + 1 for p in placed[i + 1 :] if p is not None) + packer.left
                assert json_tokens(variants[-1]) + 1 > freed
