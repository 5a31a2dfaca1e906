"""The OpenAI-compatible client against the scripted model over real HTTP."""

from __future__ import annotations

import pytest

from bot.errors import BudgetExceeded
from bot.llm import (
    Budget,
    Endpoint,
    Ledger,
    ModelRequestRejected,
    ModelTimeout,
    ModelUnavailable,
    OpenAIChatModel,
    Price,
    PriceTable,
    RetryPolicy,
    Role,
)
from bot.llm.protocol import Message
from tests.llm.scripted import Fail, NoUsage, ScriptedLLM, Slow

ASK: list[Message] = [{"role": "user", "content": "[organic-pr purpose=generate candidate=0 turn=0]\nfix it"}]


class Sleeps:
    """Records requested backoff delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay_s: float) -> None:
        self.delays.append(delay_s)


def make_model(llm: ScriptedLLM, *, budget: Budget | None = None, timeout_s: float = 10.0, attempts: int = 3):
    sleeps = Sleeps()
    endpoints = {
        Role.GENERATOR: Endpoint(llm.base_url, "gen-model", "k1"),
        Role.JUDGE: Endpoint(llm.base_url, "judge-model", "k2"),
    }
    prices = PriceTable({"gen-model": Price(1_000_000.0, 2_000_000.0)})
    model = OpenAIChatModel(
        endpoints,
        ledger=Ledger(budget),
        prices=prices,
        timeout_s=timeout_s,
        retry=RetryPolicy(max_attempts=attempts, base_delay_s=0.01),
        sleep=sleeps,
    )
    return model, sleeps


async def test_reply_carries_text_usage_and_cost(scripted_llm: ScriptedLLM) -> None:
    """A call returns the scripted text with the server's token counts priced from the table."""
    scripted_llm.on("generate", "hello world!", candidate=0)
    model, _ = make_model(scripted_llm)
    reply = await model.chat(ASK, purpose="generate")
    await model.aclose()
    assert reply.text == "hello world!"
    assert reply.completion_tokens == len("hello world!") // 4 + 1
    assert reply.cost_usd == pytest.approx(reply.prompt_tokens * 1.0 + reply.completion_tokens * 2.0)
    assert model.ledger.spent_tokens == reply.prompt_tokens + reply.completion_tokens


async def test_purpose_selects_role_endpoint(scripted_llm: ScriptedLLM) -> None:
    """A judge purpose is sent to the judge model, with the purpose in a header."""
    scripted_llm.on("judge.select", "A")
    model, _ = make_model(scripted_llm)
    reply = await model.chat([{"role": "user", "content": "which?"}], purpose="judge.select")
    await model.aclose()
    assert reply.model == "judge-model"
    assert scripted_llm.requests[0].body["model"] == "judge-model"
    assert scripted_llm.requests[0].purpose == "judge.select"


@pytest.mark.parametrize("failure", [Fail(429), Fail(500), Fail(503), Fail(408)])
async def test_transient_errors_are_retried(scripted_llm: ScriptedLLM, failure: Fail) -> None:
    """429, 5xx and 408 are retried with a backoff, then the answer is returned."""
    scripted_llm.on("generate", failure, "ok", candidate=0)
    model, sleeps = make_model(scripted_llm)
    reply = await model.chat(ASK, purpose="generate")
    await model.aclose()
    assert reply.text == "ok"
    assert len(sleeps.delays) == 1
    assert model.ledger.calls[0].attempts == 2


async def test_retry_after_is_honoured(scripted_llm: ScriptedLLM) -> None:
    """A Retry-After header sets the wait before the next attempt."""
    scripted_llm.on("generate", Fail(429, retry_after_s=7), "ok", candidate=0)
    model, sleeps = make_model(scripted_llm)
    await model.chat(ASK, purpose="generate")
    await model.aclose()
    assert sleeps.delays == [7.0]


async def test_retries_are_bounded(scripted_llm: ScriptedLLM) -> None:
    """After max_attempts transient failures the call raises ModelUnavailable and spends nothing."""
    scripted_llm.on("generate", Fail(500), candidate=0, repeat=True)
    model, sleeps = make_model(scripted_llm, attempts=3)
    with pytest.raises(ModelUnavailable):
        await model.chat(ASK, purpose="generate")
    await model.aclose()
    assert len(scripted_llm.requests) == 3
    assert len(sleeps.delays) == 2
    assert model.ledger.calls == []


