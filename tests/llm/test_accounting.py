"""Prices, per-call records and the budget check."""

from __future__ import annotations

import pytest

from bot.errors import BudgetExceeded
from bot.llm import Budget, CallRecord, Ledger, Price, PriceTable


def call(tokens: int, usd: float, purpose: str = "generate") -> CallRecord:
    return CallRecord(purpose, "m", tokens, 0, usd, 1, True)


@pytest.mark.parametrize(
    ("model", "prompt", "completion", "expected"),
    [("a", 1_000_000, 0, 1.0), ("a", 0, 1_000_000, 4.0), ("a", 500_000, 250_000, 1.5), ("other", 10, 10, 0.0)],
)
def test_cost_from_price_table(model: str, prompt: int, completion: int, expected: float) -> None:
    """Cost is tokens times the model's per-million price, unknown models at the default."""
    table = PriceTable({"a": Price(1.0, 4.0)})
    assert table.cost_usd(model, prompt, completion) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("budget", "spent", "estimate", "refused"),
    [
        (Budget(max_tokens=100), 50, 10, False),
        (Budget(max_tokens=100), 50, 50, True),
        (Budget(max_usd=1.0), 0, 0, False),
        (Budget(), 10**9, 10**9, False),
    ],
)
def test_check_refuses_calls_that_cannot_fit(budget: Budget, spent: int, estimate: int, refused: bool) -> None:
    """A call whose prompt alone would reach the budget is refused before it is made."""
    ledger = Ledger(budget)
    ledger.calls.append(call(spent, 0.0))
    if refused:
        with pytest.raises(BudgetExceeded):
            ledger.check(estimated_prompt_tokens=estimate)
    else:
        ledger.check(estimated_prompt_tokens=estimate)


def test_totals_by_purpose() -> None:
    """Spend is summed per purpose."""
    ledger = Ledger()
    ledger.record(call(10, 0.1))
    ledger.record(call(5, 0.2, "judge"))
    ledger.record(call(1, 0.3))
    assert ledger.by_purpose() == {"generate": (11, pytest.approx(0.4)), "judge": (5, 0.2)}
