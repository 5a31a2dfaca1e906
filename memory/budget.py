"""Token budgets: a documented approximation of tokens, and trimming text to fit."""

from __future__ import annotations

__all__ = ["CHARS_PER_TOKEN", "approx_tokens", "trim_lines"]

# English prose and code average about four characters per token with GPT-style BPE tokenizers; we do not
# ship a tokenizer for every model, so budgets are counted as ceil(chars / 4).
CHARS_PER_TOKEN = 4


def approx_tokens(text: str) -> int:
    return -(-len(text) // CHARS_PER_TOKEN)


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