async def test_client_errors_are_not_retried(scripted_llm: ScriptedLLM) -> None:
    """A 401 is raised at once as ModelRequestRejected."""
    scripted_llm.on("generate", Fail(401), "never", candidate=0)
    model, sleeps = make_model(scripted_llm)
    with pytest.raises(ModelRequestRejected):
        await model.chat(ASK, purpose="generate")
    await model.aclose()
    assert len(scripted_llm.requests) == 1
    assert sleeps.delays == []


async def test_timeout_raises_model_timeout(scripted_llm: ScriptedLLM) -> None:
    """An endpoint slower than the timeout on every attempt gives ModelTimeout."""
    scripted_llm.on("generate", Slow(2.0, "late"), candidate=0, repeat=True)
    model, _ = make_model(scripted_llm, timeout_s=0.2, attempts=2)
    with pytest.raises(ModelTimeout):
        await model.chat(ASK, purpose="generate")
    await model.aclose()
    assert len(scripted_llm.requests) == 2


async def test_missing_usage_is_estimated(scripted_llm: ScriptedLLM) -> None:
    """A reply without usage is still accounted, with an estimate flagged as such."""
    scripted_llm.on("generate", NoUsage("x" * 400), candidate=0)
    model, _ = make_model(scripted_llm)
    reply = await model.chat(ASK, purpose="generate")
    await model.aclose()
    assert reply.completion_tokens == 100
    assert model.ledger.calls[0].usage_reported is False


async def test_budget_stops_with_spend_recorded(scripted_llm: ScriptedLLM) -> None:
    """The call that crosses the token budget raises BudgetExceeded carrying what was spent."""
    scripted_llm.on("generate", "y" * 400, candidate=0, repeat=True)
    model, _ = make_model(scripted_llm, budget=Budget(max_tokens=150))
    await model.chat(ASK, purpose="generate")
    with pytest.raises(BudgetExceeded) as caught:
        await model.chat(ASK, purpose="generate")
    await model.aclose()
    assert caught.value.spent_tokens == model.ledger.spent_tokens > 150


async def test_spent_budget_refuses_before_calling(scripted_llm: ScriptedLLM) -> None:
    """Once the money budget is spent no further request reaches the endpoint."""
    scripted_llm.on("generate", "answer", candidate=0, repeat=True)
    model, _ = make_model(scripted_llm, budget=Budget(max_usd=1.0))
    with pytest.raises(BudgetExceeded):
        await model.chat(ASK, purpose="generate")
    with pytest.raises(BudgetExceeded) as caught:
        await model.chat(ASK, purpose="generate")
    await model.aclose()
    assert len(scripted_llm.requests) == 1
    assert caught.value.spent_usd == pytest.approx(model.ledger.spent_usd)


async def test_max_tokens_clamped_to_remaining_budget(scripted_llm: ScriptedLLM) -> None:
    """The completion limit sent never exceeds what the token budget has left."""
    scripted_llm.on("generate", "ok", candidate=0)
    model, _ = make_model(scripted_llm, budget=Budget(max_tokens=1000))
    await model.chat(ASK, purpose="generate", max_tokens=5000)
    await model.aclose()
    assert scripted_llm.requests[0].body["max_tokens"] <= 1000


async def test_text_that_utf_8_cannot_encode_reaches_the_model_escaped(scripted_llm: ScriptedLLM) -> None:
    """A file name's stray byte (kept as a surrogate) or a lone surrogate from an issue's JSON does not stop the
    request: each such character is sent as a visible escape."""
    scripted_llm.on("generate", "ok", candidate=0)
    model, _ = make_model(scripted_llm)
    content = ASK[0]["content"] + "\nsee caf\udce9.py and \ud800"
    reply = await model.chat([{"role": "user", "content": content}], purpose="generate")
    await model.aclose()
    assert reply.text == "ok"
    sent = scripted_llm.requests[0].body["messages"][0]["content"]
    assert sent.endswith("see caf\\udce9.py and \\ud800")
