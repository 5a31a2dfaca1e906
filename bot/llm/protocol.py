"""The one protocol every model implementation satisfies. A leaf module: it imports nothing internal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypedDict

__all__ = ["ChatModel", "ChatReply", "Message"]


class Message(TypedDict):
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class ChatReply:
    text: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    model: str


class ChatModel(Protocol):
    """Chat completion. `purpose` names the step (e.g. "generate", "judge", "skill.attempt"): it selects the
    model per role, labels accounting, and is what a scripted test model keys its answers on."""

    async def chat(
        self,
        messages: Sequence[Message],
        *,
        purpose: str,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> ChatReply: ...
