"""The real ChatModel: any OpenAI-compatible endpoint through the openai SDK, one endpoint per role."""

from __future__ import annotations

import asyncio
import email.utils
import enum
import random
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import openai

from bot.llm.accounting import CallRecord, Ledger, PriceTable
from bot.llm.errors import LLMError, ModelRequestRejected, ModelTimeout, ModelUnavailable
from bot.llm.protocol import ChatReply, Message
from bot.text import encodable

__all__ = ["Endpoint", "OpenAIChatModel", "RetryPolicy", "Role", "retry_after_s", "role_for"]

PURPOSE_HEADER = "X-Organic-PR-Purpose"
RETRYABLE_STATUS = frozenset({408, 409, 429})


class Role(enum.Enum):
    GENERATOR = "generator"
    JUDGE = "judge"
    SKILL_DISTILLER = "skill_distiller"


def role_for(purpose: str) -> Role:
    """The role a purpose belongs to: "judge..." -> judge, "skill..." -> distiller, anything else generates."""
    head = purpose.split(".", 1)[0]
    if head == "judge":
        return Role.JUDGE
    if head == "skill":
        return Role.SKILL_DISTILLER
    return Role.GENERATOR


@dataclass(frozen=True)
class Endpoint:
    """Where one role's model lives. The key is never printed."""

    base_url: str
    model: str
    api_key: str = field(default="none", repr=False)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter; a server's Retry-After wins when it is not absurd."""

    max_attempts: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 20.0
    max_retry_after_s: float = 60.0

    def delay_s(self, attempt: int, retry_after_s: float | None) -> float:
        if retry_after_s is not None:
            return min(max(retry_after_s, 0.0), self.max_retry_after_s)
        backoff = min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1))
        jitter: float = 0.5 + random.random() / 2  # noqa: S311 - jitter, not security
        return float(backoff * jitter)


Sleep = Callable[[float], Awaitable[None]]


class OpenAIChatModel:
    """ChatModel over the openai SDK with timeouts, bounded retries, accounting and the job's budget.

    Usage:
        model = OpenAIChatModel({Role.GENERATOR: Endpoint(url, "gpt-4o-mini", key)}, ledger=Ledger(budget))
        reply = await model.chat(messages, purpose="generate")
        await model.aclose()
    Roles without an endpoint fall back to the generator's.
    """

    def __init__(
        self,
        endpoints: Mapping[Role, Endpoint],
        *,
        ledger: Ledger,
        prices: PriceTable | None = None,
        timeout_s: float = 120.0,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if Role.GENERATOR not in endpoints:
            raise ValueError("a generator endpoint is required")
        self.endpoints = dict(endpoints)
        self.ledger = ledger
        self.prices = prices or PriceTable()
        self.timeout_s = timeout_s
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clients: dict[Endpoint, openai.AsyncOpenAI] = {}

    def endpoint_for(self, purpose: str) -> Endpoint:
        return self.endpoints.get(role_for(purpose), self.endpoints[Role.GENERATOR])

    async def chat(
        self,
        messages: Sequence[Message],
        *,
        purpose: str,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> ChatReply:
        estimate = sum(len(m["content"]) for m in messages) // 4
        self.ledger.check(estimated_prompt_tokens=estimate)
        endpoint = self.endpoint_for(purpose)
        max_tokens = _clamp(max_tokens, self.ledger.remaining_tokens(), estimate)
        request = {
            "model": endpoint.model,
            "messages": [{**m, "content": encodable(m["content"])} for m in messages],
            "temperature": temperature,
            "extra_headers": {PURPOSE_HEADER: purpose},
        }
        if max_tokens is not None:
            request["max_tokens"] = max_tokens
        response, attempts = await self._create_with_retries(endpoint, request)
        return self._account(response, purpose=purpose, model=endpoint.model, attempts=attempts, estimate=estimate)

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.close()
        self._clients.clear()

    def _client(self, endpoint: Endpoint) -> openai.AsyncOpenAI:
        if endpoint not in self._clients:
            # Retries are ours (bounded, Retry-After aware, accounted), so the SDK's are off.
            self._clients[endpoint] = openai.AsyncOpenAI(
                base_url=endpoint.base_url, api_key=endpoint.api_key, timeout=self.timeout_s, max_retries=0
            )
        return self._clients[endpoint]

    async def _create_with_retries(self, endpoint: Endpoint, request: dict[str, Any]) -> tuple[Any, int]:
        client = self._client(endpoint)
        for attempt in range(1, self.retry.max_attempts + 1):
            try:
                with _mapped_errors():
                    return await client.chat.completions.create(**request), attempt
            except (ModelUnavailable, ModelTimeout) as exc:
                if attempt == self.retry.max_attempts:
                    raise
                wait_s = exc.retry_after_s if isinstance(exc, ModelUnavailable) else None
                await self._sleep(self.retry.delay_s(attempt, wait_s))
        raise AssertionError("unreachable: the loop returns or raises")

    def _account(self, response: Any, *, purpose: str, model: str, attempts: int, estimate: int) -> ChatReply:
        text = _reply_text(response)
        usage = getattr(response, "usage", None)
        prompt = int(getattr(usage, "prompt_tokens", 0) or 0) if usage else estimate
        completion = int(getattr(usage, "completion_tokens", 0) or 0) if usage else len(text) // 4
        served_model = str(getattr(response, "model", "") or model)
        cost = self.prices.cost_usd(model, prompt, completion)
        self.ledger.record(CallRecord(purpose, served_model, prompt, completion, cost, attempts, usage is not None))
        return ChatReply(
            text=text, prompt_tokens=prompt, completion_tokens=completion, cost_usd=cost, model=served_model
        )


def _clamp(max_tokens: int | None, remaining: int | None, estimate: int) -> int | None:
    """Never ask for more completion tokens than the budget has left after the prompt."""
    if remaining is None:
        return max_tokens
    room = max(1, remaining - estimate)
    return room if max_tokens is None else min(max_tokens, room)


def _reply_text(response: Any) -> str:
    choices = getattr(response, "choices", None) or []
    if not choices:
        raise ModelUnavailable("the endpoint answered with no choices")
    return str(choices[0].message.content or "")


def retry_after_s(headers: Mapping[str, str]) -> float | None:
    """Seconds from `retry-after-ms`, or `retry-after` as seconds or an HTTP date; None if absent or bad."""
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return float(ms) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value.strip() else None
        return None if parsed is None else parsed.timestamp() - time.time()


@contextmanager
def _mapped_errors() -> Iterator[None]:
    """The one place openai SDK errors become ours."""
    try:
        yield
    except openai.APITimeoutError as exc:
        raise ModelTimeout("the model endpoint timed out") from exc
    except openai.APIStatusError as exc:
        raise _status_error(exc) from exc
    except openai.APIConnectionError as exc:
        raise ModelUnavailable(f"cannot reach the model endpoint: {exc}") from exc
    except openai.OpenAIError as exc:
        raise LLMError(f"model call failed: {exc}") from exc


def _status_error(exc: openai.APIStatusError) -> LLMError:
    status = exc.status_code
    message = f"model endpoint answered {status}: {str(exc)[:300]}"
    if status in RETRYABLE_STATUS or status >= 500:
        try:
            wait_s = retry_after_s(exc.response.headers)
        except (TypeError, ValueError, OverflowError):
            wait_s = None
        return ModelUnavailable(message, status=status, retry_after_s=wait_s)
    return ModelRequestRejected(message, status=status)
