"""The LLM layer: one ChatModel protocol, a real OpenAI-compatible client, and token/cost accounting."""
