"""The LLM layer: one ChatModel protocol, a real OpenAI-compatible client, and token/cost accounting."""

from bot.llm.accounting import Budget, CallRecord, Ledger, Price, PriceTable
from bot.llm.client import Endpoint, OpenAIChatModel, RetryPolicy, Role, role_for
from bot.llm.errors import LLMError, ModelRequestRejected, ModelTimeout, ModelUnavailable
from bot.llm.protocol import ChatModel, ChatReply, Message

__all__ = [
    "Budget",
    "CallRecord",
    "ChatModel",
    "ChatReply",
    "Endpoint",
    "LLMError",
    "Ledger",
    "Message",
    "ModelRequestRejected",
    "ModelTimeout",
    "ModelUnavailable",
    "OpenAIChatModel",
    "Price",
    "PriceTable",
    "RetryPolicy",
    "Role",
    "role_for",
]
