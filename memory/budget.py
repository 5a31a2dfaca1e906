"""Token budgets: a documented approximation of tokens, trimming text, and packing items by priority."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

__all__ = ["CHARS_PER_TOKEN", "Packer", "approx_tokens", "json_tokens", "shrink_json", "trim_lines"]

# English prose and code average about four characters per token with GPT-style BPE tokenizers; we do not
# ship a tokenizer for every model, so budgets are counted as ceil(chars / 4).
CHARS_PER_TOKEN = 4
LIST_CAPS = (5, 3, 1)  # the list lengths `shrink_json` tries, longest first


def approx_tokens(text: str) -> int:
    return -(-len(text) // CHARS_PER_TOKEN)


def json_tokens(value: Any) -> int:
    """Tokens of `value` in compact JSON, the form callers put into prompts."""
    return approx_tokens(json.dumps(value, separators=(",", ":")))


def trim_lines(text: str, max_tokens: int, marker: str = "... (trimmed)") -> str:
    """Whole lines of `text` from the top that fit in `max_tokens`, plus a marker when some were cut."""
    if approx_tokens(text) <= max_tokens:
        return text
    kept: list[str] = []
    used = approx_tokens(marker) + 1
    for line in text.splitlines():
        cost = approx_tokens(line + "\n")
        if used + cost > max_tokens:
            break
        kept.append(line)
        used += cost
    return "\n".join([*kept, marker]) if max_tokens >= approx_tokens(marker) else ""


def _cap_lists(value: Any, cap: int) -> Any:
    if isinstance(value, dict):
        return {key: _cap_lists(item, cap) for key, item in value.items()}
    if isinstance(value, list):
        return [_cap_lists(item, cap) for item in value[:cap]]
    return value


def shrink_json(value: dict[str, Any]) -> list[dict[str, Any]]:
    """Ever smaller versions of a JSON object, largest first, for a packer to pick from.

    First every nested list is cut to LIST_CAPS items, then the last top-level keys are dropped one by
    one (earlier keys are taken to matter more), down to a single key.
    """
    variants = [value, *(_cap_lists(value, cap) for cap in LIST_CAPS)]
    smallest = variants[-1]
    keys = list(smallest)
    variants += [{key: smallest[key] for key in keys[:n]} for n in range(len(keys) - 1, 0, -1)]
    return variants


class Packer:
    """Places items into a token budget in priority order, each in the largest of its variants that fits.

    An item none of whose variants fits is dropped and packing goes on with the next one. A dropped item
    therefore never fits in the place of anything packed after it: what those later items took came out of
    a remainder already too small for it. Each item is charged its compact JSON plus one token for the
    separator, an upper bound on what it adds to the enclosing JSON.
    """

    def __init__(self, budget: int) -> None:
        self.left = budget

    def place(self, variants: Sequence[Any], cap: int | None = None) -> Any | None:
        """The first variant that fits (preferably within `cap` tokens), charged; None when none fits at all."""
        limit = self.left if cap is None else min(cap, self.left)
        for variant in variants:
            if self._charge(variant, limit):
                return variant
        if cap is not None and variants and self._charge(variants[-1], self.left):
            return variants[-1]  # the cap is a preference: it never drops what the budget can still hold
        return None

    def _charge(self, variant: Any, limit: int) -> bool:
        cost = json_tokens(variant) + 1
        if cost > limit:
            return False
        self.left -= cost
        return True

    def take(self, items: Sequence[Sequence[Any]]) -> list[Any]:
        """The placed variant of each item that fits, in order (each item is a list of its variants)."""
        placed = (self.place(variants) for variants in items)
        return [variant for variant in placed if variant is not None]
