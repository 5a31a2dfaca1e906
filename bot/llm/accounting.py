"""Token and cost accounting per job: a price table, one record per call, and a hard budget."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.errors import BudgetExceeded

__all__ = ["Budget", "CallRecord", "Ledger", "Price", "PriceTable"]


@dataclass(frozen=True)
class Price:
    """US dollars per million prompt and completion tokens."""

    prompt_per_mtok: float = 0.0
    completion_per_mtok: float = 0.0


@dataclass(frozen=True)
class PriceTable:
    """Prices by model name; unknown models cost `default` (free unless configured).

    Usage:
        prices = PriceTable({"gpt-4o-mini": Price(0.15, 0.60)}, default=Price(1.0, 3.0))
    """

    prices: Mapping[str, Price] = field(default_factory=dict)
    default: Price = Price()

    def cost_usd(self, model: str, prompt_tokens: int, completion_tokens: int) -> float:
        price = self.prices.get(model, self.default)
        return (prompt_tokens * price.prompt_per_mtok + completion_tokens * price.completion_per_mtok) / 1e6


@dataclass(frozen=True)
class Budget:
    """Hard limits for one job; None means unlimited."""

    max_tokens: int | None = None
    max_usd: float | None = None


@dataclass(frozen=True)
class CallRecord:
    purpose: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    attempts: int
    usage_reported: bool


class Ledger:
    """Everything one job spent on models, and the budget that stops it.

    `check` runs before a call, `record` after it; both raise BudgetExceeded once a limit is reached,
    so the job stops cleanly with the spend recorded here.

    Usage:
        ledger = Ledger(Budget(max_tokens=200_000, max_usd=2.0))
        ...; ledger.spent_tokens, ledger.spent_usd, ledger.by_purpose()
    """

    def __init__(self, budget: Budget | None = None) -> None:
        self.budget = budget or Budget()
        self.calls: list[CallRecord] = []

    @property
    def spent_tokens(self) -> int:
        return sum(c.prompt_tokens + c.completion_tokens for c in self.calls)

    @property
    def spent_usd(self) -> float:
        return sum(c.cost_usd for c in self.calls)

    def remaining_tokens(self) -> int | None:
        if self.budget.max_tokens is None:
            return None
        return max(0, self.budget.max_tokens - self.spent_tokens)

    def check(self, *, estimated_prompt_tokens: int = 0) -> None:
        """Refuse a call that would start over budget (the prompt alone would not fit)."""
        if self._over(extra_tokens=estimated_prompt_tokens):
            raise self._exceeded("budget reached before the call")

    def record(self, call: CallRecord) -> None:
        """Record a finished call; raise if it took the job over budget."""
        self.calls.append(call)
        if self._over(extra_tokens=0, strict=True):
            raise self._exceeded(f"budget exceeded by the {call.purpose!r} call")

    def by_purpose(self) -> dict[str, tuple[int, float]]:
        """Tokens and dollars per purpose, for the PR body and the job record."""
        totals: dict[str, tuple[int, float]] = {}
        for c in self.calls:
            tokens, usd = totals.get(c.purpose, (0, 0.0))
            totals[c.purpose] = (tokens + c.prompt_tokens + c.completion_tokens, usd + c.cost_usd)
        return totals

    def _over(self, *, extra_tokens: int, strict: bool = False) -> bool:
        tokens, usd = self.spent_tokens + extra_tokens, self.spent_usd
        max_tokens, max_usd = self.budget.max_tokens, self.budget.max_usd
        if strict:
            return (max_tokens is not None and tokens > max_tokens) or (max_usd is not None and usd > max_usd)
        return (max_tokens is not None and tokens >= max_tokens) or (max_usd is not None and usd >= max_usd)

    def _exceeded(self, why: str) -> BudgetExceeded:
        message = f"{why}: spent {self.spent_tokens} tokens, ${self.spent_usd:.4f} (budget {self.budget})"
        return BudgetExceeded(message, spent_tokens=self.spent_tokens, spent_usd=self.spent_usd)
